"""Importing from Sage in a real browser, as a new user would: link a Sage vendor to a company whose name
differs (found by search), add a Sage job as a project and open it, and watch a running sync's progress
without reloading the page. Screenshots of the steps are saved in ``var/screenshots/``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.projects.models import Project
from tests.access.helpers import project_template
from tests.e2e.conftest import CHROMIUM_MISSING, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

INTEGRATIONS = reverse("erp-integrations")


def integrations(tab: str, view: str) -> str:
    return f"{INTEGRATIONS}?tab={tab}&view={view}"


def table_row(page, text: str):
    return page.locator("table.erp-table tbody tr").filter(has_text=text)


def sync(dataset: str) -> SyncRun:
    run = sync_start(dataset=dataset, trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    return run


def test_a_vendor_is_linked_by_search_to_a_company_whose_name_differs(
    page, log_in, screenshot, approver, sage_company, connected
):
    # The firm was renamed: Sage has "Acme Concrete, Inc.", the directory "Hill Country Builders".
    renamed = company_create(name="Hill Country Builders", city="Dallas")
    company_create(name="Hillside Paving", city="Austin")
    sync("vendors")
    staged = StagedRecord.objects.get(kind="vendor", origin_id="ACMECON")
    log_in(approver)

    page.goto(integrations("vendors", "ready_to_import"))
    row = table_row(page, "ACMECON")
    expect(row).to_contain_text("No company with a similar name: search by name above.")
    target = row.locator(f"select[name=target-{staged.pk}]")
    row.get_by_placeholder("Search all companies by name").fill("country")
    expect(target.locator("optgroup[data-search-results] option")).to_have_text(["Hill Country Builders (Dallas)"])
    expect(target).to_have_value(str(renamed.pk))  # the first result is chosen …
    expect(row.locator("input[name=ids]")).to_be_checked()  # … and its row selected
    screenshot("1-found-by-search")

    page.get_by_role("button", name="Link to the chosen companies").click()

    expect(page.locator("ul.messagelist li.success")).to_contain_text("Link to the chosen companies: 1 item:")
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    expect(table_row(page, "ACMECON")).to_have_count(0)
    screenshot("2-linked")
    renamed.refresh_from_db()
    assert (renamed.erp_company_id, renamed.name) == ("ACMECON", "Hill Country Builders")
    assert Company.objects.count() == 2  # no duplicate

    page.locator(".erp-views").get_by_role("link", name="Synced").click()
    expect(table_row(page, "Hill Country Builders").locator("strong")).to_have_text("ACMECON")
    screenshot("3-synced")


def test_a_sage_job_is_added_as_a_project_and_the_importer_opens_it(
    page, log_in, screenshot, approver, synced_cost_codes
):
    creator = project_template(project_admin=Level.ADMIN, budget=Level.ADMIN)
    creator.assign_to_project_creator = True
    creator.save(update_fields=["assign_to_project_creator"])
    sync("jobs")
    sync("sub-jobs")
    log_in(approver)

    page.goto(integrations("sub-jobs", "ready_to_import"))
    expect(page.locator(".erp-waiting")).to_contain_text("1 Sage extra waits for its job (24-101)")
    expect(page.locator(".erp-sync")).to_contain_text("1 extra waiting for its job")
    screenshot("1-extra-waiting")

    page.goto(integrations("jobs", "ready_to_import"))
    row = table_row(page, "24-101")
    expect(row).to_contain_text("Elm Street Medical Office")
    row.locator("input[name=ids]").check()
    screenshot("2-ready-to-import")
    page.get_by_role("button", name="Add as new projects").click()

    expect(page.locator("ul.messagelist li.success")).to_contain_text("Add as new projects: 1 item:")
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    screenshot("3-added")
    project = Project.objects.get(number="24-101")

    page.locator("ul.messagelist li.info").get_by_role("link", name="24-101").click()  # the message's link
    expect(page).to_have_url(reverse("admin:projects_project_change", args=[project.pk]))
    expect(page.locator("#content")).to_contain_text("Elm Street Medical Office")
    screenshot("4-project-opened")


def test_a_running_sync_shows_its_progress_without_a_reload(page, log_in, screenshot, approver, connected):
    run = SyncRun.objects.create(dataset="vendors", trigger=SyncRun.Trigger.MANUAL, status=SyncRun.Status.RUNNING,
                                 pages_done=1, records_seen=2000)
    log_in(approver)
    page.goto(integrations("vendors", "ready_to_import"))
    box = page.locator("#erp-sync")
    expect(box).to_contain_text("Running: 2,000 read so far (1 page)")
    page.evaluate("window.notReloaded = true")
    screenshot("1-running")

    SyncRun.objects.filter(pk=run.pk).update(pages_done=3, records_seen=6000)
    expect(box).to_contain_text("Running: 6,000 read so far (3 pages)", timeout=8000)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCEEDED, created=5800, unchanged=200,
                                             explained={"linked companies updated by auto-update (telephone)": {
                                                 "one": "linked company updated by auto-update (telephone)",
                                                 "count": 3}})

    expect(box).to_contain_text("6,000 read from Sage 300 CRE, 5,800 new, 0 changed, 200 unchanged", timeout=8000)
    expect(box).to_contain_text("3 linked companies updated by auto-update (telephone)")
    expect(box.locator("[data-sync-status]")).to_have_text("Succeeded")
    expect(box.get_by_role("link", name="Show the updated list")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    screenshot("2-finished")
