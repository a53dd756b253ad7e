"""Idempotency keys: a repeated request answers from the ledger and writes nothing."""

from apps.sage300 import services
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.models import Category, CostCode, Extra, Job, SageApiRequest, Vendor
from tests.sage300.helpers import job_records, refused, sage_state


def test_a_replayed_job_import_returns_the_first_job_and_writes_nothing(standard_lists):
    # given
    first = services.job_import(records=job_records(), idempotency_key="export-job-7-attempt")
    after_first = sage_state()

    # when
    replayed = services.job_import(records=job_records(), idempotency_key="export-job-7-attempt")

    # then
    assert (replayed.pk, replayed.job) == (first.pk, "24-101")
    assert sage_state() == after_first
    assert list(SageApiRequest.objects.values("operation", "entity_key", "response")) == [
        {
            "operation": "job_import",
            "entity_key": "24-101",
            "response": {"job": "24-101", "cost_codes": 3, "categories": 3},
        }
    ]


def test_without_a_key_the_same_import_is_refused_as_a_duplicate(standard_lists):
    # given
    services.job_import(records=job_records())

    # when
    error = refused(services.job_import, records=job_records())

    # then
    assert error.message == "A job already exists with the specified id."


def test_a_key_reused_for_a_different_request_is_refused(standard_lists):
    # given
    services.job_import(records=job_records(), idempotency_key="k-1")

    # when
    other_job = refused(services.job_import, records=job_records(job="24-102"), idempotency_key="k-1")
    other_operation = refused(services.vendor_create, vendor="ACME", name="Acme", idempotency_key="k-1")

    # then
    assert other_job.message == other_operation.message == "The idempotency key k-1 was already used for a different request."


def test_a_refused_write_records_no_key_so_the_corrected_retry_can_use_it(standard_lists):
    # given
    refused(services.job_import, records=job_records(city="x" * 16), idempotency_key="k-2")

    # when
    job = services.job_import(records=job_records(), idempotency_key="k-2")

    # then
    assert job.job == "24-101"
    assert SageApiRequest.objects.get().idempotency_key == "k-2"


def test_replayed_extra_and_vendor_creates_return_the_first_rows(job):
    # given
    extra = services.extra_create(job="24-101", extra="1", description="Phase 1", idempotency_key="extra-1")
    vendor = services.vendor_create(vendor="ACME", name="Acme", idempotency_key="vendor-1")

    # when
    extra_again = services.extra_create(job="24-101", extra="1", description="Phase 1", idempotency_key="extra-1")
    vendor_again = services.vendor_create(vendor="ACME", name="Acme", idempotency_key="vendor-1")

    # then
    assert (extra_again.pk, vendor_again.pk) == (extra.pk, vendor.pk)
    assert (Extra.objects.count(), Vendor.objects.count()) == (1, 1)


def test_replayed_cost_code_additions_return_the_rows_first_added(job):
    # given
    records = [
        CostCodeImportRecord(job="24-101", cost_code="05-500"),
        CategoryImportRecord(job="24-101", cost_code="05-500", category="L"),
    ]
    first = services.job_add_cost_codes(job="24-101", records=records, idempotency_key="codes-1")

    # when
    again = services.job_add_cost_codes(job="24-101", records=records, idempotency_key="codes-1")

    # then
    assert [c.pk for c in again.cost_codes] == [c.pk for c in first.cost_codes]
    assert [c.pk for c in again.categories] == [c.pk for c in first.categories]
    assert (CostCode.objects.count(), Category.objects.count()) == (4, 4)


def test_a_replay_answers_even_after_the_job_was_closed(standard_lists):
    # given: the first attempt succeeded; Sage's accountant closed the job before the retry arrived
    services.job_import(records=[JobImportRecord(job="24-101", description="Clinic")], idempotency_key="k-3")
    services.job_close(job="24-101")

    # when
    replayed = services.job_import(records=[JobImportRecord(job="24-101", description="Clinic")], idempotency_key="k-3")

    # then
    assert (replayed.job, replayed.status) == ("24-101", "Closed")
    assert Job.objects.count() == 1


def test_an_idempotency_key_over_a_hundred_characters_is_refused(standard_lists):
    # when
    error = refused(services.job_import, records=job_records(), idempotency_key="k" * 101)

    # then
    assert error.message == "[IdempotencyKey] is too long, maximum length is 100 characters."

