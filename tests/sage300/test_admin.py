"""The "Sage 300 CRE" admin section: smoke tests for every model, forms through services, actions."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.sage300 import services
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop, injected_faults
from apps.sage300.import_files import CostCodeImportRecord, JobImportRecord
from apps.sage300.models import (
    Category,
    CostCode,
    Extra,
    GLPeriod,
    JCBatch,
    JCTransaction,
    Job,
    SageApiUsage,
    SageCompany,
    StandardCategory,
    StandardCostCode,
    Vendor,
    VendorInsurance,
)
from apps.sage300.faults import request_counts_flush
from tests.sage300.helpers import job_records, sage_state

READ_ONLY_MODELS = {SageApiUsage, JCBatch, JCTransaction}
NO_ADD_MODELS = {SageCompany, *READ_ONLY_MODELS}


@pytest.fixture
def sage_world(standard_lists):
    """One row of every Sage table."""
    services.job_import(records=job_records(city="Austin"))  # an API request: counted in the usage table
    request_counts_flush()
    with at_sage_desktop():
        services.extra_create(job="24-101", extra="1", description="Phase 1")
        services.vendor_create(vendor="ACME", name="Acme Concrete")
        services.vendor_insurance_set(vendor="ACME", insurance_type="Umbrella", limit="1000000")
        services.gl_periods_ensure(fiscal_year=2025)
    services.jc_entries_add(job="24-101", reference="world", transaction_date=datetime.date(2025, 5, 1),
                            entries=[services.JcEntry("Aprvd Estimate Chng", "01-100", "L", "10.00")])


def url(model, view: str, *args) -> str:
    return reverse(f"admin:sage300_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    """The messages shown: on the page a followed redirect landed on, or queued by the response."""
    if response.context is not None and "messages" in response.context:
        return [message.message for message in response.context["messages"]]
    return [message.message for message in get_messages(response.wsgi_request)]


def form_data(response, **fields) -> dict:
    """POST data for an admin form page: the given fields plus the management forms of its inlines."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
                f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update({name: "" if value is None else value for name, value in fields.items()})
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


ALL_MODELS = [
    SageCompany,
    StandardCostCode,
    StandardCategory,
    Job,
    Extra,
    CostCode,
    Category,
    Vendor,
    VendorInsurance,
    GLPeriod,
    SageApiUsage,
    JCBatch,
    JCTransaction,
]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_search_load(admin_client, sage_world, model):
    # when
    changelist = admin_client.get(url(model, "changelist"))
    search = admin_client.get(url(model, "changelist"), {"q": "24"})

    # then
    assert changelist.status_code == 200
    assert search.status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_add_form_loads_or_is_refused_for_the_bridges_own_books(admin_client, sage_world, model):
    # when
    response = admin_client.get(url(model, "add"))

    # then
    assert response.status_code == (403 if model in NO_ADD_MODELS else 200)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_change_form_loads(admin_client, sage_world, model):
    # given
    obj = model.objects.order_by("pk").first()

    # when
    response = admin_client.get(url(model, "change", obj.pk))

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [("extra", "job", "24-1", ["24-101"]), ("vendorinsurance", "vendor", "acme", ["ACME"])],
)
def test_autocomplete_finds_jobs_and_vendors_by_code(admin_client, sage_world, model_name, field_name, term, expected):
    # when
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sage300", "model_name": model_name, "field_name": field_name, "term": term},
    )

    # then
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == expected


def test_categories_filter_by_a_standard_category(admin_client, sage_world):
    # when
    response = admin_client.get(url(Category, "changelist"), {"category": "M"})

    # then
    assert response.status_code == 200
    assert [category.category for category in response.context["cl"].result_list] == ["M"]


def test_the_cost_code_lookup_popup_loads(admin_client, sage_world):
    # when
    response = admin_client.get(url(CostCode, "changelist"), {"_to_field": "id", "_popup": "1"})

    # then
    assert response.status_code == 200


