"""The findings of the engine review ("One engine for every document"), each as the scenario that was found.

Each test here failed on the engine before the declared-document rework. The conformance suite
(``test_conformance.py``) checks the same mechanisms for every registered type; these are the
concrete cases as they were reported.
"""

from __future__ import annotations

import ast
import datetime
import pathlib

import pytest
from django.conf import settings
from django_q.models import Schedule

from apps.companies.services import company_create
from apps.core.exceptions import Conflict, ValidationFailed
from apps.erp import export, services
from apps.erp.connector import ErpConnector
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ExportAttempt, SyncSchedule
from apps.erp.registry import datasets
from apps.erp.schedules import REAPER_NAME
from apps.projects.erp import SubJobDocument
from apps.projects.services import project_create, sub_job_create, sub_job_delete, sub_job_update
from apps.sage300.connector import Sage300Connector
from apps.sage300.faults import BEFORE_WRITE, injected_faults
from apps.sage300.models import Job, Vendor
from tests.access.helpers import api_client
from apps.erp.records import JobExport
from tests.erp.helpers import patch_write, run_command, run_until_settled

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("apps.projects", "apps.companies", "apps.wbs", "apps.demo")


def accept_now(item_type, obj, approver, capture, **fields):
    with capture(execute=True):
        return services.erp_accept(item_type=item_type, obj=obj, actor=approver, fields=fields)


@pytest.fixture
def sent_project(synced_cost_codes, approver):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    return project


# --- an exception that is not an ErpError ------------------------------------------------------------


def test_a_sub_job_cannot_be_deleted_while_it_is_exporting(sent_project, approver, django_capture_on_commit_callbacks,
                                                           join_project):
    accept_now(ItemType.PROJECT, sent_project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    join_project(approver, sent_project)
    sub_job = sub_job_create(project=sent_project, code="SITE", name="Sitework")
    services.erp_send(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)
    with django_capture_on_commit_callbacks(execute=False):  # accepted; the worker has not run yet
        services.erp_accept(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)

    with pytest.raises(Conflict) as refused:
        sub_job_delete(sub_job=sub_job)

    assert refused.value.message == (
        "Sub job 26-105/SITE Sitework is exporting to Sage 300 CRE and cannot be deleted; wait until the export "
        "finishes."
    )
    sub_job.refresh_from_db()
    assert sub_job.erp_status == ErpStatus.EXPORTING


def test_twin_supply_and_twin_supply_inc_cannot_both_be_accepted_as_twin1(connected, sage_company, approver,
                                                                          django_capture_on_commit_callbacks):
    twin = company_create(name="Twin Supply")
    twin_inc = company_create(name="Twin Supply Inc.")
    for company in (twin, twin_inc):
        services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    # when: the first is accepted as TWIN1 and exported …
    accept_now(ItemType.COMPANY, twin, approver, django_capture_on_commit_callbacks, erp_company_id="TWIN1")
    # … and the second, whose name Sage would call the same vendor, is accepted with TWIN1 too
    with pytest.raises(ValidationFailed) as refused:
        services.erp_accept(item_type=ItemType.COMPANY, obj=twin_inc, actor=approver,
                            fields={"erp_company_id": "TWIN1"})

    # then: refused up front, not linked and then stuck on the unique ERP Company ID
    assert refused.value.errors == {
        "erp_company_id": ["ERP Company ID TWIN1 is already taken by company Twin Supply; enter another one."]
    }
    twin.refresh_from_db()
    twin_inc.refresh_from_db()
    assert (twin.erp_status, twin.erp_company_id) == (ErpStatus.SYNCED, "TWIN1")
    assert (twin_inc.erp_status, twin_inc.erp_company_id) == (ErpStatus.READY_TO_EXPORT, None)
    assert Vendor.objects.filter(vendor="TWIN1").count() == 1


# --- a late success ----------------------------------------------------------------------------------


def test_a_late_success_does_not_leave_a_rejected_project_carrying_a_sage_job(sent_project, approver, clock, workers,
                                                                               django_capture_on_commit_callbacks,
                                                                               monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=sent_project, actor=approver,
                            fields={"sage_job_id": "26-105"})
    attempt = ExportAttempt.objects.get()
    real = Sage300Connector.create_job
    calls = []

    def slow_for_worker_1(self, record, *, idempotency_key):
        calls.append(1)
        if len(calls) == 1:
            clock.advance(seconds=export.LEASE.total_seconds() + 60)
            export.export_attempts_reap(now=clock())
            with injected_faults(failure_rate=1):  # worker 2 and its retries see only timeouts
                run_until_settled(clock, workers)
            services.erp_reject(item_type=ItemType.PROJECT, obj=sent_project, actor=approver, comment="Not now")
        return real(self, record, idempotency_key=idempotency_key)

    patch_write(monkeypatch, Sage300Connector, JobExport, slow_for_worker_1)

    outcome = workers.run(attempt.pk, worker="worker-1")

    sent_project.refresh_from_db()
    assert outcome == "late success"
    assert (sent_project.erp_status, sent_project.sage_job_id) == (ErpStatus.REJECTED, None)
    patch_write(monkeypatch, Sage300Connector, JobExport, real)
    status, output = run_command("erp_reconcile")
    assert status == 1
    assert "ERP write not recorded" in output and "project 26-105 McKinney Fire Station No. 9" in output


# --- Sage down while the approver works ------------------------------------------------------------------


def test_a_batch_accept_while_sage_times_out_accepts_none_of_it_and_says_so(synced_cost_codes, approver, client):
    projects = [project_create(number=f"26-20{i}", name=f"Batch {i}") for i in range(3)]
    for project in projects:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    client.force_login(approver)

    with injected_faults(failure_rate=1):
        response = client.post("/admin/erp/integrations/", {
            "tab": "jobs", "view": "ready_to_export", "op": "accept", "ids": [p.pk for p in projects],
            **{f"field-{p.pk}-sage_job_id": p.number for p in projects},
        }, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]][0].startswith("Nothing was accepted: The Import operation")
    assert {p.erp_status for p in type(projects[0]).objects.all()} == {ErpStatus.READY_TO_EXPORT}
    assert not ExportAttempt.objects.exists()


