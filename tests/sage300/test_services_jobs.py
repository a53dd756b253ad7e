"""Jobs: the Job Cost import, its limits and codes, updates, close/reopen and delete."""

from decimal import Decimal

import pytest

from apps.sage300 import services
from apps.sage300.errors import SageError
from apps.sage300.import_files import (
    CategoryImportRecord,
    CostCodeImportRecord,
    JobImportRecord,
    parse_job_import_file,
    render_job_import_file,
)
from apps.sage300.models import Category, CostCode, Job, JobStatus
from tests.sage300.helpers import job_records, refused



def test_a_job_import_creates_the_job_its_cost_codes_and_categories(standard_lists):
    # when
    job = services.job_import(records=job_records(city="Austin", state="TX", zip_code="78701"))

    # then
    job.refresh_from_db()
    assert (job.job, job.normalized_job, job.description, job.status) == ("24-101", "24101", "Main Street Clinic", "Unstarted")
    assert (job.city, job.state, job.zip_code) == ("Austin", "TX", "78701")
    assert list(CostCode.objects.filter(job=job).values_list("cost_code", "group_cost_code", "extra")) == [
        ("01-000", True, None),
        ("01-100", False, None),
        ("03-300", False, None),
    ]
    assert list(
        Category.objects.filter(cost_code__job=job).values_list("cost_code__cost_code", "category", "description", "original_estimate")
    ) == [
        ("01-100", "L", "Labor", Decimal("12000.00")),
        ("03-300", "M", "Material", Decimal("5000.00")),
        ("03-300", "S", "Subcontract", Decimal("40000.00")),
    ]


def test_a_job_can_be_imported_from_the_rendered_file(standard_lists):
    # given
    text = render_job_import_file(job_records())

    # when
    job = services.job_import(records=parse_job_import_file(text))

    # then
    assert Job.objects.get().job == job.job == "24-101"
    assert Category.objects.count() == 3


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("description", 31, "[Name] is too long, maximum length is 30 characters."),
        ("city", 16, "[AddressCity] is too long, maximum length is 15 characters."),
        ("zip_code", 11, "[AddressZip] is too long, maximum length is 10 characters."),
        ("address_1", 31, "[AddressLine1] is too long, maximum length is 30 characters."),
    ],
)
def test_a_job_field_one_over_its_limit_is_refused(standard_lists, field, length, message):
    # when
    error = refused(services.job_import, records=job_records(**{field: "x" * length}))

    # then
    assert (error.message, error.field, error.row) == (message, field, 1)


@pytest.mark.parametrize(("field", "length"), [("description", 30), ("city", 15), ("zip_code", 10), ("address_1", 30)])
def test_a_job_field_at_its_limit_is_accepted(standard_lists, field, length):
    # when
    job = services.job_import(records=job_records(**{field: "x" * length}))

    # then
    assert getattr(Job.objects.get(pk=job.pk), field) == "x" * length


def test_a_job_id_of_twelve_characters_is_accepted_and_thirteen_refused(standard_lists):
    # when
    services.job_import(records=[JobImportRecord(job="A" * 12, description="Twelve")])
    error = refused(services.job_import, records=[JobImportRecord(job="B" * 13, description="Thirteen")])

    # then
    assert error.message == "[Job] is too long, maximum length is 12 characters."
    assert list(Job.objects.values_list("job", flat=True)) == ["A" * 12]


@pytest.mark.parametrize(("job", "field"), [("", "job"), ("  ", "job")])
def test_a_job_without_an_id_is_refused(standard_lists, job, field):
    # when
    error = refused(services.job_import, records=[JobImportRecord(job=job, description="Clinic")])

    # then
    assert (error.message, error.field) == ("Can't be blank.", field)


def test_a_job_without_a_name_is_refused(standard_lists):
    # when
    error = refused(services.job_import, records=[JobImportRecord(job="24-101", description="")])

    # then
    assert (error.message, error.field) == ("Can't be blank.", "description")


def test_a_second_job_with_the_same_id_is_refused(job):
    # when
    error = refused(services.job_import, records=[JobImportRecord(job="24-101", description="Another")])

    # then
    assert (error.code, error.message, error.field) == ("job_id_exists", "A job already exists with the specified id.", "job")


@pytest.mark.parametrize("same_code", ["24101", "24.101", "24 101", "24-1-01"])
def test_a_job_whose_code_differs_only_in_punctuation_is_refused(job, same_code):
    # when
    error = refused(services.job_import, records=[JobImportRecord(job=same_code, description="Another")])

    # then
    assert (error.code, error.message) == ("job_code_exists", "A job with that code already exists.")