def test_the_admin_index_lists_the_sage_section(admin_client, sage_world):
    # when
    response = admin_client.get(reverse("admin:index"))

    # then
    assert "Sage 300 CRE" in response.content.decode()


# --- Adding and changing through the services -------------------------------------------------


def test_adding_a_job_goes_through_the_job_import(admin_client, standard_lists):
    # given
    page = admin_client.get(url(Job, "add"))

    # when
    response = admin_client.post(
        url(Job, "add"),
        form_data(
            page,
            job="24-201",
            description="Warehouse",
            status="Unstarted",
            city="Austin",
            billing_method="Contracts",
            original_contract_amount="1500000.00",
        ),
    )

    # then
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.job, job.normalized_job, job.city, job.original_contract_amount) == (
        "24-201",
        "24201",
        "Austin",
        Decimal("1500000.00"),
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"job": "24101"}, "job", "A job with that code already exists."),
        ({"job": "24-101"}, "job", "A job already exists with the specified id."),
        ({"job": "24-301", "description": "n" * 31}, "description", "[Name] is too long, maximum length is 30 characters."),
        ({"job": "24-301", "city": "c" * 16}, "city", "[AddressCity] is too long, maximum length is 15 characters."),
        ({"job": "24-301", "zip_code": "7" * 11}, "zip_code", "[AddressZip] is too long, maximum length is 10 characters."),
        ({"job": "24-301", "description": ""}, "description", "Can't be blank."),
    ],
)
def test_a_job_sage_refuses_shows_sages_message_on_the_form(admin_client, job, fields, field, message):
    # given
    page = admin_client.get(url(Job, "add"))
    before = sage_state()
    data = {"description": "Another", "status": "Unstarted", "billing_method": "Contracts", "original_contract_amount": "0", **fields}

    # when
    response = admin_client.post(url(Job, "add"), form_data(page, **data))

    # then
    assert response.status_code == 200
    assert form_errors(response)[field] == [message]
    assert sage_state() == before


def test_changing_a_job_goes_through_job_update(admin_client, job):
    # given
    page = admin_client.get(url(Job, "change", job.pk))
    fields = {name: getattr(job, name) for name in ("description", "address_1", "address_2", "city", "state", "zip_code", "billing_method", "billing_level")}

    # when
    response = admin_client.post(
        url(Job, "change", job.pk),
        form_data(page, **{**fields, "city": "Round Rock", "original_contract_amount": "0.00"}),
    )

    # then
    assert response.status_code == 302
    assert Job.objects.get().city == "Round Rock"


def test_changing_a_closed_job_shows_job_has_been_closed(admin_client, job):
    # given
    with at_sage_desktop():
        services.job_close(job="24-101")
    page = admin_client.get(url(Job, "change", job.pk))
    before = sage_state()

    # when
    response = admin_client.post(
        url(Job, "change", job.pk),
        form_data(page, description="Renamed", city="Austin", state="TX", zip_code="78701", billing_method="Contracts", original_contract_amount="0.00"),
    )

    # then
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == ["Job has been closed."]
    assert sage_state() == before


def test_adding_a_standard_cost_code_and_a_refused_one(admin_client):
    # when
    created = admin_client.post(url(StandardCostCode, "add"), {"cost_code": "02-000", "description": "Site work"})
    refused = admin_client.post(url(StandardCostCode, "add"), {"cost_code": "0200", "description": "Unsectioned"})

    # then
    assert created.status_code == 302
    assert list(StandardCostCode.objects.values_list("cost_code", "group_cost_code")) == [("02-000", True)]
    assert form_errors(refused)["cost_code"] == [
        "Cost code 0200 is not in the format set up in Custom Descriptions (e.g. 01-100)."
    ]


def test_changing_a_standard_cost_codes_description(admin_client, standard_lists):
    # given
    standard = StandardCostCode.objects.get(cost_code="01-100")

    # when
    response = admin_client.post(url(StandardCostCode, "change", standard.pk), {"description": "Project supervision"})

    # then
    assert response.status_code == 302
    assert StandardCostCode.objects.get(pk=standard.pk).description == "Project supervision"