def test_the_rate_limit_at_unlink_is_a_503_with_the_catalogues_resolution(connected, sage_company, approver,
                                                                          django_capture_on_commit_callbacks):
    company = company_create(name="Eagle Scaffold")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)
    accept_now(ItemType.COMPANY, company, approver, django_capture_on_commit_callbacks, erp_company_id="EAGLE")

    with injected_faults(failure_rate=0, hourly_request_limit=0):
        response = api_client(approver).post(f"/api/v1/companies/{company.pk}/erp/unlink/", {"confirm": True},
                                             format="json")

    assert response.status_code == 503
    assert response.json() == {
        "code": "rate_limited",
        "message": "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until "
                   "your limit resets.",
        "resolution": "Sage 300 CRE's hourly request limit is used up, so nothing was changed. Press Unlink again "
                      "after the hour turns (exports already queued wait and go on by themselves).",
        "retryable": True,
    }
    company.refresh_from_db()
    assert company.erp_status == ErpStatus.SYNCED


# --- gave up → reject → resend → accept ------------------------------------------------------------------


@pytest.fixture
def gave_up_after_sage_wrote(sent_project, approver, clock, workers, scripted_faults,
                             django_capture_on_commit_callbacks):
    """The export wrote job 26-105 on its last try but the answer was lost; the approver rejected it and the
    project manager sent it again."""
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=sent_project, actor=approver,
                            fields={"sage_job_id": "26-105"})
    from apps.sage300.faults import AFTER_COMMIT

    scripted_faults(BEFORE_WRITE, *[BEFORE_WRITE] * (export.MAX_TRIES - 2), None, AFTER_COMMIT)
    run_until_settled(clock, workers)
    sent_project.refresh_from_db()
    assert (sent_project.erp_status, Job.objects.filter(job="26-105").count()) == (ErpStatus.FAILED_TO_EXPORT, 1)
    services.erp_reject(item_type=ItemType.PROJECT, obj=sent_project, actor=approver, comment="Try again later")
    services.erp_resend(item_type=ItemType.PROJECT, obj=sent_project, actor=approver)
    return sent_project


def test_accept_after_a_gave_up_export_links_the_projects_own_sage_job(gave_up_after_sage_wrote, approver, workers,
                                                                      django_capture_on_commit_callbacks):
    project = gave_up_after_sage_wrote

    accept_now(ItemType.PROJECT, project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    workers.drain()

    project.refresh_from_db()
    assert (project.erp_status, project.sage_job_id) == (ErpStatus.SYNCED, "26-105")
    assert Job.objects.filter(job="26-105").count() == 1
    assert run_command("erp_reconcile") == (0, "No differences: 1 projects, 0 sub jobs, 0 companies checked.\n")


def test_accept_after_a_gave_up_export_refuses_a_new_job_id_instead_of_linking_the_old_job(
    gave_up_after_sage_wrote, approver
):
    project = gave_up_after_sage_wrote

    with pytest.raises(ValidationFailed) as refused:
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields={"sage_job_id": "26-105B"})

    assert refused.value.code == "erp_record_written"
    assert refused.value.errors["sage_job_id"] == [
        "Sage 300 CRE already has this project as 26-105: an earlier try reached it before its answer was lost. "
        "Use 26-105 to link it (a second Sage Job ID would put it in Sage twice)."
    ]
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT


# --- ten items, one id -------------------------------------------------------------------------------------


def test_ten_projects_accepted_with_one_sage_job_id_while_the_first_exports_accept_only_the_first(
    synced_cost_codes, approver, workers, django_capture_on_commit_callbacks
):
    projects = [project_create(number=f"26-3{i:02d}", name=f"Same Job {i}") for i in range(10)]
    for project in projects:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)

    refusals = []
    with django_capture_on_commit_callbacks(execute=True):
        for project in projects:
            try:
                services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver,
                                    fields={"sage_job_id": "26-300"})
            except ValidationFailed as refused:
                refusals.append(refused.code)
    workers.drain()

    statuses = [type(p).objects.get(pk=p.pk).erp_status for p in projects]
    assert statuses == [ErpStatus.SYNCED] + [ErpStatus.READY_TO_EXPORT] * 9
    assert refusals == ["erp_id_reserved"] * 9
    assert Job.objects.filter(job="26-300").count() == 1
    assert not ExportAttempt.objects.filter(status="failed").exists()


def test_ten_companies_accepted_with_one_vendor_id_in_one_batch_accept_only_the_first(connected, sage_company,
                                                                                      approver):
    companies = [company_create(name=f"Same Vendor {i}") for i in range(10)]
    for company in companies:
        services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    outcome = services.erp_accept_many(item_type=ItemType.COMPANY, actor=approver,
                                       items=[(company, {"erp_company_id": "SAME1"}) for company in companies])

    assert [obj.pk for obj in outcome.accepted] == [companies[0].pk]
    assert sorted(outcome.refused) == sorted(company.pk for company in companies[1:])
    assert {error.code for error in outcome.refused.values()} == {"erp_id_reserved"}


# --- schedules, leases --------------------------------------------------------------------------------------


def test_the_reaper_and_the_sync_schedules_exist_after_migrate_without_demo_data(db):
    # The test database is built by `migrate` alone: no seed_demo.
    assert Schedule.objects.filter(name=REAPER_NAME, func="apps.erp.tasks.export_attempts_reap_task",
                                   minutes=1).exists()
    assert sorted(SyncSchedule.objects.values_list("dataset", flat=True)) == sorted(spec.key for spec in datasets())
    assert set(SyncSchedule.objects.values_list("every_minutes", flat=True)) == {1}


def test_the_lease_outlives_the_worker_task_timeout():
    timeout = datetime.timedelta(seconds=settings.Q_CLUSTER["timeout"])
    assert export.LEASE > timeout
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]


def test_the_lease_is_renewed_between_the_steps_of_an_export(synced_cost_codes, approver, clock, workers,
                                                             django_capture_on_commit_callbacks, monkeypatch,
                                                             join_project):
    from tests.erp.samples import Env, sub_job_sample

    sample = sub_job_sample(Env(approver, django_capture_on_commit_callbacks))
    services.erp_send(item_type=ItemType.SUB_JOB, obj=sample.obj, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.SUB_JOB, obj=sample.obj, actor=approver, fields=sample.accept_fields)
    real = Sage300Connector.create_extra
    seen = {}

    def slow_first_step(self, record, *, idempotency_key):
        result = real(self, record, idempotency_key=idempotency_key)
        seen["lease_before"] = ExportAttempt.objects.get(item_type="sub_job").lease_expires_at
        clock.advance(seconds=export.LEASE.total_seconds() * 0.75)  # Sage took most of the lease
        return result

    monkeypatch.setattr(Sage300Connector, "create_extra", slow_first_step)
    renewed = []
    real_renew = export._renew

    def renew(attempt, worker):
        kept = real_renew(attempt, worker)
        renewed.append(ExportAttempt.objects.get(pk=attempt.pk).lease_expires_at)
        return kept

    monkeypatch.setattr(export, "_renew", renew)

    assert workers.drain() == ["succeeded"]

    # then: before the second step (the extra's cost codes) the lease was pushed on from where it stood
    attempt = ExportAttempt.objects.get(item_type="sub_job")
    assert len(renewed) == 1 and renewed[0] > seen["lease_before"]
    assert renewed[0] - clock() > export.LEASE * 0.9
    assert set(attempt.steps_done) == {"extra", "cost_codes"}
    assert attempt.tries_log.get().outcome == "succeeded"


# --- locks on sub jobs ----------------------------------------------------------------------------------------