def test_a_job_code_differing_only_in_case_is_refused(standard_lists):
    # given
    services.job_import(records=[JobImportRecord(job="AB-1", description="First")])

    # when
    error = refused(services.job_import, records=[JobImportRecord(job="ab-1", description="Second")])

    # then
    assert error.message == "A job with that code already exists."


def test_an_import_file_needs_exactly_one_job_record(standard_lists):
    # when
    none = refused(services.job_import, records=[CostCodeImportRecord(job="24-101", cost_code="01-100")])
    two = refused(
        services.job_import,
        records=[JobImportRecord(job="24-101", description="A"), JobImportRecord(job="24-102", description="B")],
    )

    # then
    assert none.message == two.message == "The import file must contain exactly one Job record."
    assert two.row == 2


def test_a_bad_category_record_refuses_the_whole_file(standard_lists):
    # given: the last record names a category that is not a standard category
    records = [*job_records(), CategoryImportRecord(job="24-101", cost_code="01-100", category="X")]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "No entities could be found of type [Category] with given where clause."
    assert (error.field, error.row) == ("category", 8)
    assert not Job.objects.exists()


def test_a_category_of_three_characters_is_accepted_and_four_refused(standard_lists):
    # given
    services.standard_category_create(category="EQP", description="Equipment", accumulate_as="Equipment")
    base = [JobImportRecord(job="24-101", description="Clinic"), CostCodeImportRecord(job="24-101", cost_code="01-100")]

    # when
    error = refused(
        services.job_import, records=[*base, CategoryImportRecord(job="24-101", cost_code="01-100", category="EQPT")]
    )
    job = services.job_import(records=[*base, CategoryImportRecord(job="24-101", cost_code="01-100", category="EQP")])

    # then
    assert error.message == "[Category] is too long, maximum length is 3 characters."
    assert list(Category.objects.filter(cost_code__job=job).values_list("category", flat=True)) == ["EQP"]


def test_an_unsectioned_cost_code_is_refused(standard_lists):
    # given
    records = [JobImportRecord(job="24-101", description="Clinic"), CostCodeImportRecord(job="24-101", cost_code="0100")]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "Cost code 0100 is not in the format set up in Custom Descriptions (e.g. 01-100)."
    assert (error.field, error.row) == ("cost_code", 2)


def test_a_cost_code_of_thirteen_characters_is_accepted_and_fourteen_refused(standard_lists):
    # given
    job = [JobImportRecord(job="24-101", description="Clinic")]

    # when
    error = refused(services.job_import, records=[*job, CostCodeImportRecord(job="24-101", cost_code="0123-5678-0123")])
    services.job_import(records=[*job, CostCodeImportRecord(job="24-101", cost_code="012-5678-0123")])

    # then
    assert error.message == "[CostCode] is too long, maximum length is 13 characters."
    assert list(CostCode.objects.values_list("cost_code", flat=True)) == ["012-5678-0123"]


def test_a_category_on_a_cost_code_missing_from_the_file_is_refused(standard_lists):
    # given
    records = [
        JobImportRecord(job="24-101", description="Clinic"),
        CategoryImportRecord(job="24-101", cost_code="01-100", category="L"),
    ]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "No entities could be found of type [CostCode] with given where clause."


def test_a_record_for_another_job_is_refused(standard_lists):
    # given
    records = [JobImportRecord(job="24-101", description="Clinic"), CostCodeImportRecord(job="24-999", cost_code="01-100")]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "No entities could be found of type [Job] with given where clause."


def test_a_cost_code_under_an_extra_the_new_job_lacks_is_refused(standard_lists):
    # given
    records = [
        JobImportRecord(job="24-101", description="Clinic"),
        CostCodeImportRecord(job="24-101", extra="1", cost_code="01-100"),
    ]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "No entities could be found of type [Extra] with given where clause."


def test_a_summary_cost_code_cannot_take_categories(standard_lists):
    # given
    records = [
        JobImportRecord(job="24-101", description="Clinic"),
        CostCodeImportRecord(job="24-101", cost_code="01-000"),
        CategoryImportRecord(job="24-101", cost_code="01-000", category="L"),
    ]

    # when
    error = refused(services.job_import, records=records)

    # then
    assert error.message == "Cost code 01-000 is a summary cost code and cannot have categories."


