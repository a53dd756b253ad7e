"""Fault injection and the hourly request limit at the API door."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.sage300 import faults, services
from apps.sage300.company import get_company
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop, injected_faults
from apps.sage300.import_files import JobImportRecord
from apps.sage300.models import Job, SageApiUsage, Vendor
from tests.sage300.helpers import job_records, refused

TIMEOUT = "The Import operation took longer than the set timeout."
RATE_LIMIT = (
    "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until your limit resets."
)


def test_a_fault_before_the_write_leaves_nothing_written(standard_lists):
    # given
    with injected_faults(failure_rate=1, after_commit_share=0):
        # when
        error = refused(services.job_import, records=job_records())

    # then
    assert (error.message, error.retryable) == (TIMEOUT, True)
    assert not Job.objects.exists()


def test_a_fault_after_the_commit_leaves_the_write_in_place_and_still_raises(standard_lists):
    # given
    with injected_faults(failure_rate=1, after_commit_share=1):
        # when
        with pytest.raises(SageError) as error:
            services.job_import(records=job_records())

    # then
    assert error.value.message == TIMEOUT
    assert Job.objects.get().job == "24-101"


def test_a_repeat_after_an_after_commit_fault_is_refused_as_a_duplicate_as_a_real_sage_does(standard_lists):
    # given: Sage saved the job but the answer was lost
    with injected_faults(failure_rate=1, after_commit_share=1):
        with pytest.raises(SageError):
            services.job_import(records=job_records())

    # when: the same request again (Trestle asks first instead: apps.erp.export, find_written)
    error = refused(services.job_import, records=job_records())

    # then
    assert error.message == "A job already exists with the specified id."
    assert Job.objects.count() == 1


def test_without_faults_every_request_succeeds(standard_lists):
    # given
    with injected_faults(failure_rate=0):
        # when
        for number in range(5):
            services.vendor_create(vendor=f"V{number}", name=f"Vendor {number}")

    # then
    assert Vendor.objects.count() == 5


def test_a_seed_makes_the_fault_sequence_repeatable():
    # given
    def outcomes() -> list[str]:
        company = get_company()
        return [faults.draw_fault(company) or "ok" for _ in range(40)]

    # when
    with injected_faults(failure_rate="0.5", after_commit_share="0.5", seed=7):
        first = outcomes()
    with injected_faults(failure_rate="0.5", after_commit_share="0.5", seed=7):
        second = outcomes()

    # then
    assert first == second
    assert {"ok", faults.BEFORE_WRITE, faults.AFTER_COMMIT} == set(first)


def test_slow_responses_sleep_before_answering(standard_lists, monkeypatch):
    # given
    slept = []
    monkeypatch.setattr(faults.time, "sleep", slept.append)

    # when
    with injected_faults(failure_rate=0, slow_ms=250):
        services.standard_cost_code_create(cost_code="09-900", description="Finishes")

    # then
    assert slept == [0.25]


def test_the_request_over_the_hourly_limit_gets_sages_rate_limit_error(standard_lists):
    # given
    with injected_faults(failure_rate=0, hourly_request_limit=2):
        services.vendor_create(vendor="V1", name="One")
        services.vendor_create(vendor="V2", name="Two")

        # when
        error = refused(services.vendor_create, vendor="V3", name="Three")

    # then
    assert (error.message, error.retryable) == (RATE_LIMIT, True)
    assert list(Vendor.objects.values_list("vendor", flat=True)) == ["V1", "V2"]
    assert faults.request_counts_flush() == 3


def test_the_limit_resets_with_the_next_hour(standard_lists, monkeypatch):
    # given
    with injected_faults(failure_rate=0, hourly_request_limit=1):
        services.vendor_create(vendor="V1", name="One")
        with pytest.raises(SageError):
            services.vendor_create(vendor="V2", name="Two")
        next_hour = faults.current_hour().replace(year=faults.current_hour().year + 1)
        monkeypatch.setattr(faults, "current_hour", lambda: next_hour)

        # when
        services.vendor_create(vendor="V2", name="Two")

    # then
    assert list(Vendor.objects.values_list("vendor", flat=True)) == ["V1", "V2"]


def test_work_at_the_sage_desktop_is_neither_counted_nor_faulted(standard_lists):
    # given
    with injected_faults(failure_rate=1, hourly_request_limit=0):
        # when
        with at_sage_desktop():
            job = services.job_import(records=[JobImportRecord(job="24-101", description="Clinic")])

    # then
    assert Job.objects.get().pk == job.pk
    assert not SageApiUsage.objects.exists()


def test_injected_faults_puts_the_dials_back():
    # given
    before = get_company()

    # when
    with injected_faults(failure_rate="0.25", after_commit_share="0.5", slow_ms=10, seed=3, hourly_request_limit=9):
        during = get_company()
    after = get_company()

    # then
    assert (during.fault_failure_rate, during.fault_after_commit_share, during.fault_slow_ms, during.fault_seed) == (
        Decimal("0.250"),
        Decimal("0.500"),
        10,
        3,
    )
    assert during.hourly_request_limit == 9
    assert (after.fault_failure_rate, after.fault_seed, after.hourly_request_limit) == (
        before.fault_failure_rate,
        None,
        5000,
    )


def test_company_settings_are_checked():
    # when
    with pytest.raises(ValidationError) as error:
        services.sage_company_configure(fault_failure_rate=Decimal("1.5"))

    # then
    assert "fault_failure_rate" in error.value.message_dict
    assert get_company().fault_failure_rate == Decimal("0")
