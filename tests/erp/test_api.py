"""The ERP routes of the API: /erp/<action>/ on exportable resources, the queue, sync runs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.access.models import Level
from apps.erp.models import SyncRun
from apps.projects.services import project_create
from apps.sage300.models import Job
from tests.access.helpers import make_user


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def project(synced_cost_codes, pm, join_project):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    join_project(pm, project)
    return project


def test_send_then_accept_through_the_api(project, pm, approver, django_capture_on_commit_callbacks):
    sent = client_for(pm).post(f"/api/v1/projects/{project.pk}/erp/send/", {}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client_for(approver).post(
            f"/api/v1/projects/{project.pk}/erp/accept/", {"erp_id": "26-105"}, format="json"
        )

    assert sent.status_code == 200
    assert sent.json()["erp"]["status"] == "ready_to_export"
    assert accepted.status_code == 200, accepted.json()
    body = client_for(pm).get(f"/api/v1/projects/{project.pk}/").json()
    assert body["sage_job_id"] == "26-105"
    assert body["erp"]["status"] == "synced"
    assert body["erp"]["erp_id"] == "26-105"
    assert body["erp"]["approved_by"] == "approver"
    assert Job.objects.filter(job="26-105").count() == 1


def test_a_second_accept_is_a_409_and_a_pm_accept_is_a_403(project, pm, approver, django_capture_on_commit_callbacks):
    client_for(pm).post(f"/api/v1/projects/{project.pk}/erp/send/", {}, format="json")

    refused = client_for(pm).post(f"/api/v1/projects/{project.pk}/erp/accept/", {"erp_id": "X"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(approver).post(f"/api/v1/projects/{project.pk}/erp/accept/", {"erp_id": "26-105"}, format="json")
    again = client_for(approver).post(f"/api/v1/projects/{project.pk}/erp/accept/", {"erp_id": "26-105"}, format="json")

    assert refused.status_code == 403
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_bad_input_is_a_400_with_field_messages(project, pm, approver):
    client_for(pm).post(f"/api/v1/projects/{project.pk}/erp/send/", {}, format="json")

    no_comment = client_for(approver).post(f"/api/v1/projects/{project.pk}/erp/reject/", {}, format="json")
    too_long = client_for(approver).post(
        f"/api/v1/projects/{project.pk}/erp/accept/", {"erp_id": "X" * 13}, format="json"
    )

    assert no_comment.status_code == 400
    assert no_comment.json()["errors"] == {"comment": ["Say why you reject it; the sender sees your comment."]}
    assert too_long.status_code == 400
    assert too_long.json()["errors"] == {"sage_job_id": ["[Job] is too long, maximum length is 12 characters."]}
    project.refresh_from_db()
    assert project.erp_status == "ready_to_export"


def test_the_queue_lists_ready_to_export_items_for_erp_users_only(project, pm, approver):
    client_for(pm).post(f"/api/v1/projects/{project.pk}/erp/send/", {}, format="json")

    listed = client_for(approver).get("/api/v1/erp/queue/", {"type": "project"})
    nobody = client_for(make_user(erp=Level.NONE)).get("/api/v1/erp/queue/")
    bad = client_for(approver).get("/api/v1/erp/queue/", {"erp_status": "lost"})

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["label"] == "26-105 McKinney Fire Station No. 9"
    assert nobody.status_code == 403
    assert bad.status_code == 400


def test_start_a_sync_run_and_refuse_a_second(sage_company, connected, approver):
    api = client_for(approver)

    first = api.post("/api/v1/erp/syncs/", {"dataset": "vendors"}, format="json")
    second = api.post("/api/v1/erp/syncs/", {"dataset": "vendors"}, format="json")
    unknown = api.post("/api/v1/erp/syncs/", {"dataset": "payroll"}, format="json")

    assert first.status_code == 202
    assert first.json()["dataset"] == "vendors"
    assert second.status_code == 409
    assert unknown.status_code == 400
    assert SyncRun.objects.count() == 1
    assert api.get(f"/api/v1/erp/syncs/{first.json()['id']}/").json()["status"] == "queued"


def test_the_synced_sub_jobs_list_needs_the_directory_too(db):
    reader = client_for(make_user(erp=Level.STANDARD))

    refused = reader.get("/api/v1/erp/queue/", {"type": "sub_job", "erp_status": "synced"})
    mixed = reader.get("/api/v1/erp/queue/", {"erp_status": "synced"})

    assert refused.status_code == 403
    assert refused.json()["message"].startswith("View a List of Synced Sub Jobs needs")
    assert mixed.status_code == 200