def test_duplicate_cost_codes_and_categories_in_one_file_are_refused(standard_lists):
    # given
    job = JobImportRecord(job="24-101", description="Clinic")
    cost_code = CostCodeImportRecord(job="24-101", cost_code="01-100")
    category = CategoryImportRecord(job="24-101", cost_code="01-100", category="L")

    # when
    twice_coded = refused(services.job_import, records=[job, cost_code, cost_code])
    twice_categorised = refused(services.job_import, records=[job, cost_code, category, category])

    # then
    assert (twice_coded.message, twice_coded.row) == ("A cost code already exists with the specified id.", 3)
    assert (twice_categorised.message, twice_categorised.row) == ("A category already exists with the specified id.", 4)


def test_quickbill_jobs_need_a_billing_level_and_contract_jobs_take_none(standard_lists):
    # when
    missing_level = refused(
        services.job_import,
        records=[JobImportRecord(job="24-101", description="Clinic", billing_method="Quickbill")],
    )
    level_on_contracts = refused(
        services.job_import,
        records=[JobImportRecord(job="24-101", description="Clinic", billing_level="Job")],
    )
    job = services.job_import(
        records=[JobImportRecord(job="24-101", description="Clinic", billing_method="Quickbill", billing_level="Division")]
    )

    # then
    assert (missing_level.message, missing_level.field) == ("Can't be blank.", "billing_level")
    assert level_on_contracts.message == "[BillingLevel] has an invalid value: Job."
    assert (job.billing_method, job.billing_level) == ("Quickbill", "Division")


def test_an_unknown_status_is_refused(standard_lists):
    # when
    error = refused(services.job_import, records=[JobImportRecord(job="24-101", description="Clinic", status="Open")])

    # then
    assert error.message == "[Status] has an invalid value: Open."


def test_job_update_changes_only_the_given_fields(job):
    # when
    updated = services.job_update(job="24-101", description="Main Street Clinic Ph 2", city="Round Rock")

    # then
    updated.refresh_from_db()
    assert (updated.description, updated.city, updated.state, updated.zip_code) == (
        "Main Street Clinic Ph 2",
        "Round Rock",
        "TX",
        "78701",
    )


def test_job_update_checks_limits_and_blanks(job):
    # when
    too_long = refused(services.job_update, job="24-101", city="x" * 16)
    blank = refused(services.job_update, job="24-101", description=" ")

    # then
    assert too_long.message == "[AddressCity] is too long, maximum length is 15 characters."
    assert blank.message == "Can't be blank."


def test_updating_a_missing_job_is_entity_not_found(standard_lists):
    # when
    error = refused(services.job_update, job="99-999", city="Austin")

    # then
    assert (error.message, error.field) == ("Entity with this ID not found.", "job")


def test_a_closed_job_refuses_updates_and_reopening_allows_them(job):
    # given
    services.job_close(job="24-101")

    # when
    error = refused(services.job_update, job="24-101", city="Round Rock")
    services.job_reopen(job="24-101")
    updated = services.job_update(job="24-101", city="Round Rock")

    # then
    assert error.message == "Job has been closed."
    assert (updated.status, updated.city) == (JobStatus.IN_PROGRESS, "Round Rock")


def test_close_and_reopen_set_sages_statuses(job):
    # when
    closed = services.job_close(job="24-101")
    closed_again = services.job_close(job="24-101")
    reopened = services.job_reopen(job="24-101")
    unstarted = services.job_set_status(job="24-101", status="Unstarted")

    # then
    assert (closed.status, closed_again.status, reopened.status, unstarted.status) == (
        "Closed",
        "Closed",
        "In Progress",
        "Unstarted",
    )
    assert Job.objects.get().status == "Unstarted"


def test_set_status_refuses_an_unknown_status(job):
    # when
    error = refused(services.job_set_status, job="24-101", status="Archived")

    # then
    assert error.message == "[Status] has an invalid value: Archived."


def test_assert_job_writable_names_the_closed_job(job):
    # given
    closed = services.job_close(job="24-101")

    # when
    with pytest.raises(SageError) as error:
        services.assert_job_writable(closed)

    # then
    assert error.value.message == "Job has been closed."


def test_a_job_with_cost_codes_cannot_be_deleted(job):
    # when
    error = refused(services.job_delete, job="24-101")

    # then
    assert error.message == "Job 24-101 has cost codes and cannot be deleted."


def test_an_empty_job_can_be_deleted(standard_lists):
    # given
    services.job_import(records=[JobImportRecord(job="24-101", description="Clinic")])

    # when
    services.job_delete(job="24-101")

    # then
    assert not Job.objects.exists()
