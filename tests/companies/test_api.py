"""REST API v1: /api/v1/companies/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.access.models import Level
from apps.companies.models import Company
from apps.companies.services import company_archive, company_create, company_insurance_upsert
from tests.access.helpers import api_client, make_user
from tests.companies.helpers import linked_company


def stored():
    return list(Company.objects.order_by("pk").values("name", "city", "email", "erp_company_id", "is_archived"))


@pytest.fixture
def api(admin_user):
    return api_client(admin_user)


@pytest.fixture
def directory():
    acme = linked_company(name="Acme Concrete", city="Chicago", erp_company_id="V100")
    company_create(name="Beta Builders", city="Springfield", email="office@beta.example")
    company_archive(company=linked_company(name="Old Vendor", erp_company_id="V900"))
    company_insurance_upsert(company=acme, insurance_type="general_liability", policy_number="GL-1", limit_amount="1000000")
    return acme


def test_companies_read_with_their_erp_fields_and_insurance(api, directory):
    body = api.get(f"/api/v1/companies/{directory.pk}/").json()

    assert {key: body[key] for key in ("name", "city", "erp_company_id", "erp_inactive", "is_archived", "erp_status")} == {
        "name": "Acme Concrete",
        "city": "Chicago",
        "erp_company_id": "V100",
        "erp_inactive": False,
        "is_archived": False,
        "erp_status": "synced",
    }
    assert body["insurances"] == [
        {
            "insurance_type": "general_liability",
            "policy_number": "GL-1",
            "insurance_provider": "",
            "limit_amount": "1000000.00",
            "effective_date": None,
            "expiration_date": None,
            "imported_from_erp": False,
        }
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Acme Concrete", "Beta Builders", "Old Vendor"]),
        ({"is_archived": "false"}, ["Acme Concrete", "Beta Builders"]),
        ({"erp_linked": "true"}, ["Acme Concrete", "Old Vendor"]),
        ({"erp_linked": "false"}, ["Beta Builders"]),
        ({"erp_company_id": "v100"}, ["Acme Concrete"]),
        ({"search": "spring"}, ["Beta Builders"]),
        ({"search": "beta.example"}, ["Beta Builders"]),
        ({"ordering": "-name"}, ["Old Vendor", "Beta Builders", "Acme Concrete"]),
        ({"page_size": 2}, ["Acme Concrete", "Beta Builders"]),
    ],
)
def test_companies_are_filtered_searched_ordered_and_paginated(api, directory, params, expected):
    body = api.get("/api/v1/companies/", params).json()

    assert [c["name"] for c in body["results"]] == expected
    assert body["count"] == (3 if "page_size" in params else len(expected))


@pytest.mark.parametrize(("level", "status"), [(Level.NONE, 403), (Level.READ_ONLY, 200), (Level.STANDARD, 200)])
def test_the_directory_is_seen_with_read_only_on_directory(directory, level, status):
    response = api_client(make_user(directory=level, erp=Level.ADMIN)).get("/api/v1/companies/")

    assert response.status_code == status
    if status == 403:
        assert response.json() == {"code": "permission_denied", "message": "To view companies you need Read Only on Directory."}


def test_a_company_is_created_through_the_service_and_its_erp_fields_are_read_only(api, admin_user):
    response = api.post(
        "/api/v1/companies/",
        {"name": " Delta Drywall ", "city": "Chicago", "erp_company_id": "V500", "is_archived": True},
        format="json",
    )

    assert response.status_code == 201
    created = Company.objects.get()
    assert (response.json()["id"], created.name, created.erp_company_id, created.is_archived) == (
        created.pk,
        "Delta Drywall",
        None,
        False,
    )
    assert created.history.get().history_user == admin_user


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "N" * 256}, {"name": ["Ensure this field has no more than 255 characters."]}),
        ({"name": "Delta", "email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        ({"name": "Delta", "zip": "1" * 21}, {"zip": ["Ensure this field has no more than 20 characters."]}),
        ({"name": {"first": "Delta"}}, {"name": ["Not a valid string."]}),
    ],
)
def test_a_bad_company_is_a_400_with_field_messages_and_nothing_is_created(api, payload, errors):
    response = api.post("/api/v1/companies/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not Company.objects.exists()


@pytest.mark.parametrize(("level", "create", "change"), [(Level.READ_ONLY, 403, 403), (Level.STANDARD, 201, 200)])
def test_adding_and_changing_companies_needs_standard_on_directory(directory, level, create, change):
    client = api_client(make_user(directory=level))
    before = stored()

    created = client.post("/api/v1/companies/", {"name": "Delta Drywall"}, format="json")
    changed = client.patch(f"/api/v1/companies/{directory.pk}/", {"city": "Evanston"}, format="json")

    assert (created.status_code, changed.status_code) == (create, change)
    if create == 403:
        assert created.json()["message"] == "To add companies you need Standard on Directory."
        assert changed.json()["message"] == "To change companies you need Standard on Directory."
        assert stored() == before
    else:
        assert Company.objects.get(pk=directory.pk).city == "Evanston"
        assert Company.objects.filter(name="Delta Drywall").exists()


def test_the_erp_company_id_is_not_changed_through_the_api(api, directory):
    response = api.patch(f"/api/v1/companies/{directory.pk}/", {"erp_company_id": "V999", "city": "Evanston"}, format="json")

    assert (response.status_code, response.json()["erp_company_id"], response.json()["city"]) == (200, "V100", "Evanston")
    assert Company.objects.get(pk=directory.pk).erp_company_id == "V100"


def test_a_synced_companys_name_is_locked_through_the_api(api, directory):
    response = api.patch(f"/api/v1/companies/{directory.pk}/", {"name": "Acme"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "name": ["This company is synced with Sage 300 CRE, so its name is locked; unlink it first (Unlink, on the company's page)."]
    }
    assert Company.objects.get(pk=directory.pk).name == "Acme Concrete"


@pytest.mark.parametrize(("level", "status"), [(Level.STANDARD, 403), (Level.ADMIN, 200)])
def test_archiving_needs_admin_on_directory(directory, level, status):
    client = api_client(make_user(directory=level))

    archived = client.post(f"/api/v1/companies/{directory.pk}/archive/")

    assert archived.status_code == status
    assert Company.objects.get(pk=directory.pk).is_archived is (status == 200)
    if status == 403:
        assert archived.json()["message"] == "To archive or unarchive companies you need Admin on Directory."
    else:
        assert archived.json()["is_archived"] is True


def test_archiving_twice_is_a_409_and_unarchive_brings_it_back(api, directory):
    first = api.post(f"/api/v1/companies/{directory.pk}/archive/")
    second = api.post(f"/api/v1/companies/{directory.pk}/archive/")
    back = api.post(f"/api/v1/companies/{directory.pk}/unarchive/")

    assert (first.status_code, second.status_code, back.status_code) == (200, 409, 200)
    assert second.json() == {"code": "already_archived", "message": "Acme Concrete is already archived."}
    assert Company.objects.get(pk=directory.pk).is_archived is False


def test_a_company_linked_to_sage_is_archived_not_deleted(api, directory):
    linked = api.delete(f"/api/v1/companies/{directory.pk}/")
    unlinked = api.delete(f"/api/v1/companies/{Company.objects.get(name='Beta Builders').pk}/")

    assert (linked.status_code, linked.json()["code"]) == (409, "company_in_erp")
    assert unlinked.status_code == 204
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Acme Concrete", "Old Vendor"]


def test_deleting_a_company_needs_admin_on_directory(directory):
    beta = Company.objects.get(name="Beta Builders")

    response = api_client(make_user(directory=Level.STANDARD)).delete(f"/api/v1/companies/{beta.pk}/")

    assert (response.status_code, response.json()["message"]) == (403, "To delete companies you need Admin on Directory.")
    assert Company.objects.filter(pk=beta.pk).exists()


@pytest.mark.parametrize("rows_count", [5, 50])
def test_listing_companies_takes_the_same_queries_for_5_or_50_rows(rows_count, django_assert_max_num_queries):
    first = linked_company(name="Company 000", erp_company_id="V000")
    company_insurance_upsert(company=first, insurance_type="umbrella", policy_number="U-0")
    client = api_client(make_user(directory=Level.READ_ONLY))
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/v1/companies/")
    for number in range(1, rows_count):
        company = linked_company(name=f"Company {number:03d}", erp_company_id=f"V{number:03d}")
        company_insurance_upsert(company=company, insurance_type="umbrella", policy_number=f"U-{number}")

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        body = client.get("/api/v1/companies/", {"page_size": 100}).json()

    assert body["count"] == rows_count
    assert {len(c["insurances"]) for c in body["results"]} == {1}
