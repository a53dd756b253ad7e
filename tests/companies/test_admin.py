import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.companies.models import Company, CompanyInsurance
from apps.companies.services import company_archive, company_create, company_insurance_upsert
from apps.access.models import Level
from tests.access.helpers import make_user
from tests.wbs.helpers import csv_file
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from tests.companies.helpers import linked_company


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


COMPANY_FORM = {
    "name": "Acme Concrete",
    "email": "",
    "erp_vendor_type": "",
    "address": "",
    "city": "Chicago",
    "state": "IL",
    "zip": "",
    "business_phone": "",
    "business_fax": "",
    "insurances-TOTAL_FORMS": "0",
    "insurances-INITIAL_FORMS": "0",
}


@pytest.fixture
def company():
    company = linked_company(name="Acme Concrete", erp_company_id="V100", city="Chicago")
    company_insurance_upsert(company=company, insurance_type="umbrella", policy_number="U-1", from_erp=True)
    return company


@pytest.mark.parametrize("model", [Company, CompanyInsurance])
def test_admin_pages_of_every_company_model_render(admin_client, company, model):
    obj = company if model is Company else company.insurances.get()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist") + "?q=acme").status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_the_company_search_finds_by_erp_company_id(admin_client, company):
    company_create(name="Beta Builders")

    response = admin_client.get(admin_url(Company, "changelist") + "?q=V100")

    assert [c.name for c in response.context["cl"].result_list] == ["Acme Concrete"]


def test_a_company_added_in_the_admin_goes_through_the_service(admin_client, admin_user):
    # when
    response = admin_client.post(admin_url(Company, "add"), COMPANY_FORM)

    # then
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.name, company.city, company.erp_company_id) == ("Acme Concrete", "Chicago", None)
    assert company.history.get().history_user == admin_user


def test_a_bad_value_is_shown_on_the_company_form_and_nothing_is_saved(admin_client):
    # when
    response = admin_client.post(admin_url(Company, "add"), {**COMPANY_FORM, "name": "", "email": "nope"})

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": ["This field is required."],
        "email": ["Enter a valid email address."],
    }
    assert not Company.objects.exists()


def test_the_erp_company_id_cannot_be_changed_in_the_admin(admin_client, company):
    # when
    response = admin_client.post(
        admin_url(Company, "change", company.pk),
        {**COMPANY_FORM, "city": "Evanston", "erp_company_id": "V999", "insurances-INITIAL_FORMS": "1", "insurances-TOTAL_FORMS": "1", "insurances-0-id": company.insurances.get().pk, "insurances-0-company": company.pk},
    )

    # then
    assert response.status_code == 302
    stored = Company.objects.get()
    assert (stored.city, stored.erp_company_id) == ("Evanston", "V100")


def test_archive_and_unarchive_actions(admin_client, company):
    url = admin_url(Company, "changelist")

    archived = admin_client.post(url, {"action": "archive_companies", "_selected_action": [company.pk]}, follow=True)
    assert [str(m) for m in archived.context["messages"]] == ["1 archived."]
    assert Company.objects.get().is_archived is True

    again = admin_client.post(url, {"action": "archive_companies", "_selected_action": [company.pk]}, follow=True)
    assert [str(m) for m in again.context["messages"]] == ["Acme Concrete is already archived."]

    unarchived = admin_client.post(url, {"action": "unarchive_companies", "_selected_action": [company.pk]}, follow=True)
    assert [str(m) for m in unarchived.context["messages"]] == ["1 unarchived."]
    assert Company.objects.get().is_archived is False


def test_history_can_be_viewed_but_a_revert_post_is_refused(admin_client, company):
    # given
    company_archive(company=company)
    first_version = company.history.earliest()

    versions_before = company.history.count()

    # when
    history = admin_client.get(admin_url(Company, "history", company.pk))
    version = admin_client.get(reverse("admin:companies_company_simple_history", args=[company.pk, first_version.history_id]))
    revert = admin_client.post(
        reverse("admin:companies_company_simple_history", args=[company.pk, first_version.history_id]),
        {**COMPANY_FORM, "_change_history": "1"},
    )

    # then
    assert (history.status_code, version.status_code, revert.status_code) == (200, 200, 403)
    assert Company.objects.get().is_archived is True
    assert company.history.count() == versions_before


def test_imported_insurance_is_view_only(admin_client, company):
    insurance = company.insurances.get()

    response = admin_client.post(admin_url(CompanyInsurance, "change", insurance.pk), {"policy_number": "changed"})

    assert response.status_code == 403
    assert CompanyInsurance.objects.get().policy_number == "U-1"


