"""Exactly once, one mechanism at a time: every accepted item reaches Sage once and is recorded once.

Sage keeps no ledger of requests; what proves that a write happened is the record itself, under
its natural id (``find_written``). A try that follows another asks Sage first, and links what it
finds instead of writing again. The soak (``test_soak.py``) runs all of this together.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from apps.companies.services import company_create
from apps.erp import export, services
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt, ExportTry
from apps.projects.models import Project
from apps.projects.services import project_create, sub_job_create
from apps.sage300 import services as sage
from apps.sage300.connector import Sage300Connector
from apps.sage300.faults import AFTER_COMMIT, BEFORE_WRITE, at_sage_desktop, injected_faults
from apps.sage300.models import Extra, Job, Vendor
from apps.wbs.models import CostType, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from apps.erp.records import JobExport
from tests.erp.helpers import patch_write, run_command, run_until_settled

TIMEOUT = "The Import operation took longer than the set timeout."


def new_project(number: str, *, codes=("01-100",)) -> Project:
    project = project_create(number=number, name=f"Soak Job {number}", address=f"{number[-3:]} Main St",
                             city="Dallas", state="TX", zip="75201")
    labor_material = list(CostType.objects.filter(code__in=["L", "M"]))
    for code in codes:
        project_cost_code_add_from_standard(
            project=project, standard_cost_code=StandardCostCode.objects.get(code=code), cost_types=labor_material
        )
    return project


def attempt_of(obj) -> ExportAttempt:
    item_type = ItemType.PROJECT if isinstance(obj, Project) else ItemType.COMPANY
    return ExportAttempt.objects.get(object_id=obj.pk, item_type=item_type)


def export_succeeded_counts() -> list[int]:
    rows = ErpTransition.objects.filter(action="export_succeeded").values("item_type", "object_id")
    return [row["n"] for row in rows.annotate(n=Count("pk"))]


@pytest.fixture
def sent_project(synced_cost_codes, approver):
    project = new_project("26-105", codes=("01-100", "03-300"))
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    return project


@pytest.fixture
def accepted_project(sent_project, approver, django_capture_on_commit_callbacks):
    """Accepted, its export queued but not yet run."""
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_accept(item_type=ItemType.PROJECT, obj=sent_project, actor=approver,
                            fields={"sage_job_id": "26-105"})
    return sent_project


def test_a_first_try_writes_without_asking_sage_first(accepted_project, workers, monkeypatch):
    # given: Sage answers every lookup, and the test counts them
    lookups = []
    real = Sage300Connector.find_written
    monkeypatch.setattr(Sage300Connector, "find_written", lambda self, records: lookups.append(records) or real(self, records))

    # when
    assert workers.run(attempt_of(accepted_project).pk, worker="worker-1") == "succeeded"

    # then: one request to Sage for the whole export (nothing can be there yet: Accept checked the id)
    assert lookups == []
    assert Job.objects.filter(job="26-105").count() == 1


def test_a_timeout_after_sage_committed_is_recovered_by_finding_the_job_in_sage(accepted_project, clock, workers,
                                                                                 scripted_faults):
    attempt = attempt_of(accepted_project)
    # given: the job import commits in Sage but its answer is lost
    scripted_faults(AFTER_COMMIT)

    # when: the first try fails …
    first = workers.run(attempt.pk, worker="worker-1")
    attempt.refresh_from_db()
    # then: … with the job already in Sage, and the attempt waits to go again with the same key
    assert first.startswith("will retry after")
    assert (attempt.status, attempt.error_code, attempt.tries) == ("queued", "timeout", 1)
    assert Job.objects.filter(job="26-105").count() == 1
    accepted_project.refresh_from_db()
    assert accepted_project.erp_status == ErpStatus.EXPORTING

    # when: the reaper re-queues it once its backoff is over, and a worker runs it
    clock.advance(seconds=3)
    assert export.export_attempts_reap(now=clock()) == [attempt.pk]
    assert workers.drain() == ["succeeded"]

    # then: the second try found the first one's job in Sage (same id, same name) instead of writing again
    attempt.refresh_from_db()
    accepted_project.refresh_from_db()
    assert (attempt.status, attempt.tries, attempt.result["recovered"]) == ("succeeded", 2, True)
    assert (accepted_project.erp_status, accepted_project.sage_job_id) == (ErpStatus.SYNCED, "26-105")
    assert Job.objects.filter(job="26-105").count() == 1
    assert export_succeeded_counts() == [1]
    # and: each try is on record, with how it ended
    assert list(ExportTry.objects.filter(attempt=attempt).values_list("number", "outcome", "error_code")) == [
        (1, "will_retry", "timeout"), (2, "succeeded", ""),
    ]


def test_a_company_whose_vendor_was_written_before_the_timeout_is_linked_once(
    connected, sage_company, approver, clock, workers, scripted_faults, django_capture_on_commit_callbacks
):
    company = company_create(name="Eagle Scaffold & Hoist", city="Garland", state="TX")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver, fields={"erp_company_id": "EAGLE"})
    scripted_faults(AFTER_COMMIT)  # vendor_create commits and times out

    workers.run(attempt_of(company).pk, worker="worker-1")
    clock.advance(seconds=3)
    export.export_attempts_reap(now=clock())
    workers.drain()

    company.refresh_from_db()
    attempt = attempt_of(company)
    assert (company.erp_status, company.erp_company_id) == (ErpStatus.SYNCED, "EAGLE")
    assert (attempt.status, attempt.result["recovered"]) == ("succeeded", True)
    assert Vendor.objects.filter(vendor="EAGLE").count() == 1


def test_the_hourly_rate_limit_requeues_the_export_an_hour_later_saying_so(accepted_project, clock, workers):
    attempt = attempt_of(accepted_project)

    # when: Sage's hourly request limit is used up
    with injected_faults(failure_rate=0, hourly_request_limit=0):
        outcome = workers.run(attempt.pk, worker="worker-1")
        ran_at = clock()
        # and: the reaper passes by before the hour is over
        clock.advance(minutes=30)
        assert export.export_attempts_reap(now=clock()) == []

    # then: the attempt waits about an hour, with the catalogue's rate-limit message and resolution
    attempt.refresh_from_db()
    assert outcome == "will retry after 1:00:00"
    assert attempt.status == ExportAttempt.Status.QUEUED
    assert abs(attempt.not_before - (ran_at + datetime.timedelta(hours=1))) < datetime.timedelta(seconds=5)
    assert attempt.error_code == "rate_limited"
    assert attempt.error_message == f'{CATALOGUE["rate_limited"].message}\n{CATALOGUE["rate_limited"].resolution}'
    accepted_project.refresh_from_db()
    assert accepted_project.erp_status == ErpStatus.EXPORTING
    assert not Job.objects.filter(job="26-105").exists()

    # when: the limit resets
    clock.advance(minutes=31)
    assert export.export_attempts_reap(now=clock()) == [attempt.pk]
    assert workers.drain() == ["succeeded"]

    # then
    accepted_project.refresh_from_db()
    assert accepted_project.erp_status == ErpStatus.SYNCED
    assert Job.objects.filter(job="26-105").count() == 1


def test_a_closed_job_fails_the_sub_job_with_the_catalogue_resolution_and_retry_after_reopening_exports_it(
    sent_project, pm, approver, join_project, django_capture_on_commit_callbacks
):
    # given: the project is synced with job 26-105, and a sub job of it is sent …
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=sent_project, actor=approver,
                            fields={"sage_job_id": "26-105"})
    join_project(pm, sent_project)
    sub_job = sub_job_create(project=sent_project, code="SITE", name="Sitework")
    services.erp_send(item_type=ItemType.SUB_JOB, obj=sub_job, actor=pm)
    # … and only then the accountant closes the job in Sage (so Send could not know)
    with at_sage_desktop():
        sage.job_close(job="26-105")

    # when: the approver accepts it
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)

    # then: the sub job failed to export, with Sage's message and the catalogue's resolution
    sub_job.refresh_from_db()
    attempt = ExportAttempt.objects.get(item_type=ItemType.SUB_JOB, object_id=sub_job.pk)
    assert (sub_job.erp_status, sub_job.erp_error_code, sub_job.erp_error_message) == (
        ErpStatus.FAILED_TO_EXPORT, "job_closed", "Job has been closed."
    )
    assert sub_job.erp_error_resolution.startswith("Reopen job ")
    assert sub_job.erp_error_resolution.endswith(
        " in Sage 300 CRE (Job Cost → Setup → Jobs → Status), then press Retry. Trestle refuses to send items for a "
        "job it knows is closed."
    )
    assert (attempt.status, attempt.error_code) == ("failed", "job_closed")
    assert not Extra.objects.filter(job_id="26-105", extra="SITE").exists()
    key = attempt.idempotency_key

    # when: the accountant reopens the job and the approver presses Retry
    with at_sage_desktop():
        sage.job_reopen(job="26-105")
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_retry(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)

    # then: the same attempt, with the same idempotency key, exported it
    sub_job.refresh_from_db()
    attempt.refresh_from_db()
    assert (sub_job.erp_status, sub_job.sage_extra_id, sub_job.erp_error_code) == (ErpStatus.SYNCED, "SITE", "")
    assert ExportAttempt.objects.filter(item_type=ItemType.SUB_JOB, object_id=sub_job.pk).count() == 1
    assert (attempt.idempotency_key, attempt.status) == (key, "succeeded")
    assert Extra.objects.get(job_id="26-105", extra="SITE").description == "Sitework"
    assert list(
        ErpTransition.objects.filter(item_type=ItemType.SUB_JOB, object_id=sub_job.pk).order_by("pk")
        .values_list("action", flat=True)
    ) == ["send", "accept", "export_failed", "retry", "export_succeeded"]


def test_a_late_failure_from_a_worker_whose_lease_ran_out_does_not_undo_the_export_that_replaced_it(
    accepted_project, clock, workers, monkeypatch
):
    """Worker 1 waits on a slow Sage past its lease; the reaper hands the attempt to worker 2, which
    exports it; then worker 1's request times out. Its stale report must change nothing."""
    attempt = attempt_of(accepted_project)
    real_create_job = Sage300Connector.create_job
    seen = []

    def slow_then_timeout(self, record, *, idempotency_key):
        if seen:
            return real_create_job(self, record, idempotency_key=idempotency_key)
        seen.append(1)
        clock.advance(seconds=export.LEASE.total_seconds() + 60)  # worker 1's lease runs out while Sage is busy
        assert export.export_attempts_reap(now=clock()) == [attempt.pk]
        assert workers.drain() == ["succeeded"]  # worker 2 exports it
        raise ErpError("timeout")  # … and worker 1's request finally times out

    patch_write(monkeypatch, Sage300Connector, JobExport, slow_then_timeout)

    # when
    late = workers.run(attempt.pk, worker="worker-1")

    # then: worker 2's success stands; nothing is queued again and nothing is exported twice
    attempt.refresh_from_db()
    accepted_project.refresh_from_db()
    assert late == "superseded"
    assert (attempt.status, attempt.lease_owner, attempt.error_code) == ("succeeded", "worker-2", "")
    assert accepted_project.erp_status == ErpStatus.SYNCED
    clock.advance(hours=1)
    assert export.export_attempts_reap(now=clock()) == []
    assert export_succeeded_counts() == [1]
    assert Job.objects.filter(job="26-105").count() == 1
    assert list(ExportTry.objects.filter(attempt=attempt).order_by("number").values_list("worker", "outcome")) == [
        ("worker-1", "superseded"), ("worker-2", "succeeded"),
    ]


