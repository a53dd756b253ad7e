"""Two approvers, two workers, one item, the same moment: on PostgreSQL, where transactions really overlap."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from apps.access.models import Level
from apps.erp.item_types import ItemType
from apps.core.exceptions import Conflict
from apps.erp import export, services
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt
from apps.projects.services import project_create
from apps.sage300.faults import injected_faults
from apps.sage300.models import Job
from tests.access.helpers import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent transactions (the SQLite test databases run one writer at a time)",
    ),
]


def run_together(*calls) -> tuple[list, list]:
    """Start every call at the same moment, each on its own connections; their answers and their errors."""
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


@pytest.fixture
def queued(monkeypatch):
    """Accepted exports wait here instead of running at commit, so the test decides who runs them."""
    attempt_ids: list[int] = []
    monkeypatch.setattr(services, "enqueue_attempts", attempt_ids.extend)
    return attempt_ids


@pytest.fixture
def ready_project(synced_cost_codes, approver):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    return project


def test_two_approvers_accepting_at_once_export_the_project_once(ready_project, approver, queued):
    second_approver = make_user(username="approver2", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN)

    def accept_as(user):
        return lambda: services.erp_accept(
            item_type=ItemType.PROJECT, obj=ready_project, actor=user, fields={"sage_job_id": "26-105"}
        ).erp_status

    # when: (Sage answers slowly, so the first accept still holds the project when the second arrives)
    with injected_faults(failure_rate=0, slow_ms=300):
        answers, errors = run_together(accept_as(approver), accept_as(second_approver))

    # then: one accept went through; the other found it already exporting
    assert answers == [ErpStatus.EXPORTING]
    assert [(type(error), error.status_code, error.code) for error in errors] == [(Conflict, 409, "invalid_transition")]
    attempt = ExportAttempt.objects.get()
    assert queued == [attempt.pk]
    assert ErpTransition.objects.filter(action="accept").count() == 1

    # when: the export runs
    assert export.export_attempt_run(attempt_id=attempt.pk, worker="worker-1") == "succeeded"

    # then
    ready_project.refresh_from_db()
    assert (ready_project.erp_status, ready_project.sage_job_id) == (ErpStatus.SYNCED, "26-105")
    assert Job.objects.filter(job="26-105").count() == 1


def test_two_workers_running_the_same_attempt_at_once_export_it_once(ready_project, approver, queued):
    services.erp_accept(item_type=ItemType.PROJECT, obj=ready_project, actor=approver, fields={"sage_job_id": "26-105"})
    attempt = ExportAttempt.objects.get()

    # when: the queue delivers the task twice (at least once delivery) and two workers take it at once
    # (Sage answers slowly, so the first is still exporting when the second tries to claim it)
    with injected_faults(failure_rate=0, slow_ms=300):
        answers, errors = run_together(
            lambda: export.export_attempt_run(attempt_id=attempt.pk, worker="worker-1"),
            lambda: export.export_attempt_run(attempt_id=attempt.pk, worker="worker-2"),
        )

    # then: one claimed it and exported; the other found it leased and left it alone
    assert errors == []
    assert sorted(answers) == ["not claimable", "succeeded"]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.tries) == (ExportAttempt.Status.SUCCEEDED, 1)
    assert Job.objects.filter(job="26-105").count() == 1
    assert Job.objects.filter(job=attempt.erp_code).count() == 1
    assert ErpTransition.objects.filter(action="export_succeeded").count() == 1
