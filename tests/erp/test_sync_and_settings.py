"""The schedule's every-minute change checks and daily full pass, the declared settings, Connect, and the
change history of what Sage changes — the engine pieces that are not the export itself."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.access.models import Level
from apps.companies.services import company_create
from apps.core.exceptions import PermissionRefused, ValidationFailed
from apps.erp import services
from apps.erp.errors import ErpError
from apps.erp.item_types import ItemType
from apps.erp.models import StagedRecord, SyncRun, SyncSchedule
from apps.erp.registry import settings_specs
from apps.erp.schedules import sync_schedule_save
from apps.erp.sync import sync_run_summary, sync_scheduled, sync_start
from apps.projects.models import Project
from apps.projects.services import project_create
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop, injected_faults
from apps.sage300.models import Vendor
from tests.access.helpers import make_user
from tests.companies.helpers import linked_company
from tests.erp.helpers import run_command


def vendor_staged(vendor_id: str) -> StagedRecord:
    return StagedRecord.objects.get(kind="vendor", origin_id=vendor_id)


# --- the schedule -----------------------------------------------------------------------------------------


def test_a_change_in_sage_shows_at_the_next_minutes_tick_and_a_quiet_tick_leaves_no_run(sage_company, connected,
                                                                                      clock):
    # given: the first tick is a full pass
    clock.advance(minutes=1)
    assert sync_scheduled(dataset="vendors") == "succeeded"
    assert SyncRun.objects.get().mode == "full"
    # when: a minute later nothing has changed
    clock.advance(minutes=1)
    assert sync_scheduled(dataset="vendors") == "no changes"
    # then: no empty run is kept, but the schedule says when it last looked
    assert SyncRun.objects.count() == 1
    assert SyncSchedule.objects.get(dataset="vendors").last_checked_at is not None

    # when: the accountant renames a vendor, and the next tick comes
    with at_sage_desktop():
        sage.vendor_update(vendor="ACMECON", name="Acme Paving, Inc.")
    clock.advance(minutes=1)
    outcome = sync_scheduled(dataset="vendors")

    # then: that tick read only the changed vendor, and Ready to Import shows the new name
    run = SyncRun.objects.order_by("-pk").first()
    assert (outcome, run.mode, run.records_seen, run.updated) == ("succeeded", "incremental", 1, 1)
    assert vendor_staged("ACMECON").name == "Acme Paving, Inc."


def test_the_daily_full_pass_marks_vendors_gone_from_sage_and_hides_them_from_ready_to_import(sage_company, connected):
    sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    with at_sage_desktop():
        Vendor.objects.filter(vendor="BRIGHTELEC").delete()  # deleted at the Sage desktop

    incremental = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True,
                             mode=SyncRun.Mode.INCREMENTAL)
    assert vendor_staged("BRIGHTELEC").erp_deleted_at is None  # a change check cannot see a deletion
    full = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)

    assert (incremental.mode, full.mode, full.gone) == ("incremental", "full", 1)
    assert full.notes == ["1 no longer in Sage 300 CRE (hidden from Ready to Import)"]
    assert vendor_staged("BRIGHTELEC").erp_deleted_at is not None
    from apps.erp.selectors import View, staged_records

    assert [s.origin_id for s in staged_records(kind="vendor", view=View.READY_TO_IMPORT)] == ["ACMECON"]


def test_a_full_pass_is_due_after_full_every_minutes(sage_company, connected):
    schedule = SyncSchedule.objects.get(dataset="vendors")
    sync_scheduled(dataset="vendors")
    later = timezone.now() + datetime.timedelta(minutes=schedule.full_every_minutes + 1)

    sync_scheduled(dataset="vendors", now=later)

    assert list(SyncRun.objects.order_by("pk").values_list("mode", flat=True)) == ["full", "full"]


@pytest.mark.parametrize(("every", "full_every", "field"), [(0, 60, "every_minutes"), (60, 30, "full_every_minutes"),
                                                             (1, 7 * 24 * 60 + 1, "full_every_minutes")])
def test_a_schedule_goes_down_to_every_minute_and_not_below(db, every, full_every, field):
    schedule = SyncSchedule.objects.get(dataset="jobs")

    with pytest.raises(ValidationFailed) as refused:
        sync_schedule_save(schedule=SyncSchedule(pk=schedule.pk, dataset="jobs", every_minutes=every,
                                                 full_every_minutes=full_every))

    assert field in refused.value.errors
    assert SyncSchedule.objects.get(pk=schedule.pk).every_minutes == 1


def test_erp_sync_reads_only_the_changes_with_changes(sage_company, connected, clock):
    clock.advance(minutes=1)
    run_command("erp_sync", "vendors", "--inline")
    clock.advance(minutes=1)
    with at_sage_desktop():
        sage.vendor_update(vendor="BRIGHTELEC", city="Frisco")

    status, output = run_command("erp_sync", "vendors", "--inline", "--changes")

    assert status == 0
    assert "read 1, created 0, updated 1, unchanged 0" in output


# --- settings ------------------------------------------------------------------------------------------------


def test_the_domains_declare_the_settings_and_their_defaults(db):
    assert {spec.key: spec.default for spec in settings_specs()} == {
        "vendors_auto_update": False, "vendor_insurance_sync": False, "import_extras_as_sub_jobs": True,
    }
    assert services.erp_option("import_extras_as_sub_jobs") is True


def test_an_unknown_setting_or_direct_export_type_is_refused_and_nothing_changes(db):
    with pytest.raises(ValidationFailed):
        services.erp_settings_save(options={"no_such_setting": True})
    with pytest.raises(ValidationFailed) as refused:
        services.erp_settings_save(direct_export=["project"])  # R7: projects are never direct-exported

    assert refused.value.errors == {"direct_export": ["Direct Export is not available for project."]}
    assert (services.erp_settings().options, services.erp_settings().direct_export) == ({}, [])


def test_changing_a_setting_needs_admin_on_erp_integrations(db):
    standard = make_user(erp=Level.STANDARD)

    with pytest.raises(PermissionRefused):
        services.erp_settings_save(options={"vendors_auto_update": True}, actor=standard)

    assert services.erp_option("vendors_auto_update") is False


def test_the_settings_page_shows_and_saves_the_declared_settings(admin_client, db):
    settings_row = services.erp_settings()
    url = reverse("admin:erp_erpsettings_change", args=[settings_row.pk])

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, {"option:vendors_auto_update": "on", "option:import_extras_as_sub_jobs": "on"})

    assert "Vendors will be automatically updated" in page and "Not connected yet" in page
    assert response.status_code == 302
    assert services.erp_settings().options == {
        "vendors_auto_update": True, "vendor_insurance_sync": False, "import_extras_as_sub_jobs": True,
    }


# --- Connect -------------------------------------------------------------------------------------------------


def test_nothing_can_be_sent_before_trestle_is_connected(sage_company, approver):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9")

    with pytest.raises(ValidationFailed) as refused:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)

    assert refused.value.errors == {"erp": [
        "Trestle is not connected to Sage 300 CRE yet. Ask a company admin to open ERP Integrations → ERP settings "
        "and press Connect to Sage 300 CRE."
    ]}
    assert Project.objects.get().erp_status == "not_in_erp"


def test_connect_asks_sage_who_it_is_and_keeps_the_first_moment(sage_company, approver):
    first = services.erp_connect(actor=approver)
    again = services.erp_connect(actor=approver, now=timezone.now() + datetime.timedelta(days=3))

    assert first.connected_company == "Trestle Construction (embedded) (Sage 300 CRE 24.1)"
    assert again.connected_at == first.connected_at
    assert first.connected_by == approver


def test_connect_while_sage_does_not_answer_connects_nothing(sage_company, approver):
    with injected_faults(failure_rate=1), pytest.raises(ErpError):
        services.erp_connect(actor=approver)

    assert services.erp_settings().connected_at is None


def test_connect_needs_admin_on_erp_integrations(sage_company):
    with pytest.raises(PermissionRefused):
        services.erp_connect(actor=make_user(erp=Level.STANDARD))


# --- what Sage changes is in the change history ---------------------------------------------------------------


def test_an_export_writes_the_sage_job_id_into_the_projects_history(synced_cost_codes, approver,
                                                                   django_capture_on_commit_callbacks):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9")
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields={"sage_job_id": "26-105"})

    latest = Project.objects.get().history.first()
    assert (latest.sage_job_id, latest.erp_status, latest.history_change_reason) == (
        "26-105", "synced", "Exported to Sage 300 CRE"
    )


def test_a_vendor_sync_that_changes_a_linked_company_records_it_in_the_companys_history(sage_company, connected):
    company = linked_company(name="Brightline Electric", erp_company_id="BRIGHTELEC", city="Plano")
    services.erp_settings_save(options={"vendors_auto_update": True})
    versions = company.history.count()
    with at_sage_desktop():
        sage.vendor_update(vendor="BRIGHTELEC", city="Frisco", telephone="(972) 555-0199")

    run = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)

    latest = company.history.first()
    assert company.history.count() == versions + 1
    assert (latest.city, latest.business_phone, latest.history_change_reason) == (
        "Frisco", "(972) 555-0199", "Vendors sync from Sage 300 CRE"
    )
    assert "1 linked company updated by auto-update (city, state, ZIP, telephone)" in sync_run_summary(run)


def test_an_unlinked_company_is_not_touched_by_the_vendor_sync(sage_company, connected):
    company = company_create(name="Brightline Electric", city="Plano")
    services.erp_settings_save(options={"vendors_auto_update": True})

    sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)

    company.refresh_from_db()
    assert (company.city, company.history.count()) == ("Plano", 1)
