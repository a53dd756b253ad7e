from apps.core.import_commands import ImportCommand
from apps.wbs.resources import CostTypeResource


class Command(ImportCommand):
    help = "Import cost types from CSV or XLSX, all or nothing. Columns: code, description, is_active."
    what = "cost types"

    def build_resource(self, options):
        return CostTypeResource()
