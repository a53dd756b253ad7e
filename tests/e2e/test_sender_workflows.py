"""The sender's admin in a real browser, as a new user would (issue 8): the project manager creates a project in
the admin and presses Send to ERP on its page; the approver accepts it on ERP Integrations; the export runs; the
project manager opens the project again and sees Synced, the Sage Job ID and the history in words.

Screenshots of every step are saved in ``var/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.erp.export import export_attempts_run
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ExportAttempt
from apps.projects.models import Project
from apps.sage300.models import Job
from tests.access.helpers import project_template
from tests.e2e.conftest import CHROMIUM_MISSING, SCREENSHOTS, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def other_page(browser, live_server):
    """A second person at their own browser (their own cookies)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-US", timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in(page, user, password="x"):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Welcome")


def shot(page, request, step: str) -> None:
    """A screenshot of another person's page, named like the ``screenshot`` fixture's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}-{step}.png"),
                    full_page=True)


def run_queued_exports(project) -> None:
    """What the django-q2 worker does after an accept (the test settings may already have run it inline)."""
    ids = list(ExportAttempt.objects.filter(item_type=ItemType.PROJECT, object_id=project.pk)
               .exclude(status__in=[ExportAttempt.Status.SUCCEEDED, ExportAttempt.Status.FAILED])
               .values_list("pk", flat=True))
    if ids:
        export_attempts_run(attempt_ids=ids)


def test_the_pm_creates_and_sends_a_project_the_approver_accepts_and_the_pm_sees_it_synced(
    page, other_page, log_in, screenshot, request, synced_cost_codes, pm, approver
):
    _named(pm, "Pat", "Manager")
    _named(approver, "Alex", "Approver")
    # The company's project template for creators: whoever creates a project manages it.
    project_template(project_admin=Level.ADMIN, assign_to_project_creator=True)

    # The project manager adds the project in the admin.
    log_in(pm)
    page.goto(reverse("admin:projects_project_add"))
    page.locator("input[name=number]").fill("26-105")
    page.locator("input[name=name]").fill("McKinney Fire Station No. 9")
    page.locator("input[name=city]").fill("McKinney")
    page.locator("input[name=state]").fill("TX")
    page.locator("input[name=zip]").fill("75069")
    screenshot("1-pm-adds-the-project")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    # Back on the list of projects, with its ERP status; open it.
    expect(page.locator("#result_list")).to_contain_text("Not in ERP")
    page.locator("#result_list").get_by_role("link", name="26-105").click()

    # Its page says where it stands with Sage, and offers Send to ERP.
    erp_panel = page.locator("#erp-panel")
    expect(erp_panel).to_contain_text("Not in ERP")
    expect(erp_panel.get_by_role("button", name="Send to ERP")).to_be_visible()
    screenshot("2-project-page-before-send")
    erp_panel.get_by_role("button", name="Send to ERP").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("was sent to ERP Integrations")
    expect(erp_panel).to_contain_text("Ready to export")
    expect(erp_panel).to_contain_text("Sent to ERP by Pat Manager")
    expect(erp_panel.get_by_role("button", name="Retrieve")).to_be_visible()
    screenshot("3-project-sent")
    project = Project.objects.get(number="26-105")
    assert project.erp_status == ErpStatus.READY_TO_EXPORT

    # The approver accepts it on ERP Integrations, with the Sage Job ID pre-filled.
    sign_in(other_page, approver)
    other_page.goto(f"{reverse('erp-integrations')}?tab=jobs&view=ready_to_export")
    row = other_page.locator("table.erp-table tbody tr").filter(has_text="26-105 McKinney Fire Station No. 9")
    expect(row).to_contain_text("Pat Manager")  # sent by, by name
    expect(row.locator(f"input[name=field-{project.pk}-sage_job_id]")).to_have_value("26-105")
    row.locator("input[name=ids]").check()
    shot(other_page, request, "4-approver-ready-to-export")
    other_page.get_by_role("button", name="Accept selected (export to Sage)").click()
    expect(other_page.locator("ul.messagelist li.success")).to_contain_text("Accepted for export: 1 item:")
    shot(other_page, request, "5-approver-accepted")

    # The worker exports it.
    run_queued_exports(project)
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.SYNCED
    assert Job.objects.filter(job="26-105").exists()

    # The project manager opens the project again: Synced, the Sage Job ID, the history in words.
    page.goto(reverse("admin:projects_project_change", args=[project.pk]))
    expect(erp_panel).to_contain_text("Synced")
    expect(erp_panel.locator("[data-erp-id]")).to_have_text("26-105")
    expect(erp_panel).to_contain_text("Sent to ERP by Pat Manager")
    expect(erp_panel).to_contain_text("Accepted for export by Alex Approver with Sage Job ID 26-105")
    expect(erp_panel).to_contain_text("Exported to Sage 300 CRE: Sage Job ID 26-105")
    expect(erp_panel).not_to_contain_text("None")
    expect(erp_panel.get_by_role("button", name="Send to ERP")).to_have_count(0)
    screenshot("6-pm-sees-it-synced")

    # Its History page names the people and says the values in words.
    page.get_by_role("link", name="History").click()
    history = page.locator("#change-history")
    expect(history).to_contain_text("Pat Manager")
    expect(history).to_contain_text("Alex Approver")
    expect(history).to_contain_text("Ready to export")
    expect(history).to_contain_text("Trestle (automatic)")  # the export's own change
    expect(history).not_to_contain_text("ready_to_export")
    expect(history).not_to_contain_text("None")
    screenshot("7-pm-reads-the-history")
