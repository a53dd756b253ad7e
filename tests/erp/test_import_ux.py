"""Importing from Sage that people understand (issue 8): who sees an imported project, linking a vendor
whose name differs, live sync progress and counts that say what happened."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.access.models import Level, PermissionTemplate, ProjectMembership
from apps.access.selectors import visible_projects
from apps.companies.erp import vendor_link_search, vendor_link_to_company, vendor_suggested_matches
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.core.exceptions import Conflict
from apps.erp.item_types import ItemType
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.services import erp_link, erp_settings_save
from apps.erp.sync import sync_run_summary, sync_start
from apps.projects.erp import job_add_as_project
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from tests.access.helpers import make_user, project_template


def sync(dataset: str) -> SyncRun:
    run = sync_start(dataset=dataset, trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    return run


@pytest.fixture
def creator_template(db):
    return project_template(project_admin=Level.ADMIN, budget=Level.ADMIN)


def mark_for_creators(template: PermissionTemplate) -> PermissionTemplate:
    template.assign_to_project_creator = True
    template.save(update_fields=["assign_to_project_creator"])
    return template


# --- an imported project is visible to whoever imported it ------------------------------------------


def test_a_project_added_from_a_sage_job_is_on_the_importers_team_with_the_creator_template(
    synced_cost_codes, approver, creator_template
):
    mark_for_creators(creator_template)
    sync("jobs")

    project = job_add_as_project(staged=StagedRecord.objects.get(kind="job", origin_id="24-101"), actor=approver)

    assert list(visible_projects(approver)) == [project]
    membership = ProjectMembership.objects.get(project=project)
    assert (membership.user, membership.template) == (approver, creator_template)


def test_an_imported_project_is_still_seen_by_nobody_else(synced_cost_codes, approver, creator_template):
    mark_for_creators(creator_template)
    sync("jobs")
    bystander = make_user(erp=Level.ADMIN)

    job_add_as_project(staged=StagedRecord.objects.get(kind="job", origin_id="24-101"), actor=approver)

    assert list(visible_projects(bystander)) == []


def test_the_importer_sees_the_added_project_from_the_page_and_it_opens(client, synced_cost_codes, approver,
                                                                        creator_template):
    mark_for_creators(creator_template)
    sync("jobs")
    client.force_login(approver)
    staged = StagedRecord.objects.get(kind="job", origin_id="24-101")

    response = client.post(reverse("erp-integrations"), {"tab": "jobs", "view": "ready_to_import",
                                                        "op": "import:add", "ids": [staged.pk]}, follow=True)
    project = StagedRecord.objects.get(pk=staged.pk).linked_object_id

    assert "Add as new projects: 1 item:" in response.content.decode()
    assert "not on the team" not in response.content.decode()
    open_link = reverse("admin:projects_project_change", args=[project])
    assert f'Open: <a href="{open_link}">24-101' in response.content.decode()
    assert client.get(reverse("admin:projects_project_change", args=[project])).status_code == 200


def test_without_a_creator_template_the_importer_is_told_why_they_cannot_open_the_project(
    client, synced_cost_codes, approver
):
    sync("jobs")
    client.force_login(approver)
    staged = StagedRecord.objects.get(kind="job", origin_id="24-101")

    response = client.post(reverse("erp-integrations"), {"tab": "jobs", "view": "ready_to_import",
                                                        "op": "import:add", "ids": [staged.pk]}, follow=True)

    assert ("You are not on the team of project 24-101, so you cannot open it yet: no project permission template "
            "is marked &#x27;give this template to whoever creates a project&#x27;.") in response.content.decode()
    assert "Open: " not in response.content.decode()  # no link to a page that would refuse


# --- linking a Sage vendor: suggestions in words, then a search over every unlinked company -------------



URL = reverse("erp-integrations")
TARGETS = reverse("erp-import-targets")


def staged_vendor(vendor_id: str) -> StagedRecord:
    return StagedRecord.objects.get(kind="vendor", origin_id=vendor_id)


def test_suggested_matches_say_why_in_words_not_a_raw_score(client, sage_company, connected, approver):
    company_create(name="Acme Concrete", city="Dallas")  # Sage: "Acme Concrete, Inc."
    company_create(name="Brightline Electrical", city="Plano")  # Sage: "Brightline Electric, Inc."
    sync("vendors")
    client.force_login(approver)

    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()

    assert "Acme Concrete (Dallas) — same name" in page
    assert "Brightline Electrical (Plano) — very similar name" in page
    assert "(1.00)" not in page and "(0.9" not in page
    assert [m.reason for m in vendor_suggested_matches(staged=staged_vendor("ACMECON"))] == ["Same name"]


def test_suggestions_find_names_written_in_other_cases_or_with_the(sage_company, connected):
    the = company_create(name="The Brightline Electric Co")
    shouting = company_create(name="BRIGHTLINE ELECTRIC")
    company_create(name="Dallas Brightline Electric")  # starts with another word: found by search, not suggested
    sync("vendors")

    matches = vendor_suggested_matches(staged=staged_vendor("BRIGHTELEC"))

    assert [(m.company, m.reason) for m in matches] == [(shouting, "Same name"), (the, "Same name")]


def test_a_vendor_whose_name_differs_is_linked_to_the_company_found_by_search(client, sage_company, connected, approver):
    # The firm was renamed: Sage still has "Acme Concrete, Inc.", Trestle knows it as "Hill Country Builders".
    renamed = company_create(name="Hill Country Builders", city="Dallas")
    sync("vendors")
    client.force_login(approver)
    assert vendor_suggested_matches(staged=staged_vendor("ACMECON")) == []

    found = client.get(TARGETS, {"tab": "vendors", "action": "link", "q": "country build"}).json()
    response = client.post(URL, {"tab": "vendors", "view": "ready_to_import", "op": "import:link",
                                 "ids": [staged_vendor("ACMECON").pk],
                                 f"target-{staged_vendor('ACMECON').pk}": found["results"][0]["id"]}, follow=True)

    assert found["results"] == [{"id": renamed.pk, "label": "Hill Country Builders (Dallas)"}]
    renamed.refresh_from_db()
    assert (renamed.erp_company_id, renamed.name) == ("ACMECON", "Hill Country Builders")
    assert Company.objects.count() == 1  # no duplicate company
    assert "Link to the chosen companies: 1 item: vendor ACMECON Acme Concrete, Inc." in response.content.decode()
    assert "Inc.." not in response.content.decode()  # one full stop, though the name ends in one


def test_the_page_offers_the_search_box_on_each_vendor_row(client, sage_company, connected, approver):
    sync("vendors")
    client.force_login(approver)

    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()

    assert page.count('data-target-search="target-') == 2
    assert "No company with a similar name: search by name above." in page


def test_the_search_offers_only_companies_that_can_be_linked_and_at_most_twenty(sage_company, connected):
    for n in range(25):
        company_create(name=f"Hill Country Builders {n:02}")
    archived = company_create(name="Hill Country Builders Old")
    Company.objects.filter(pk=archived.pk).update(is_archived=True)
    linked = company_create(name="Hill Country Builders Linked")
    erp_link(item_type=ItemType.COMPANY, obj=linked, erp_id="BRIGHTELEC")

    found = vendor_link_search("hill country")

    assert len(found) == 20
    assert {label for _, label in found} == {f"Hill Country Builders {n:02}" for n in range(20)}
    assert vendor_link_search("h") == []  # too short to search


def test_the_search_answers_only_to_people_who_may_link_vendors(client, sage_company, connected):
    company_create(name="Hill Country Builders")
    viewer = make_user(erp=Level.READ_ONLY)
    client.force_login(viewer)

    refused = client.get(TARGETS, {"tab": "vendors", "action": "link", "q": "hill"})
    unknown = client.get(TARGETS, {"tab": "jobs", "action": "add", "q": "hill"})

    assert refused.status_code == 403 and "Hill" not in refused.content.decode()
    assert unknown.status_code == 404 and "error" in unknown.json()


def test_a_search_result_that_cannot_be_linked_is_refused_with_a_reason(sage_company, connected, approver):
    sync("vendors")
    linked = company_create(name="Hill Country Builders")
    erp_link(item_type=ItemType.COMPANY, obj=linked, erp_id="BRIGHTELEC")

    with pytest.raises(Conflict, match="already linked to vendor BRIGHTELEC"):
        vendor_link_to_company(staged=staged_vendor("ACMECON"), target=linked, actor=approver)


def test_suggestions_for_a_page_of_vendors_cost_the_same_queries_for_two_rows_or_twenty(
    client, sage_company, connected, approver
):
    for n in range(30):
        company_create(name=f"Supplier {n:02} Concrete")
    sync("vendors")
    client.force_login(approver)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).status_code == 200
        return len(queries)

    few = page_queries()
    with at_sage_desktop():
        for n in range(18):
            sage.vendor_create(vendor=f"SUP{n:02}", name=f"Supplier {n:02} Concrete LLC")
    sync("vendors")
    many = page_queries()

    assert StagedRecord.objects.filter(kind="vendor").count() == 20
    assert many == few


# --- live progress of a running sync ---------------------------------------------------------------------


def progress_url(run: SyncRun) -> str:
    return reverse("erp-sync-progress", args=[run.pk])


def test_a_running_sync_reports_its_progress_and_the_page_polls_it(client, connected, approver):
    run = SyncRun.objects.create(dataset="vendors", trigger=SyncRun.Trigger.MANUAL, status=SyncRun.Status.RUNNING,
                                 pages_done=2, records_seen=4000)
    client.force_login(approver)

    progress = client.get(progress_url(run)).json()
    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()

    assert (progress["status"], progress["finished"], progress["records_seen"]) == ("running", False, 4000)
    assert progress["summary"] == ["Running: 4,000 read so far (2 pages)"]
    assert f'data-progress-url="{progress_url(run)}"' in page


def test_when_the_run_ends_its_progress_carries_the_counts(client, sage_company, connected, approver):
    run = sync("vendors")
    client.force_login(approver)

    progress = client.get(progress_url(run)).json()
    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()

    assert (progress["status"], progress["finished"]) == ("succeeded", True)
    assert progress["summary"][0] == "2 read from Sage 300 CRE, 2 new, 0 changed, 0 unchanged"
    assert "data-progress-url" not in page  # nothing to poll


def test_sync_progress_needs_erp_integrations_and_an_unknown_run_is_a_404(client, connected):
    run = SyncRun.objects.create(dataset="vendors", trigger=SyncRun.Trigger.MANUAL, status=SyncRun.Status.RUNNING)
    client.force_login(make_user(erp=Level.NONE))
    refused = client.get(progress_url(run))
    client.force_login(make_user(erp=Level.READ_ONLY))
    missing = client.get(reverse("erp-sync-progress", args=[run.pk + 1000]))

    assert refused.status_code == 403 and "records_seen" not in refused.json()
    assert missing.status_code == 404 and missing.json()["error"] == f"There is no sync run #{run.pk + 1000}."


# --- counts that say what happened -----------------------------------------------------------------------


def test_skipped_extras_say_why(client, sage_company, connected, approver):
    erp_settings_save(options={"import_extras_as_sub_jobs": False})
    client.force_login(approver)

    run = sync("sub-jobs")
    page = client.get(URL, {"tab": "sub-jobs", "view": "ready_to_import"}).content.decode()

    assert run.skipped == 1
    line = "1 extra skipped: &#x27;Add Sage extras as sub jobs&#x27; is off in the ERP settings"
    assert line in page


def test_new_extras_of_a_job_that_is_not_a_project_are_counted_as_waiting_for_their_job(
    client, sage_company, connected, approver
):
    client.force_login(approver)

    run = sync("sub-jobs")
    page = client.get(URL, {"tab": "sub-jobs", "view": "ready_to_import"}).content.decode()

    assert run.created == 1
    assert ("1 extra waiting for its job: add the job as a project (Jobs › Ready to Import) and it can be imported "
            "as a sub job") in page
    assert ("1 Sage extra waits for its job (24-101) to be added as a project: add the job from Jobs › Ready to "
            "Import (Add as new projects), then its extras are listed here.") in page


def test_extras_of_a_synced_job_are_not_waiting(synced_cost_codes, approver):
    sync("jobs")
    job_add_as_project(staged=StagedRecord.objects.get(kind="job", origin_id="24-101"), actor=approver)
    with at_sage_desktop():
        sage.extra_create(job="24-101", extra="SITE", description="Sitework")

    run = sync("sub-jobs")

    assert "waiting" not in " ".join(sync_run_summary(run))


def test_an_auto_update_of_a_linked_company_is_counted_and_named(client, sage_company, connected, approver):
    # The vendor did not change in Sage; switching auto-update on copies Sage's phone over Trestle's.
    company = company_create(name="Acme Concrete", city="Dallas", state="TX", zip="75201",
                             business_phone="(214) 555-9999")
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id="ACMECON")
    sync("vendors")
    erp_settings_save(options={"vendors_auto_update": True})
    client.force_login(approver)

    run = sync("vendors")
    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()

    company.refresh_from_db()
    assert company.business_phone == "(214) 555-0100"
    assert (run.updated, run.unchanged) == (0, 2)  # Sage's vendors themselves did not change
    assert "1 linked company updated by auto-update (telephone)" in sync_run_summary(run)
    assert "1 linked company updated by auto-update (telephone)" in page


def test_the_sync_run_page_says_what_happened(admin_client, sage_company, connected):
    erp_settings_save(options={"import_extras_as_sub_jobs": False})
    run = sync("sub-jobs")

    page = admin_client.get(reverse("admin:erp_syncrun_change", args=[run.pk])).content.decode()

    assert "1 extra skipped: &#x27;Add Sage extras as sub jobs&#x27; is off in the ERP settings" in page


def test_the_sync_runs_list_says_what_the_skipped_count_means(admin_client, sage_company, connected):
    erp_settings_save(options={"import_extras_as_sub_jobs": False})
    sync("sub-jobs")

    page = admin_client.get(reverse("admin:erp_syncrun_changelist")).content.decode()

    assert "1 extra skipped: &#x27;Add Sage extras as sub jobs&#x27; is off in the ERP settings" in page


def test_the_api_gives_the_runs_summary(sage_company, connected, approver):
    from tests.access.helpers import api_client

    erp_settings_save(options={"import_extras_as_sub_jobs": False})
    run = sync("sub-jobs")

    body = api_client(approver).get(f"/api/v1/erp/syncs/{run.pk}/").json()

    assert body["summary"][1] == "1 extra skipped: 'Add Sage extras as sub jobs' is off in the ERP settings"


def test_skipped_summary_cost_codes_say_why_on_the_page(client, sage_company, connected, approver):
    client.force_login(approver)

    run = sync("cost-codes")
    page = client.get(URL, {"tab": "cost-codes"}).content.decode()

    assert run.skipped == 1  # 01-000 General Requirements is a summary code
    assert "1 summary cost code (like 01-000) skipped: summary codes take no costs" in sync_run_summary(run)
    assert "1 summary cost code (like 01-000) skipped: summary codes take no costs" in page


def test_a_search_with_a_nul_character_is_answered(client, sage_company, connected, approver):
    """A NUL in the address is refused with a message by the one middleware that guards every page (a 500 on
    PostgreSQL before); the search itself answers as soon as the address is clean."""
    company_create(name="Hill Country Builders")
    client.force_login(approver)

    refused = client.get(TARGETS, {"tab": "vendors", "action": "link", "q": "hill\x00"})
    response = client.get(TARGETS, {"tab": "vendors", "action": "link", "q": "hill"})

    assert refused.status_code == 400
    assert "NUL" in refused.content.decode()
    assert response.status_code == 200
    assert [r["label"] for r in response.json()["results"]] == ["Hill Country Builders"]