def test_timeouts_that_use_up_the_tries_fail_the_item_saying_so_and_retry_starts_a_fresh_budget(
    accepted_project, approver, clock, workers, scripted_faults, django_capture_on_commit_callbacks
):
    attempt = attempt_of(accepted_project)
    # given: Sage times out on the first request of every try, five tries in a row
    scripted_faults(*[BEFORE_WRITE] * export.MAX_TRIES)

    run_until_settled(clock, workers)

    # then: the item failed, and its resolution does not claim that Trestle keeps retrying
    accepted_project.refresh_from_db()
    attempt.refresh_from_db()
    assert (attempt.status, attempt.tries) == ("failed", export.MAX_TRIES)
    assert (accepted_project.erp_status, accepted_project.erp_error_code, accepted_project.erp_error_message) == (
        ErpStatus.FAILED_TO_EXPORT, "timeout", TIMEOUT
    )
    assert accepted_project.erp_error_resolution == (
        "Trestle tried 5 times and stopped retrying by itself. Press Retry once Sage 300 CRE answers again: the "
        "retry uses the same idempotency key, so a write that did happen is linked, never duplicated."
    )
    assert not Job.objects.filter(job="26-105").exists()

    # when: the approver presses Retry, and Sage times out once more before answering
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_retry(item_type=ItemType.PROJECT, obj=accepted_project, actor=approver)
    scripted_faults(BEFORE_WRITE)
    rounds = run_until_settled(clock, workers)

    # then: the retried attempt had its automatic retries again, and exported the project
    accepted_project.refresh_from_db()
    attempt.refresh_from_db()
    assert rounds == 2
    assert (attempt.status, attempt.tries) == ("succeeded", 2)
    assert accepted_project.erp_status == ErpStatus.SYNCED
    assert Job.objects.filter(job="26-105").count() == 1
    assert ExportTry.objects.filter(attempt=attempt).count() == export.MAX_TRIES + 2


