import pytest
import yaml
from django.core.management import call_command

HUB_PATHS = {
    "/api/v1/standard-cost-codes/": {"get"},
    "/api/v1/standard-cost-codes/{id}/": {"get"},
    "/api/v1/standard-cost-codes/{id}/default-cost-types/": {"put"},
    "/api/v1/cost-types/": {"get"},
    "/api/v1/cost-types/{id}/": {"get"},
    "/api/v1/companies/": {"get", "post"},
    "/api/v1/companies/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/companies/{id}/archive/": {"post"},
    "/api/v1/companies/{id}/unarchive/": {"post"},
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/sub-jobs/": {"get", "post"},
    "/api/v1/sub-jobs/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/project-cost-codes/": {"get", "post"},
    "/api/v1/project-cost-codes/{id}/": {"get", "put", "patch", "delete"},
}


def test_schema_validates_without_warnings(tmp_path):
    # `spectacular --validate --fail-on-warn` exits non-zero (SystemExit) on any warning or error.
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    text = out.read_text()
    assert "openapi: 3" in text
    assert "/api/v1/me/" in text
    assert "/api/v1/auth/token/" in text
    paths = yaml.safe_load(text)["paths"]
    for path, methods in HUB_PATHS.items():
        assert set(paths[path]) - {"parameters"} == methods, path


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/v1/projects/", {"stage", "is_active", "number", "integrated", "cost_code_list", "search", "ordering", "page", "page_size"}),
        ("/api/v1/sub-jobs/", {"project", "code", "search", "ordering", "page", "page_size"}),
        ("/api/v1/companies/", {"is_archived", "erp_linked", "erp_inactive", "erp_company_id", "erp_vendor_type", "search", "ordering", "page", "page_size"}),
        ("/api/v1/project-cost-codes/", {"project", "sub_job", "has_sub_job", "is_project_specific", "code", "search", "ordering", "page", "page_size"}),
        ("/api/v1/standard-cost-codes/", {"cost_code_list", "is_active", "division", "code", "search", "ordering", "page", "page_size"}),
        ("/api/v1/cost-types/", {"is_active", "code", "search", "ordering", "page", "page_size"}),
    ],
)
def test_hub_lists_document_their_filters_and_pagination(admin_client, path, parameters):
    schema = admin_client.get("/api/schema/?format=json").json()

    get = schema["paths"][path]["get"]

    assert {parameter["name"] for parameter in get["parameters"]} == parameters
    paginated = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][paginated]["required"]) == {"count", "count_exact", "results"}
    assert "exact up to 10,000" in schema["components"]["schemas"][paginated]["properties"]["count"]["description"]


def test_erp_fields_are_read_only_in_the_schema(admin_client):
    components = admin_client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert components["Project"]["properties"]["sage_job_id"]["readOnly"] is True
    assert components["Company"]["properties"]["erp_company_id"]["readOnly"] is True
    assert "sage_job_id" not in components["ProjectRequest"]["properties"]
    assert "erp_company_id" not in components["CompanyRequest"]["properties"]
    assert "erp_status" not in components["SubJobRequest"]["properties"]


def test_schema_is_served_to_a_signed_in_user(admin_client):
    response = admin_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]
