"""A job's extras, cost codes and categories after the job exists."""

from decimal import Decimal

from apps.sage300 import services
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord
from apps.sage300.models import Category, CostCode, Extra, Job
from tests.sage300.helpers import refused



def test_extra_create_adds_the_extra_with_its_cost_codes_and_marks_the_job(job):
    # when
    extra = services.extra_create(
        job="24-101",
        extra="1",
        description="Phase 1",
        records=[
            CostCodeImportRecord(job="24-101", cost_code="03-300", description="Concrete"),
            CategoryImportRecord(job="24-101", cost_code="03-300", category="M", original_estimate=Decimal("10.00")),
        ],
    )

    # then
    assert (extra.job_id, extra.extra, extra.description) == ("24-101", "1", "Phase 1")
    assert Job.objects.get().uses_extras is True
    on_extra = CostCode.objects.get(extra=extra)
    assert (on_extra.cost_code, list(on_extra.categories.values_list("category", flat=True))) == ("03-300", ["M"])


def test_an_extra_id_of_ten_characters_is_accepted_and_eleven_refused(job):
    # when
    error = refused(services.extra_create, job="24-101", extra="E" * 11)
    services.extra_create(job="24-101", extra="E" * 10)

    # then
    assert error.message == "[Extra] is too long, maximum length is 10 characters."
    assert list(Extra.objects.values_list("extra", flat=True)) == ["E" * 10]


def test_an_extra_description_over_thirty_is_refused(job):
    # when
    error = refused(services.extra_create, job="24-101", extra="1", description="d" * 31)

    # then
    assert error.message == "[Description] is too long, maximum length is 30 characters."


def test_a_second_extra_with_the_same_id_is_refused(job):
    # given
    services.extra_create(job="24-101", extra="1")

    # when
    error = refused(services.extra_create, job="24-101", extra="1", description="Again")

    # then
    assert error.message == "An extra already exists with the specified id."


def test_an_extra_on_a_missing_job_fails_the_where_clause(standard_lists):
    # when
    error = refused(services.extra_create, job="99-999", extra="1")

    # then
    assert error.message == "No entities could be found of type [Job] with given where clause."


def test_a_closed_job_refuses_extras_and_cost_codes_until_reopened(job):
    # given
    services.job_close(job="24-101")
    new_code = [CostCodeImportRecord(job="24-101", cost_code="05-500")]

    # when
    extra_refused = refused(services.extra_create, job="24-101", extra="1")
    cost_code_refused = refused(services.job_add_cost_codes, job="24-101", records=new_code)
    services.job_reopen(job="24-101")
    extra = services.extra_create(job="24-101", extra="1")
    added = services.job_add_cost_codes(job="24-101", records=new_code)

    # then
    assert extra_refused.message == cost_code_refused.message == "Job has been closed."
    assert extra.extra == "1"
    assert [cost_code.cost_code for cost_code in added.cost_codes] == ["05-500"]


def test_job_add_cost_codes_adds_codes_and_categories_to_existing_codes(job):
    # when
    added = services.job_add_cost_codes(
        job="24-101",
        records=[
            CostCodeImportRecord(job="24-101", cost_code="05-500", description="Metals"),
            CategoryImportRecord(job="24-101", cost_code="05-500", category="S"),
            CategoryImportRecord(job="24-101", cost_code="01-100", category="M", description="Small tools"),
        ],
    )

    # then
    assert [(c.cost_code, c.description) for c in added.cost_codes] == [("05-500", "Metals")]
    assert [(c.cost_code.cost_code, c.category, c.description) for c in added.categories] == [
        ("05-500", "S", "Subcontract"),
        ("01-100", "M", "Small tools"),
    ]
    assert CostCode.objects.filter(job=job).count() == 4


def test_job_add_cost_codes_refuses_codes_and_categories_already_on_the_job(job):
    # when
    code_exists = refused(
        services.job_add_cost_codes, job="24-101", records=[CostCodeImportRecord(job="24-101", cost_code="01-100")]
    )
    category_exists = refused(
        services.job_add_cost_codes,
        job="24-101",
        records=[CategoryImportRecord(job="24-101", cost_code="01-100", category="L")],
    )

    # then
    assert code_exists.message == "A cost code already exists with the specified id."
    assert category_exists.message == "A category already exists with the specified id."


def test_job_add_cost_codes_on_a_missing_job_fails_the_where_clause(standard_lists):
    # when
    error = refused(
        services.job_add_cost_codes, job="99-999", records=[CostCodeImportRecord(job="99-999", cost_code="01-100")]
    )

    # then
    assert error.message == "No entities could be found of type [Job] with given where clause."


def test_a_cost_code_under_another_jobs_extra_fails_the_where_clause(job):
    # when
    error = refused(
        services.job_add_cost_codes,
        job="24-101",
        records=[CostCodeImportRecord(job="24-101", extra="9", cost_code="05-500")],
    )

    # then
    assert (error.message, error.field) == ("No entities could be found of type [Extra] with given where clause.", "extra")


def test_the_same_code_may_sit_on_the_job_and_on_an_extra(job):
    # given
    services.extra_create(job="24-101", extra="1")

    # when
    added = services.job_add_cost_codes(
        job="24-101", records=[CostCodeImportRecord(job="24-101", extra="1", cost_code="01-100")]
    )

    # then
    assert [(c.extra.extra, c.cost_code) for c in added.cost_codes] == [("1", "01-100")]
    assert CostCode.objects.filter(job=job, cost_code="01-100").count() == 2


def test_a_category_can_be_removed_and_is_then_no_longer_on_the_job(job):
    # when
    services.job_category_delete(job="24-101", cost_code="03-300", category="M")

    # then
    assert list(Category.objects.filter(cost_code__cost_code="03-300").values_list("category", flat=True)) == ["S"]


def test_a_cost_code_with_categories_cannot_be_deleted_but_an_empty_one_can(job):
    # when
    error = refused(services.job_cost_code_delete, job="24-101", cost_code="01-100")
    services.job_cost_code_delete(job="24-101", cost_code="01-000")

    # then
    assert error.message == "Cost code 01-100 has categories and cannot be deleted."
    assert not CostCode.objects.filter(cost_code="01-000").exists()


def test_an_extra_with_cost_codes_cannot_be_deleted(job):
    # given
    services.extra_create(job="24-101", extra="1", records=[CostCodeImportRecord(job="", cost_code="01-100")])

    # when
    error = refused(services.extra_delete, job="24-101", extra="1")

    # then
    assert error.message == "Extra 1 has cost codes and cannot be deleted."


def test_deleting_what_is_not_there_is_entity_not_found(job):
    # when
    no_category = refused(services.job_category_delete, job="24-101", cost_code="01-100", category="S")
    no_cost_code = refused(services.job_cost_code_delete, job="24-101", cost_code="09-900")
    no_extra = refused(services.extra_delete, job="24-101", extra="7")

    # then
    assert no_category.message == no_cost_code.message == no_extra.message == "Entity with this ID not found."
