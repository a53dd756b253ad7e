"""What people do in the admin, in a real browser: accept a project for export, see Sage not answer, connect
Trestle to Sage, link a Sage vendor to a company. Each test fails if its flow breaks; screenshots of the steps
are saved in ``var/screenshots/``.

All in one module on purpose: the browser is module-scoped (see conftest.py), so one module means one browser
per run.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.erp import services
from apps.erp.export import export_attempts_run
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpSettings, ExportAttempt, StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.projects.services import project_create
from apps.sage300 import faults
from apps.sage300.models import Job
from tests.access.helpers import make_user
from tests.e2e.conftest import CHROMIUM_MISSING, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

INTEGRATIONS = reverse("erp-integrations")


def integrations(tab: str, view: str) -> str:
    return f"{INTEGRATIONS}?tab={tab}&view={view}"


def success_message(page):
    return page.locator("ul.messagelist li.success")


def error_messages(page):
    return page.locator("ul.messagelist li.error")


def table_row(page, text: str):
    return page.locator("table.erp-table tbody tr").filter(has_text=text)


@pytest.fixture
def sent_project(synced_cost_codes, pm, join_project):
    """A project the PM sent to ERP Integrations: it waits in Jobs → Ready to Export for an approver."""
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    join_project(pm, project)
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    return project


def run_queued_exports(project) -> None:
    """What the django-q2 worker does after an accept (the test settings may already have run it inline)."""
    ids = list(ExportAttempt.objects.filter(item_type=ItemType.PROJECT, object_id=project.pk)
               .exclude(status__in=[ExportAttempt.Status.SUCCEEDED, ExportAttempt.Status.FAILED])
               .values_list("pk", flat=True))
    if ids:
        export_attempts_run(attempt_ids=ids)


def test_approver_accepts_a_project_and_it_shows_as_synced(page, log_in, screenshot, approver, sent_project):
    log_in(approver)
    page.goto(integrations("jobs", "ready_to_export"))
    row = table_row(page, "26-105 McKinney Fire Station No. 9")
    expect(row).to_be_visible()
    expect(row).to_contain_text("pm")  # sent by

    job_id = row.locator(f"input[name=field-{sent_project.pk}-sage_job_id]")
    expect(job_id).to_have_value("26-105")  # prefilled with the project number
    job_id.fill("26-905")
    row.locator(f"input[name=ids][value='{sent_project.pk}']").check()
    screenshot("1-before-accept")

    page.get_by_role("button", name="Accept selected (export to Sage)").click()

    expect(success_message(page)).to_contain_text("Accepted for export: 1 item: 26-105 – McKinney Fire Station No. 9.")
    expect(error_messages(page)).to_have_count(0)
    expect(table_row(page, "26-105 McKinney Fire Station No. 9")).to_have_count(0)  # gone from Ready to Export
    screenshot("2-after-accept")

    run_queued_exports(sent_project)
    sent_project.refresh_from_db()
    assert sent_project.erp_status == ErpStatus.SYNCED
    assert sent_project.sage_job_id == "26-905"
    assert Job.objects.filter(job="26-905").exists()

    page.locator(".erp-views").get_by_role("link", name="Synced").click()
    synced = table_row(page, "26-105 McKinney Fire Station No. 9")
    expect(synced).to_be_visible()
    expect(synced.locator("strong")).to_have_text("26-905")
    expect(synced).to_contain_text("Synced")
    screenshot("3-synced")


def test_accept_when_sage_does_not_answer_accepts_nothing(page, log_in, screenshot, approver, sent_project):
    log_in(approver)
    page.goto(integrations("jobs", "ready_to_export"))
    row = table_row(page, "26-105 McKinney Fire Station No. 9")
    row.locator(f"input[name=ids][value='{sent_project.pk}']").check()

    with faults.injected_faults(failure_rate=1):
        faults.forget_company_dials()  # the live server thread must read the new dials, not cached ones
        page.get_by_role("button", name="Accept selected (export to Sage)").click()
        expect(error_messages(page).first).to_contain_text("Nothing was accepted: ")
    screenshot("sage-not-answering")

    expect(success_message(page)).to_have_count(0)
    expect(page.locator(".erp-views a.active")).to_contain_text("Ready to Export")
    expect(table_row(page, "26-105 McKinney Fire Station No. 9")).to_be_visible()
    sent_project.refresh_from_db()
    assert sent_project.erp_status == ErpStatus.READY_TO_EXPORT
    assert not ExportAttempt.objects.filter(item_type=ItemType.PROJECT, object_id=sent_project.pk).exists()
    assert not Job.objects.filter(job="26-105").exists()


def test_company_admin_connects_trestle_to_sage(page, log_in, screenshot):
    admin = make_user(username="companyadmin", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN,
                      company_admin=Level.ADMIN)
    settings_row = services.erp_settings()
    change_page = reverse("admin:erp_erpsettings_change", args=[settings_row.pk])
    log_in(admin)

    page.goto(change_page)
    expect(page.get_by_text("Not connected yet.")).to_be_visible()
    screenshot("1-not-connected")
    page.get_by_role("link", name="Connect to Sage 300 CRE").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:erp_erpsettings_connect")) + "$"))
    screenshot("2-connect-page")
    page.get_by_role("button", name="Connect to Sage 300 CRE").click()

    expect(success_message(page)).to_contain_text("Connected to ")
    screenshot("3-connected-message")
    settings_row = ErpSettings.objects.get(pk=settings_row.pk)
    assert settings_row.connected_at is not None and settings_row.connected_by == admin
    page.goto(change_page)
    expect(page.get_by_text(f"Connected to {settings_row.connected_company} since")).to_be_visible()
    expect(page.get_by_role("link", name="Connect to Sage 300 CRE")).to_have_count(0)
    screenshot("4-connected")


def test_vendor_is_linked_to_an_existing_company(page, log_in, screenshot, approver, sage_company, connected):
    hub = company_create(name="Brightline Electric")
    run = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    staged = StagedRecord.objects.get(origin_id="BRIGHTELEC")
    log_in(approver)

    page.goto(integrations("vendors", "ready_to_import"))
    row = table_row(page, "BRIGHTELEC")
    expect(row).to_contain_text("Brightline Electric, Inc.")
    target = row.locator(f"select[name=target-{staged.pk}]")
    expect(target.locator("option", has_text="Brightline Electric")).to_have_count(1)
    target.select_option(str(hub.pk))
    row.locator(f"input[name=ids][value='{staged.pk}']").check()
    screenshot("1-before-link")

    page.get_by_role("button", name="Link to the chosen companies").click()

    expect(success_message(page)).to_contain_text("Link to the chosen companies: 1 item:")
    expect(error_messages(page)).to_have_count(0)
    expect(table_row(page, "BRIGHTELEC")).to_have_count(0)  # no longer waiting
    screenshot("2-after-link")
    assert Company.objects.get(pk=hub.pk).erp_company_id == "BRIGHTELEC"

    page.locator(".erp-views").get_by_role("link", name="Synced").click()
    synced = table_row(page, "Brightline Electric")
    expect(synced).to_be_visible()
    expect(synced.locator("strong")).to_have_text("BRIGHTELEC")
    screenshot("3-synced")
