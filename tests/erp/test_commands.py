"""``manage.py erp_sync`` and ``manage.py erp_reconcile``."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.erp.item_types import ItemType
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.core.exceptions import ValidationFailed
from apps.companies.erp import vendor_add_as_company, vendor_link_to_company
from apps.projects.erp import job_add_as_project
from apps.erp import export, services
from apps.erp.services import erp_settings_save
from apps.erp.models import ExportAttempt, StagedRecord, SyncRun
from apps.erp.reconcile import Difference, reconcile
from apps.erp.records import JobRecord
from apps.projects.services import project_create
from apps.sage300 import services as sage
from apps.sage300.faults import AFTER_COMMIT, BEFORE_WRITE, at_sage_desktop, injected_faults
from apps.sage300.models import Job
from tests.erp.helpers import run_command, run_until_settled

# --- erp_sync -------------------------------------------------------------------------------------


def test_an_unknown_dataset_is_refused_with_the_known_ones_and_status_2(db):
    with pytest.raises(CommandError) as refused:
        call_command("erp_sync", "suppliers")

    assert refused.value.returncode == 2
    assert str(refused.value) == "Unknown dataset 'suppliers'. Known datasets: cost-codes, jobs, sub-jobs, vendors."
    assert not SyncRun.objects.exists()


def test_inline_prints_the_counts_and_exits_0(sage_company, connected):
    status, output = run_command("erp_sync", "vendors", "--inline")

    run = SyncRun.objects.get()
    assert status == 0
    assert output.startswith(
        f"Vendors sync #{run.pk}: succeeded — read 2, created 2, updated 0, unchanged 0, skipped 0, failed 0 in "
    )
    assert output.rstrip().endswith(" s")
    assert (run.trigger, run.status) == ("command", "succeeded")


def test_inline_run_that_fails_prints_the_error_table_and_exits_1(sage_company, connected):
    with injected_faults(failure_rate=1):
        status, output = run_command("erp_sync", "jobs", "--inline")

    lines = output.splitlines()
    assert status == 1
    assert lines[0].startswith("Jobs sync #") and ": failed — read 0, created 0" in lines[0]
    assert lines[1].split() == ["Record", "Problem", "What", "to", "do"]
    assert lines[3].startswith("(connection)  The Import operation took longer than the set timeout.  Nothing to do")
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_without_inline_it_queues_the_run_for_the_worker(sage_company, connected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        status, output = run_command("erp_sync", "cost-codes")

    run = SyncRun.objects.get()
    assert status == 0
    assert output == f"Queued the Standard Cost Codes & Cost Types sync, run #{run.pk}; a worker (manage.py qcluster) runs it.\n"
    assert len(enqueued) == 1  # the task queue ran it (inline in the tests)
    assert run.status == SyncRun.Status.SUCCEEDED


def test_a_dataset_already_running_is_refused_with_status_1(sage_company, connected):
    SyncRun.objects.create(dataset="vendors", trigger="scheduled", status="running", heartbeat_at=timezone.now())

    with pytest.raises(CommandError) as refused:
        call_command("erp_sync", "vendors", "--inline")

    assert refused.value.returncode == 1
    assert str(refused.value).startswith("A Vendors sync is already running (since ")
    assert SyncRun.objects.count() == 1


# --- erp_reconcile ------------------------------------------------------------------------------


@pytest.fixture
def linked(synced_cost_codes, approver):
    """Sage's job 24-101 (with extra BLDG and its cost codes) added as a project; both vendors linked."""
    for dataset in ("jobs", "vendors"):
        assert run_command("erp_sync", dataset, "--inline")[0] == 0
    project = job_add_as_project(staged=StagedRecord.objects.get(kind="job", origin_id="24-101"), actor=approver)
    vendor_add_as_company(staged=StagedRecord.objects.get(kind="vendor", origin_id="ACMECON"), actor=approver)
    brightline = company_create(name="Brightline Electric", city="Plano")
    vendor_link_to_company(
        staged=StagedRecord.objects.get(kind="vendor", origin_id="BRIGHTELEC"), company=brightline, actor=approver
    )
    return project


def test_reconcile_exits_0_when_trestle_and_sage_agree(linked):
    status, output = run_command("erp_reconcile")

    assert (status, output) == (0, "No differences: 1 projects, 1 sub jobs, 2 companies checked.\n")


