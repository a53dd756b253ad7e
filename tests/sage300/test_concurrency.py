"""Concurrent requests against PostgreSQL: duplicates are refused in Sage's words, keys write once."""

import threading

import pytest
from django.db import connections

from apps.sage300 import services
from apps.sage300.errors import SageError
from apps.sage300.import_files import JobImportRecord
from apps.sage300.models import Job, Vendor

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(
        connections["sage"].vendor != "postgresql",
        reason="needs real concurrent transactions (the SQLite test databases run one writer at a time)",
    ),
]


def run_together(*calls) -> tuple[list, list]:
    """Start every call at the same moment, each on its own connection; their answers and errors."""
    barrier = threading.Barrier(len(calls))
    answers, errors = [], []

    def run(call):
        try:
            barrier.wait()
            answers.append(call())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, errors


def test_concurrent_creates_of_one_vendor_write_once_and_refuse_the_others_in_sages_words():
    # given: four requests for the same vendor at the same moment
    def create():
        return services.vendor_create(vendor="ACME", name="Acme").pk

    # when
    answers, errors = run_together(create, create, create, create)

    # then
    assert len(answers) == 1
    assert [error.message for error in errors] == ["A vendor already exists with the specified id."] * 3
    assert Vendor.objects.count() == 1


def test_concurrent_jobs_with_the_same_code_leave_one_and_refuse_the_other_in_sages_words():
    # when
    answers, errors = run_together(
        lambda: services.job_import(records=[JobImportRecord(job="24-101", description="First")]),
        lambda: services.job_import(records=[JobImportRecord(job="24.101", description="Second")]),
    )

    # then
    assert len(answers) == 1
    assert [(type(error), str(error)) for error in errors] == [(SageError, "A job with that code already exists.")]
    assert Job.objects.count() == 1
