"""Vendor type is one of Sage 300 CRE's four (issue 8: it was free text, and a typo failed only at export)."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.companies.models import Company, VendorType
from apps.companies.resources import CompanyResource
from apps.companies.services import company_create, company_update
from apps.core.exceptions import ValidationFailed
from apps.core.imports import ImportProblem, read_dataset, run_import
from tests.access.helpers import api_client
from tests.wbs.helpers import csv_file

migration = importlib.import_module("apps.companies.migrations.0003_vendor_type_choices")
NOT_A_TYPE = "Contractor is not a Sage 300 CRE vendor type. Choose Subcontractor, Supplier, Service provider or Other."


def test_the_vendor_types_are_sages_four():
    assert VendorType.values == ["Subcontractor", "Supplier", "Service provider", "Other"]
    assert Company._meta.get_field("erp_vendor_type").choices == VendorType.choices


def test_a_vendor_type_that_is_not_sages_is_refused_when_saved_and_any_case_is_accepted():
    with pytest.raises(ValidationFailed) as refused:
        company_create(name="Acme Concrete", erp_vendor_type="Contractor")
    company = company_create(name="Acme Concrete", erp_vendor_type=" supplier ")
    company_update(company=company, data={"erp_vendor_type": "SERVICE PROVIDER"})

    assert refused.value.errors == {"erp_vendor_type": [NOT_A_TYPE]}
    assert list(Company.objects.values_list("erp_vendor_type", flat=True)) == ["Service provider"]


def test_the_admin_form_offers_the_four_types_and_refuses_another(admin_client):
    url = reverse("admin:companies_company_add")
    form = {"name": "Acme Concrete", "email": "", "address": "", "city": "", "state": "", "zip": "",
            "business_phone": "", "business_fax": "", "insurances-TOTAL_FORMS": "0", "insurances-INITIAL_FORMS": "0"}

    page = admin_client.get(url).content.decode()
    refused = admin_client.post(url, {**form, "erp_vendor_type": "Contractor"})
    added = admin_client.post(url, {**form, "erp_vendor_type": "Supplier"})

    assert '<select name="erp_vendor_type"' in page
    for choice in VendorType.values:
        assert f'<option value="{choice}">{choice}</option>' in page
    assert refused.status_code == 200 and "erp_vendor_type" in refused.context["adminform"].form.errors
    assert added.status_code == 302
    assert list(Company.objects.values_list("name", "erp_vendor_type")) == [("Acme Concrete", "Supplier")]


def test_the_api_takes_only_the_four_types(admin_user):
    api = api_client(admin_user)

    refused = api.post("/api/v1/companies/", {"name": "Acme", "erp_vendor_type": "Contractor"}, format="json")
    added = api.post("/api/v1/companies/", {"name": "Acme", "erp_vendor_type": "Other"}, format="json")
    schema = api.get("/api/schema/", {"format": "json"}).json()

    assert refused.status_code == 400 and list(refused.json()) == ["erp_vendor_type"]
    assert added.status_code == 201 and added.json()["erp_vendor_type"] == "Other"
    assert "Subcontractor" in str(schema["components"]["schemas"])


def test_a_vendor_file_with_a_type_that_is_not_sages_names_the_row_and_imports_nothing():
    rows = [["name", "erp_vendor_type"], ["Acme Concrete", "subcontractor"], ["Beta Builders", "Contractor"]]

    outcome = run_import(resource=CompanyResource(), dataset=read_dataset(data=csv_file(rows), file_format="csv"),
                         dry_run=False)

    assert outcome.problems == [ImportProblem(2, "erp_vendor_type", NOT_A_TYPE)]
    assert not Company.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [
    ("", ""), ("Supplier", "Supplier"), ("subcontractor", "Subcontractor"), ("  Service   Provider ", "Service provider"),
    ("Sub", "Subcontractor"), ("Service", "Service provider"), ("Material supplier", "Supplier"),
    ("Equipment Rental", "Other"), ("whatever", "Other"),
])
def test_the_migration_maps_free_text_to_one_of_the_four(typed, stored):
    assert migration.vendor_type_of(typed) == stored


def test_the_admin_vendor_type_filter_reads_no_company_rows(admin_client):
    for number in range(3):
        company_create(name=f"Company {number}", erp_vendor_type="Supplier")

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("admin:companies_company_changelist"))

    assert page.status_code == 200
    assert "Service provider" in page.content.decode()  # the filter lists the four types
    distinct = [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper() and "erp_vendor_type" in q["sql"]]
    assert distinct == []
