from django.core.management.base import CommandError

from apps.core.import_commands import ImportCommand
from apps.wbs.models import CostCodeList
from apps.wbs.resources import StandardCostCodeResource


class Command(ImportCommand):
    help = (
        "Import standard cost codes from CSV or XLSX, all or nothing. Columns: cost_code_list, code, description, "
        "division, is_active, default_cost_types (e.g. \"L,M\"). A blank cost_code_list means the Sage 300 CRE "
        "standard cost code list (created if needed), or the list given with --list."
    )
    what = "cost codes"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--list", dest="list_name", help="the list for rows that leave cost_code_list blank")

    def build_resource(self, options):
        default_list = None
        if options.get("list_name"):
            default_list = CostCodeList.objects.filter(name__iexact=options["list_name"]).first()
            if default_list is None:
                raise CommandError(f"No cost code list is named {options['list_name']!r}.")
        return StandardCostCodeResource(default_cost_code_list=default_list)