def test_adding_a_standard_category_checks_its_length(admin_client):
    # when
    refused = admin_client.post(url(StandardCategory, "add"), {"category": "LABR", "description": "Labor", "accumulate_as": "Labor"})
    created = admin_client.post(url(StandardCategory, "add"), {"category": "LAB", "description": "Labor", "accumulate_as": "Labor"})

    # then
    assert form_errors(refused)["category"] == ["[Category] is too long, maximum length is 3 characters."]
    assert created.status_code == 302
    assert list(StandardCategory.objects.values_list("category", flat=True)) == ["LAB"]


def test_changing_a_standard_category(admin_client, standard_lists):
    # given
    standard = StandardCategory.objects.get(category="L")

    # when
    response = admin_client.post(
        url(StandardCategory, "change", standard.pk), {"description": "Field labor", "accumulate_as": "Labor"}
    )

    # then
    assert response.status_code == 302
    assert StandardCategory.objects.get(pk=standard.pk).description == "Field labor"


def test_adding_a_vendor_and_sages_refusals(admin_client, vendor):
    # given
    page = admin_client.get(url(Vendor, "add"))
    base = {"vendor": "BOLT", "name": "Bolt Steel", "vendor_type": "Supplier"}

    # when
    too_long = admin_client.post(url(Vendor, "add"), form_data(page, **{**base, "vendor": "B" * 11}))
    duplicate = admin_client.post(url(Vendor, "add"), form_data(page, **{**base, "vendor": "ACME"}))
    created = admin_client.post(url(Vendor, "add"), form_data(page, **base))

    # then
    assert form_errors(too_long)["vendor"] == ["[Vendor] is too long, maximum length is 10 characters."]
    assert form_errors(duplicate)["vendor"] == ["A vendor already exists with the specified id."]
    assert created.status_code == 302
    assert list(Vendor.objects.values_list("vendor", "vendor_type")) == [("ACME", "Subcontractor"), ("BOLT", "Supplier")]


def test_changing_an_inactive_vendor_is_refused_with_sages_message(admin_client, vendor):
    # given
    with at_sage_desktop():
        services.vendor_inactivate(vendor="ACME")
    page = admin_client.get(url(Vendor, "change", vendor.pk))

    # when
    response = admin_client.post(
        url(Vendor, "change", vendor.pk), form_data(page, name="Acme Concrete", vendor_type="Subcontractor", city="Dallas")
    )

    # then
    assert form_errors(response)["__all__"] == ["Vendor is inactive/has been archived."]
    assert Vendor.objects.get().city == "Austin"


def test_adding_vendor_insurance_goes_through_the_service(admin_client, vendor):
    # when
    response = admin_client.post(
        url(VendorInsurance, "add"),
        {
            "vendor": "ACME",
            "insurance_type": "Automobile",
            "policy_number": "AU-1",
            "limit": "500000.00",
            "effective_date": "2025-01-01",
            "expiration_date": "2024-12-31",
        },
    )
    fixed = admin_client.post(
        url(VendorInsurance, "add"),
        {"vendor": "ACME", "insurance_type": "Automobile", "policy_number": "AU-1", "limit": "500000.00"},
    )

    # then
    assert form_errors(response)["expiration_date"] == ["Expiration date must be on or after the effective date."]
    assert fixed.status_code == 302
    assert list(VendorInsurance.objects.values_list("insurance_type", "policy_number")) == [("Automobile", "AU-1")]


def test_adding_an_extra_to_a_closed_job_is_refused(admin_client, job):
    # given
    with at_sage_desktop():
        services.job_close(job="24-101")

    # when
    response = admin_client.post(url(Extra, "add"), {"job": "24-101", "extra": "1", "description": "Phase 1"})

    # then
    assert form_errors(response)["job"] == ["Job has been closed."]
    assert not Extra.objects.exists()