def test_a_synced_sub_jobs_code_and_name_are_locked(synced_cost_codes, approver, django_capture_on_commit_callbacks,
                                                   join_project, sent_project):
    accept_now(ItemType.PROJECT, sent_project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    join_project(approver, sent_project)
    sub_job = sub_job_create(project=sent_project, code="SITE", name="Sitework")
    services.erp_send(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)
    accept_now(ItemType.SUB_JOB, sub_job, approver, django_capture_on_commit_callbacks)
    sub_job.refresh_from_db()
    assert sub_job.erp_status == ErpStatus.SYNCED

    with pytest.raises(ValidationFailed) as refused:
        sub_job_update(sub_job=sub_job, data={"code": "SITE2", "name": "Site"})

    assert refused.value.errors == {
        "code": ["This sub job is synced with Sage 300 CRE, so its code is locked; a synced sub job keeps what Sage 300 CRE has."],
        "name": ["This sub job is synced with Sage 300 CRE, so its name is locked; a synced sub job keeps what Sage 300 CRE has."],
    }
    sub_job.refresh_from_db()
    assert (sub_job.code, sub_job.name) == ("SITE", "Sitework")
    assert SubJobDocument.locked_fields == ("code", "name")


# --- the layering ------------------------------------------------------------------------------------------


def _imports(package: str) -> dict[str, set[str]]:
    """Every module under ``package`` → the apps.* modules it imports (top level and inside functions)."""
    found = {}
    for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("apps."):
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names if alias.name.startswith("apps."))
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_engine_imports_no_domain_app():
    offenders = {path: sorted(n for n in names if n.startswith(DOMAIN_APPS)) for path, names in _imports("apps.erp").items()}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_core_imports_neither_the_engine_nor_access_nor_sage_nor_a_domain():
    banned = ("apps.erp", "apps.access", "apps.sage300", *DOMAIN_APPS)
    offenders = {path: sorted(n for n in names if n.startswith(banned)) for path, names in _imports("apps.core").items()}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_sage_connector_imports_the_hub():
    importers = sorted(path for path, names in _imports("apps.sage300").items()
                       if any(name.startswith(("apps.erp", *DOMAIN_APPS)) for name in names))
    assert importers == ["apps/sage300/connector.py"]


def test_the_connector_contract_declares_every_member_the_hub_calls():
    declared = {name for name in dir(ErpConnector) if not name.startswith("_")} | set(ErpConnector.__annotations__)
    called = set()
    for path in (ROOT / "apps").rglob("*.py"):
        if "sage300" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Attribute):
                continue
            target = node.value
            is_connector = (isinstance(target, ast.Name) and target.id == "connector") or (
                isinstance(target, ast.Call) and getattr(target.func, "id", "") == "get_connector"
            ) or (isinstance(target, ast.Attribute) and target.attr == "connector")
            if is_connector:
                called.add(node.attr)
    written = {"create_job", "create_extra", "add_job_cost_codes", "create_vendor"}  # reached via write_method
    assert called - declared == set()
    assert written <= declared
    assert isinstance(Sage300Connector(), ErpConnector)


# --- multi-step exports --------------------------------------------------------------------------------------


def test_a_retry_resumes_at_the_first_step_not_done(synced_cost_codes, approver, clock, workers, scripted_faults,
                                                   django_capture_on_commit_callbacks, monkeypatch):
    from tests.erp.samples import Env, sub_job_sample

    sample = sub_job_sample(Env(approver, django_capture_on_commit_callbacks))
    services.erp_send(item_type=ItemType.SUB_JOB, obj=sample.obj, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.SUB_JOB, obj=sample.obj, actor=approver, fields=sample.accept_fields)
    extras_written = []
    real = Sage300Connector.create_extra
    monkeypatch.setattr(Sage300Connector, "create_extra", lambda self, record, *, idempotency_key: (
        extras_written.append(idempotency_key), real(self, record, idempotency_key=idempotency_key))[1])
    # given: the extra is written (step 1), then Sage times out before writing the cost codes (step 2)
    scripted_faults(None, BEFORE_WRITE)

    run_until_settled(clock, workers)

    # then: the second try went on with the cost codes only, under their own key
    attempt = ExportAttempt.objects.get(item_type="sub_job")
    tries = list(attempt.tries_log.order_by("number"))
    assert [t.outcome for t in tries] == ["will_retry", "succeeded"]
    assert set(tries[0].steps) == {"extra"} and set(tries[1].steps) == {"cost_codes"}
    assert len(extras_written) == 1 and extras_written[0] == f"{attempt.idempotency_key}:extra"
    sample.obj.refresh_from_db()
    assert sample.obj.erp_status == ErpStatus.SYNCED
