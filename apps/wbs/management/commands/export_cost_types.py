from apps.core.import_commands import ExportCommand
from apps.wbs.resources import CostTypeResource
from apps.wbs.selectors import cost_type_list


class Command(ExportCommand):
    help = "Export cost types as CSV or XLSX, in the columns import_cost_types reads."

    def build_resource(self, options):
        return CostTypeResource()

    def get_queryset(self, options):
        return cost_type_list()
