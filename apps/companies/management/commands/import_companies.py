from apps.companies.resources import CompanyResource
from apps.core.import_commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import vendors (companies) from CSV or XLSX, all or nothing. Columns: name, erp_company_id, address, "
        "city, state, zip, business_phone, business_fax, email, erp_vendor_type, is_archived. A row updates the "
        "company with its erp_company_id, or else the company with its name; Sage's vendor field limits apply."
    )
    what = "companies"

    def build_resource(self, options):
        return CompanyResource()