def test_a_company_exported_again_after_unlinking_gets_the_new_vendor_not_the_old_one(
    connected, sage_company, approver, django_capture_on_commit_callbacks
):
    # given: the company was exported as vendor EAGLE, then unlinked (the vendor stays in Sage)
    company = company_create(name="Eagle Scaffold & Hoist", city="Garland")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver, fields={"erp_company_id": "EAGLE"})
    services.erp_unlink(item_type=ItemType.COMPANY, obj=company, actor=approver, confirm=True)

    # when: it is sent and accepted again, as vendor EAGLE2
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver, fields={"erp_company_id": "EAGLE2"})

    # then: the earlier, recorded export is not mistaken for this one
    company.refresh_from_db()
    latest = ExportAttempt.objects.filter(item_type=ItemType.COMPANY, object_id=company.pk).order_by("pk").last()
    assert (company.erp_status, company.erp_company_id) == (ErpStatus.SYNCED, "EAGLE2")
    assert (latest.erp_code, latest.result.get("recovered", False)) == ("EAGLE2", False)
    assert sorted(Vendor.objects.filter(vendor__startswith="EAGLE").values_list("vendor", flat=True)) == ["EAGLE", "EAGLE2"]
    # and: the vendor let go by the unlink is not a duplicate for reconcile
    assert run_command("erp_reconcile") == (0, "No differences: 0 projects, 0 sub jobs, 1 companies checked.\n")
