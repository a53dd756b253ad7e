"""The ERP Integrations page in the admin: views per tab, buttons by permission, actions via services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.erp.item_types import ItemType
from apps.companies.services import company_create
from apps.erp import services
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.projects.models import Project
from apps.projects.services import project_create
from apps.sage300.models import Job
from tests.access.helpers import join, make_user

URL = reverse("erp-integrations")


@pytest.fixture
def ready_project(synced_cost_codes, pm, join_project):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    join_project(pm, project)
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    return project


def test_ready_to_export_lists_the_project_with_the_prefilled_job_id(client, approver, ready_project):
    client.force_login(approver)

    page = client.get(URL, {"tab": "jobs", "view": "ready_to_export"}).content.decode()

    assert "26-105 McKinney Fire Station No. 9" in page
    assert 'name="field-%d-sage_job_id" value="26-105"' % ready_project.pk in page
    assert 'value="accept"' in page


def test_approver_accepts_from_the_page(client, approver, ready_project, django_capture_on_commit_callbacks):
    client.force_login(approver)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"tab": "jobs", "view": "ready_to_export", "op": "accept", "ids": [ready_project.pk],
                                     f"field-{ready_project.pk}-sage_job_id": "26-105"}, follow=True)

    ready_project.refresh_from_db()
    assert ready_project.erp_status == "synced"
    assert Job.objects.filter(job="26-105").exists()
    assert "Accepted for export: 1 item:" in response.content.decode()


def test_read_only_user_sees_the_lists_but_no_buttons_and_a_forged_post_changes_nothing(client, ready_project):
    viewer = make_user(erp=Level.READ_ONLY)
    join(viewer, ready_project, project_admin=Level.READ_ONLY)  # the queue shows a viewer their projects only
    client.force_login(viewer)

    page = client.get(URL, {"tab": "jobs", "view": "ready_to_export"}).content.decode()
    response = client.post(URL, {"tab": "jobs", "view": "ready_to_export", "op": "accept", "ids": [ready_project.pk]},
                           follow=True)

    assert "26-105" in page and 'value="accept"' not in page
    assert "needs Admin on ERP Integrations and the Can Push to Accounting privilege" in response.content.decode()
    ready_project.refresh_from_db()
    assert ready_project.erp_status == "ready_to_export"


def test_users_without_the_erp_tool_get_403(client, db):
    client.force_login(make_user(erp=Level.NONE))

    assert client.get(URL).status_code == 403


def test_reject_needs_a_comment(client, approver, ready_project):
    client.force_login(approver)

    response = client.post(URL, {"tab": "jobs", "view": "ready_to_export", "op": "reject", "ids": [ready_project.pk],
                                 "comment": ""}, follow=True)

    assert "Say why you reject it" in response.content.decode()
    ready_project.refresh_from_db()
    assert ready_project.erp_status == "ready_to_export"


def test_vendor_ready_to_import_suggests_and_links(client, approver, sage_company, connected):
    hub = company_create(name="Brightline Electric")
    sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    staged = StagedRecord.objects.get(origin_id="BRIGHTELEC")
    client.force_login(approver)

    page = client.get(URL, {"tab": "vendors", "view": "ready_to_import"}).content.decode()
    client.post(URL, {"tab": "vendors", "view": "ready_to_import", "op": "import:link", "ids": [staged.pk],
                      f"target-{staged.pk}": hub.pk})

    assert f'<option value="{hub.pk}">Brightline Electric' in page
    hub.refresh_from_db()
    assert hub.erp_company_id == "BRIGHTELEC"


def test_sync_now_queues_a_run_and_refuses_a_second(client, approver, sage_company, connected):
    client.force_login(approver)

    client.post(URL, {"tab": "vendors", "view": "ready_to_import", "op": "sync"})
    second = client.post(URL, {"tab": "vendors", "view": "ready_to_import", "op": "sync"}, follow=True)

    assert SyncRun.objects.filter(dataset="vendors").count() == 1
    assert "sync is already running" in second.content.decode()


def test_failed_exports_show_the_message_and_resolution(client, approver, ready_project):
    Project.objects.filter(pk=ready_project.pk).update(
        erp_status="failed_to_export", erp_error_message="Job has been closed.",
        erp_error_resolution="Reopen job 26-105 in Sage 300 CRE, then press Retry.",
    )
    client.force_login(approver)

    page = client.get(URL, {"tab": "jobs", "view": "failed_to_export"}).content.decode()

    assert "Job has been closed." in page
    assert "Reopen job 26-105 in Sage 300 CRE, then press Retry." in page
    assert 'value="retry"' in page


def test_the_synced_sub_jobs_list_needs_the_directory_too(client, db):
    # P#34: Standard on ERP Integrations and (Admin on Directory, or Standard with Create New Project).
    client.force_login(make_user(erp=Level.STANDARD, directory=Level.READ_ONLY))

    page = client.get(URL, {"tab": "sub-jobs", "view": "synced"}).content.decode()

    assert "View a List of Synced Sub Jobs needs" in page
    client.force_login(make_user(erp=Level.STANDARD, directory=Level.ADMIN))
    assert "View a List of Synced Sub Jobs needs" not in client.get(URL, {"tab": "sub-jobs", "view": "synced"}).content.decode()
