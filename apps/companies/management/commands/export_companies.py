from apps.companies.resources import CompanyResource
from apps.companies.selectors import company_list
from apps.core.import_commands import ExportCommand


class Command(ExportCommand):
    help = "Export the company directory (vendors) as CSV or XLSX, in the columns import_companies reads."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--exclude-archived", action="store_true", help="leave archived companies out")

    def build_resource(self, options):
        return CompanyResource()

    def get_queryset(self, options):
        return company_list(filters={"is_archived": False} if options["exclude_archived"] else None)