def test_reconcile_lists_every_difference_and_exits_1(linked, approver, connected, django_capture_on_commit_callbacks):
    # given: the accountant changes things in Sage behind Trestle's back …
    with at_sage_desktop():
        sage.job_update(job="24-101", city="Irving")
        sage.job_category_delete(job="24-101", cost_code="01-100", category="L")
        sage.extra_delete(job="24-101", extra="BLDG")
        sage.vendor_update(vendor="ACMECON", name="Acme Paving")
    # … Sage's addresses are copied onto linked companies, then Brightline moves in Sage
    erp_settings_save(options={"vendors_auto_update": True})
    assert run_command("erp_sync", "vendors", "--inline")[0] == 0
    with at_sage_desktop():
        sage.vendor_update(vendor="BRIGHTELEC", city="Frisco")
    # … and a worker died while exporting a company; its lease ran out ten minutes ago
    eagle = company_create(name="Eagle Scaffold")
    services.erp_send(item_type=ItemType.COMPANY, obj=eagle, actor=approver)
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_accept(item_type=ItemType.COMPANY, obj=eagle, actor=approver, fields={"erp_company_id": "EAGLE"})
    dead_lease = timezone.now() - datetime.timedelta(minutes=10)
    ExportAttempt.objects.update(status="running", lease_owner="worker-1", lease_expires_at=dead_lease)

    # when
    report = reconcile()
    status, output = run_command("erp_reconcile")

    # then
    attempt = ExportAttempt.objects.get()
    assert report.differences == [
        Difference("field differs", "project 24-101 Elm Street Medical Office", "city", "Dallas", "Irving"),
        Difference("cost type missing", "project 24-101 Elm Street Medical Office", "cost code 01-100", "L",
                   "(missing)"),
        Difference("missing in ERP", "sub job 24-101/BLDG Building", "sage_extra_id", "24-101/BLDG", "(missing)"),
        Difference("field differs", "company Acme Concrete, Inc.", "name", "Acme Concrete, Inc.", "Acme Paving"),
        Difference("field differs", "company Brightline Electric", "city", "Plano", "Frisco"),
        Difference("stuck exporting", "company Eagle Scaffold", "erp_status", "exporting",
                   f"attempt {attempt.pk}: worker lease expired {timezone.localtime(dead_lease):%Y-%m-%d %H:%M}"),
    ]
    lines = output.splitlines()
    assert status == 1
    assert lines[0].split() == ["Kind", "Trestle", "object", "Field", "Trestle", "value", "ERP", "value"]
    assert lines[2].split() == ["field", "differs", "project", "24-101", "Elm", "Street", "Medical", "Office", "city",
                                "Dallas", "Irving"]
    assert lines[-1] == "6 differences: 1 projects, 1 sub jobs, 2 companies checked."


def test_without_vendor_auto_update_trestles_own_address_is_not_a_difference(linked):
    with at_sage_desktop():
        sage.vendor_update(vendor="BRIGHTELEC", city="Frisco", telephone="(469) 555-0100")

    assert reconcile().differences == []
    assert Company.objects.get(erp_company_id="BRIGHTELEC").city == "Plano"


def test_a_write_sage_committed_after_trestle_gave_up_is_reported_until_retry_links_it(
    synced_cost_codes, approver, clock, workers, scripted_faults, django_capture_on_commit_callbacks
):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney")
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields={"sage_job_id": "26-105"})
    # given: four tries time out before writing; the fifth writes the job, then times out
    scripted_faults(*[BEFORE_WRITE] * (export.MAX_TRIES - 1), None, AFTER_COMMIT)
    run_until_settled(clock, workers)
    project.refresh_from_db()
    assert (project.erp_status, Job.objects.filter(job="26-105").count()) == ("failed_to_export", 1)

    # then: reconcile sees the job Sage holds under the project's idempotency key
    attempt = ExportAttempt.objects.get()
    assert reconcile().differences == [
        Difference("ERP write not recorded", "project 26-105 McKinney Fire Station No. 9", "erp_status",
                   "failed_to_export", f"26-105 (attempt {attempt.pk})"),
    ]

    # when: the approver presses Retry (another Sage Job ID would make a second job: refused), the export finds
    # that write by its key and links it
    with pytest.raises(ValidationFailed) as refused:
        services.erp_retry(item_type=ItemType.PROJECT, obj=project, actor=approver, fields={"sage_job_id": "26-105B"})
    assert refused.value.code == "erp_record_written"
    with django_capture_on_commit_callbacks(execute=False):
        services.erp_retry(item_type=ItemType.PROJECT, obj=project, actor=approver)
    run_until_settled(clock, workers)

    project.refresh_from_db()
    assert (project.erp_status, project.sage_job_id) == ("synced", "26-105")
    assert Job.objects.filter(job="26-105").count() == 1
    assert run_command("erp_reconcile") == (0, "No differences: 1 projects, 0 sub jobs, 0 companies checked.\n")


def test_two_erp_jobs_that_differ_only_by_punctuation_are_reported(linked):
    """Sage refuses such a pair, so a connector that lets one through is faked here."""
    from apps.erp.connector import get_connector
    from apps.erp.records import Page

    real = get_connector()

    class LeakyConnector:
        def __getattr__(self, name):
            return getattr(real, name)

        def jobs(self, *, cursor=None):
            page = real.jobs(cursor=cursor)
            twin = JobRecord(job_id="24101", name="Elm Street (twin)", address="", city="", state="", zip="",
                             status="In Progress")
            return Page([*page.records, twin], page.next_cursor)

    assert reconcile(connector=LeakyConnector()).differences == [
        Difference("duplicate job in ERP", "project 24-101", "sage_job_id", "24-101", "24-101 = 24101"),
    ]