def test_adding_an_extra(admin_client, job):
    # when
    response = admin_client.post(url(Extra, "add"), {"job": "24-101", "extra": "1", "description": "Phase 1"})

    # then
    assert response.status_code == 302
    assert list(Extra.objects.values_list("job_id", "extra", "description")) == [("24-101", "1", "Phase 1")]


def test_adding_a_cost_code_and_a_category_to_a_job(admin_client, job):
    # given
    page = admin_client.get(url(CostCode, "add"))

    # when
    code_response = admin_client.post(
        url(CostCode, "add"), form_data(page, job="24-101", cost_code="05-500", description="Metals")
    )
    cost_code = CostCode.objects.get(cost_code="05-500")
    category_response = admin_client.post(
        url(Category, "add"), {"cost_code": cost_code.pk, "category": "S", "original_estimate": "900.00", "original_estimate_units": "0"}
    )

    # then
    assert (code_response.status_code, category_response.status_code) == (302, 302)
    assert list(cost_code.categories.values_list("category", "description", "original_estimate")) == [
        ("S", "Subcontract", Decimal("900.00"))
    ]


def test_adding_a_category_that_is_not_standard_shows_the_where_clause_message(admin_client, job):
    # given
    cost_code = CostCode.objects.get(cost_code="01-100")

    # when
    response = admin_client.post(
        url(Category, "add"), {"cost_code": cost_code.pk, "category": "X", "original_estimate": "0", "original_estimate_units": "0"}
    )

    # then
    assert form_errors(response)["category"] == ["No entities could be found of type [Category] with given where clause."]


def test_adding_a_fiscal_year_creates_its_twelve_periods(admin_client):
    # when
    response = admin_client.post(url(GLPeriod, "add"), {"fiscal_year": "2026"})

    # then
    assert response.status_code == 302
    assert list(GLPeriod.objects.order_by("period").values_list("period", flat=True)) == list(range(1, 13))


def test_the_company_page_sets_the_fault_dials(admin_client):
    # given
    company = services.get_company()

    # when
    response = admin_client.post(
        url(SageCompany, "change", company.pk),
        {
            "company_name": "Demo Builders",
            "hourly_request_limit": "100",
            "fault_failure_rate": "0.2",
            "fault_after_commit_share": "0.5",
            "fault_slow_ms": "0",
            "fault_seed": "42",
        },
    )

    # then
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.company_name, company.hourly_request_limit, company.fault_failure_rate, company.fault_seed) == (
        "Demo Builders",
        100,
        Decimal("0.200"),
        42,
    )


# --- Actions -----------------------------------------------------------------------------------