def test_a_policy_is_added_by_hand_through_the_service(admin_client, company):
    # when
    response = admin_client.post(
        admin_url(CompanyInsurance, "add"),
        {
            "company": company.pk,
            "insurance_type": "automobile",
            "policy_number": "AU-7",
            "insurance_provider": "Mutual",
            "limit_amount": "500000",
            "effective_date": "2026-01-01",
            "expiration_date": "2025-01-01",
        },
    )

    # then: the dates are wrong, the form says so
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "expiration_date": ["The expiration date is before the effective date."]
    }

    # when
    response = admin_client.post(
        admin_url(CompanyInsurance, "add"),
        {
            "company": company.pk,
            "insurance_type": "automobile",
            "policy_number": "AU-7",
            "insurance_provider": "Mutual",
            "limit_amount": "500000",
            "effective_date": "2026-01-01",
            "expiration_date": "2026-12-31",
        },
    )

    # then
    assert response.status_code == 302
    assert sorted(CompanyInsurance.objects.values_list("insurance_type", "policy_number", "imported_from_erp")) == [
        ("automobile", "AU-7", False),
        ("umbrella", "U-1", True),
    ]


# --- import / export in the admin --------------------------------------------------------


def test_without_the_import_permission_there_is_no_import_button_and_the_view_is_forbidden(client, company):
    # given: Standard on Directory changes companies; importing needs Admin on it
    client.force_login(make_user(directory=Level.STANDARD))

    # when
    changelist = client.get(admin_url(Company, "changelist"))
    import_page = client.get(admin_url(Company, "import"))
    confirm = client.post(admin_url(Company, "process_import"), {})

    # then
    assert changelist.status_code == 200
    assert admin_url(Company, "import") not in changelist.content.decode()
    assert admin_url(Company, "export") in changelist.content.decode()
    assert (import_page.status_code, confirm.status_code) == (403, 403)


def test_with_the_import_permission_the_import_view_opens(client):
    client.force_login(make_user(directory=Level.ADMIN))

    response = client.get(admin_url(Company, "import"))

    assert response.status_code == 200
    assert "An import is all or nothing" in response.content.decode()


@pytest.fixture
def sage_vendors(db):
    with at_sage_desktop():
        for vendor, name in (("V100", "Acme Concrete"), ("V200", "Beta Builders"), ("V300", "Northwest")):
            sage.vendor_create(vendor=vendor, name=name)


def test_the_admin_import_preview_names_the_bad_row_and_imports_nothing(admin_client, sage_vendors):
    # given
    data = csv_file([["name", "erp_company_id"], ["Acme Concrete", "V100"], ["Beta Builders", "V200"], ["N" * 31, "V300"]])

    # when
    response = admin_client.post(
        admin_url(Company, "import"),
        {"import_file": SimpleUploadedFile("vendors.csv", data), "format": "0", "resource": "0"},
    )

    # then
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert [(p.row, p.line, p.field, p.message) for p in response.context["import_problems"]] == [
        (3, 4, "name", "Sage 300 CRE holds at most 30 characters for a name; shorten it. Sage says: [Name] is too long, maximum length is 30 characters.")
    ]
    assert not Company.objects.exists()


def test_the_admin_imports_a_good_xlsx_after_the_preview(admin_client, sage_vendors):
    # given
    from tests.wbs.helpers import xlsx_file

    data = xlsx_file([["name", "erp_company_id", "city"], ["Acme Concrete", "V100", "Chicago"]])
    preview = admin_client.post(
        admin_url(Company, "import"),
        {"import_file": SimpleUploadedFile("vendors.xlsx", data), "format": "1", "resource": "0"},
    )
    assert not Company.objects.exists()

    # when
    confirmed = admin_client.post(admin_url(Company, "process_import"), dict(preview.context["confirm_form"].initial), follow=True)

    # then
    assert [str(m) for m in confirmed.context["messages"]] == [
        "Import finished: 1 new, 0 updated, 0 deleted and 0 skipped companies."
    ]
    assert list(Company.objects.values_list("name", "erp_company_id", "city")) == [("Acme Concrete", "V100", "Chicago")]


def test_a_company_linked_to_sage_shows_no_delete_and_an_unlinked_one_does(admin_client):
    # Issue 8: Delete was offered on a linked company and always refused.
    linked = linked_company(name="Acme Concrete", erp_company_id="V100")
    free = company_create(name="Beta Builders")

    linked_page = admin_client.get(admin_url(Company, "change", linked.pk)).content.decode()
    free_page = admin_client.get(admin_url(Company, "change", free.pk)).content.decode()
    refused = admin_client.post(admin_url(Company, "delete", linked.pk), {"post": "yes"}, follow=True)

    assert admin_url(Company, "delete", linked.pk) not in linked_page
    assert admin_url(Company, "delete", free.pk) in free_page
    assert "is linked to the Sage 300 CRE vendor V100 and cannot be deleted; archive it instead." in (
        refused.content.decode().replace("&#x27;", "'")
    )
    assert Company.objects.filter(pk=linked.pk).exists()
