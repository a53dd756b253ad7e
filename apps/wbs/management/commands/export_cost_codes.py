from django.core.management.base import CommandError

from apps.core.import_commands import ExportCommand
from apps.wbs.models import CostCodeList
from apps.wbs.resources import StandardCostCodeResource
from apps.wbs.selectors import standard_cost_code_list


class Command(ExportCommand):
    help = "Export standard cost codes as CSV or XLSX, in the columns import_cost_codes reads."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--list", dest="list_name", help="only this cost code list")

    def build_resource(self, options):
        return StandardCostCodeResource()

    def get_queryset(self, options):
        cost_code_list = None
        if options.get("list_name"):
            cost_code_list = CostCodeList.objects.filter(name__iexact=options["list_name"]).first()
            if cost_code_list is None:
                raise CommandError(f"No cost code list is named {options['list_name']!r}.")
        return standard_cost_code_list(cost_code_list=cost_code_list)