def run_action(admin_client, model, action: str, objects):
    return admin_client.post(
        url(model, "changelist"), {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def test_close_and_reopen_job_actions(admin_client, standard_lists):
    # given
    with at_sage_desktop():
        jobs = [services.job_import(records=[JobImportRecord(job=job, description=job)]) for job in ("24-101", "24-102")]

    # when
    closed = run_action(admin_client, Job, "close_jobs", jobs)
    statuses_after_close = list(Job.objects.values_list("status", flat=True))
    reopened = run_action(admin_client, Job, "reopen_jobs", jobs[:1])

    # then
    assert messages_of(closed) == ["Closed 2 jobs: 24-101, 24-102."]
    assert statuses_after_close == ["Closed", "Closed"]
    assert messages_of(reopened) == ["Reopened 1 job: 24-101."]
    assert list(Job.objects.values_list("status", flat=True)) == ["In Progress", "Closed"]


def test_a_refused_action_reports_sages_message_for_that_row(admin_client, job, monkeypatch):
    # given
    def refuse(**kwargs):
        raise SageError("entity_not_found", field="job")

    monkeypatch.setattr(services, "job_close", refuse)

    # when
    response = run_action(admin_client, Job, "close_jobs", [job])

    # then
    assert messages_of(response) == ["24-101: Entity with this ID not found."]
    assert Job.objects.get().status == "Unstarted"


def test_admin_actions_are_not_subject_to_the_api_bridges_faults(admin_client, job):
    # given
    with injected_faults(failure_rate=1, hourly_request_limit=0):
        # when
        response = run_action(admin_client, Job, "close_jobs", [job])

    # then
    assert messages_of(response) == ["Closed 1 job: 24-101."]
    assert Job.objects.get().status == "Closed"


def test_inactivate_and_reactivate_vendor_actions(admin_client, vendor):
    # when
    inactivated = run_action(admin_client, Vendor, "inactivate_vendors", [vendor])
    inactive_after = Vendor.objects.get().inactive
    reactivated = run_action(admin_client, Vendor, "activate_vendors", [vendor])

    # then
    assert (messages_of(inactivated), inactive_after) == (["Inactivated 1 vendor: ACME."], True)
    assert (messages_of(reactivated), Vendor.objects.get().inactive) == (["Reactivated 1 vendor: ACME."], False)


def test_close_and_open_gl_period_actions(admin_client):
    # given
    with at_sage_desktop():
        periods = services.gl_periods_ensure(fiscal_year=2025)

    # when
    closed = run_action(admin_client, GLPeriod, "close_periods", periods[2:4])
    statuses = list(GLPeriod.objects.filter(period__in=[3, 4, 5]).order_by("period").values_list("status", flat=True))
    opened = run_action(admin_client, GLPeriod, "open_periods", periods[2:3])

    # then
    assert messages_of(closed) == ["Closed 2 GL periods: 2025-03, 2025-04."]
    assert statuses == ["Closed", "Closed", "Open"]
    assert messages_of(opened) == ["Opened 1 GL period: 2025-03."]
    assert GLPeriod.objects.get(period=3).status == "Open"


# --- Deleting --------------------------------------------------------------------------------


def test_deleting_a_job_with_cost_codes_is_refused_with_a_message(admin_client, job):
    # when
    response = admin_client.get(url(Job, "delete", job.pk))

    # then
    assert response.status_code == 302
    assert response.url == url(Job, "change", job.pk)
    assert messages_of(response) == ["Job 24-101 has cost codes and cannot be deleted."]
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_an_empty_job_goes_through_the_service(admin_client, standard_lists):
    # given
    with at_sage_desktop():
        job = services.job_import(records=[JobImportRecord(job="24-101", description="Clinic")])

    # when
    confirm = admin_client.get(url(Job, "delete", job.pk))
    response = admin_client.post(url(Job, "delete", job.pk), {"post": "yes"})

    # then
    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Job.objects.exists()


def test_deleting_a_category_removes_it_from_the_job(admin_client, job):
    # given
    category = Category.objects.get(cost_code__cost_code="03-300", category="M")

    # when
    response = admin_client.post(url(Category, "delete", category.pk), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert list(Category.objects.filter(cost_code__cost_code="03-300").values_list("category", flat=True)) == ["S"]


def test_deleting_an_extra_with_cost_codes_is_refused(admin_client, job):
    # given
    with at_sage_desktop():
        extra = services.extra_create(job="24-101", extra="1", records=[CostCodeImportRecord(job="", cost_code="01-100")])

    # when
    response = admin_client.post(url(Extra, "delete", extra.pk), {"post": "yes"})

    # then
    assert messages_of(response) == ["Extra 1 has cost codes and cannot be deleted."]
    assert Extra.objects.filter(pk=extra.pk).exists()


def test_vendors_standard_lists_and_periods_cannot_be_deleted(admin_client, sage_world):
    # when
    responses = [
        admin_client.get(url(model, "delete", model.objects.order_by("pk").first().pk))
        for model in (Vendor, StandardCostCode, StandardCategory, GLPeriod, SageCompany)
    ]

    # then
    assert [response.status_code for response in responses] == [403] * 5
