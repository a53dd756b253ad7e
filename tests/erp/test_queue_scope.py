"""Who sees what in the ERP queue (API and ERP Integrations page), and the queue's database pagination.

DECISIONS "Who sees the company-level queue": accounting approvers and company admins see every project's
items; anyone else with the tool sees only items of projects they are on (sub jobs by their project;
companies, company-wide, by the directory). PERMISSIONS.md row 38: the Archived vendors list needs Standard.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.access.models import Level
from apps.companies.models import Company
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create
from tests.access.helpers import join, make_user


def api_as(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def sent(*objects):
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(erp_status=ErpStatus.READY_TO_EXPORT, erp_sent_at=timezone.now())


@pytest.fixture
def two_projects(db):
    ours = project_create(number="26-001", name="Ours")
    theirs = project_create(number="26-002", name="Theirs")
    our_sub = SubJob.objects.create(project=ours, code="A", name="Ours A")
    their_sub = SubJob.objects.create(project=theirs, code="B", name="Theirs B")
    company = Company.objects.create(name="Acme Concrete")
    sent(ours, theirs, our_sub, their_sub, company)
    return ours, theirs, our_sub, their_sub, company


def queue_labels(user, **params) -> set[tuple[str, str]]:
    body = api_as(user).get("/api/v1/erp/queue/", params).json()
    return {(row["type"], row["label"]) for row in body["results"]}


@pytest.mark.parametrize("who", ["project manager", "viewer"])
def test_someone_who_is_not_an_approver_sees_only_their_projects_items(two_projects, who):
    ours = two_projects[0]
    if who == "project manager":
        user = make_user(erp=Level.STANDARD, directory=Level.READ_ONLY)
        join(user, ours, project_admin=Level.ADMIN)
    else:
        user = make_user(erp=Level.READ_ONLY, directory=Level.READ_ONLY)
        join(user, ours, project_admin=Level.READ_ONLY)

    assert queue_labels(user) == {("project", "26-001 Ours"), ("sub_job", _sub_label(two_projects[2])),
                                  ("company", "Acme Concrete")}
    assert api_as(user).get("/api/v1/erp/queue/").json()["count"] == 3


def _sub_label(sub_job):
    from apps.erp.registry import document_for

    return document_for(sub_job).describe(sub_job)


def test_without_the_directory_the_queue_shows_no_companies(two_projects):
    user = make_user(erp=Level.STANDARD)
    join(user, two_projects[0], project_admin=Level.ADMIN)

    assert {kind for kind, _ in queue_labels(user)} == {"project", "sub_job"}


@pytest.mark.parametrize("who", ["approver", "company admin"])
def test_approvers_and_company_admins_see_every_projects_items(two_projects, who):
    if who == "approver":
        user = make_user(erp=Level.ADMIN, can_push=True, directory=Level.READ_ONLY)
    else:
        user = make_user(erp=Level.READ_ONLY, company_admin=Level.ADMIN, directory=Level.READ_ONLY)

    labels = queue_labels(user)

    assert {label for kind, label in labels if kind == "project"} == {"26-001 Ours", "26-002 Theirs"}
    assert len([kind for kind, _ in labels if kind == "sub_job"]) == 2


def test_the_erp_page_lists_and_counts_only_the_users_projects(client, two_projects):
    user = make_user(erp=Level.STANDARD, directory=Level.READ_ONLY)
    join(user, two_projects[0], project_admin=Level.ADMIN)
    client.force_login(user)

    jobs = client.get("/admin/erp/integrations/", {"tab": "jobs", "view": "ready_to_export"})
    sub_jobs = client.get("/admin/erp/integrations/", {"tab": "sub-jobs", "view": "ready_to_export"})

    assert [row["label"] for row in jobs.context["rows"]] == ["26-001 Ours"]
    assert jobs.context["counts"]["ready_to_export"] == 1
    assert [row["obj"].code for row in sub_jobs.context["rows"]] == ["A"]
    assert sub_jobs.context["counts"]["ready_to_export"] == 1
    assert b"Theirs" not in jobs.content + sub_jobs.content


def test_the_erp_page_shows_an_approver_every_project(client, two_projects):
    client.force_login(make_user(erp=Level.ADMIN, can_push=True))

    jobs = client.get("/admin/erp/integrations/", {"tab": "jobs", "view": "ready_to_export"})

    assert jobs.context["counts"]["ready_to_export"] == 2


# --- the queue pages in the database, past 2,000 items ----------------------------------------------------


def test_the_queue_reaches_every_item_past_two_thousand(db):
    admin = make_user(erp=Level.ADMIN, can_push=True)
    now = timezone.now()
    Project.objects.bulk_create(
        Project(number=f"P{index:05d}", name=f"Job {index}", erp_status=ErpStatus.READY_TO_EXPORT, erp_sent_at=now)
        for index in range(2_050)
    )
    api = api_as(admin)

    first = api.get("/api/v1/erp/queue/", {"type": "project", "page_size": 500}).json()
    last = api.get("/api/v1/erp/queue/", {"type": "project", "page_size": 500, "page": 5}).json()
    every = api.get("/api/v1/erp/queue/", {"page_size": 500, "page": 5}).json()

    assert first["count"] == 2_050 and first["count_exact"] is True
    assert len(last["results"]) == 50 and last["next"] is None
    assert len(every["results"]) == 50
    seen = {row["id"] for page in range(1, 6)
            for row in api.get("/api/v1/erp/queue/", {"type": "project", "page_size": 500, "page": page}).json()["results"]}
    assert len(seen) == 2_050


def test_a_queue_page_mixing_types_follows_on_from_one_type_to_the_next(two_projects):
    admin = make_user(erp=Level.ADMIN, can_push=True, directory=Level.READ_ONLY)
    api = api_as(admin)

    pages = [api.get("/api/v1/erp/queue/", {"page_size": 2, "page": page}).json() for page in (1, 2, 3)]

    rows = [(row["type"], row["id"]) for page in pages for row in page["results"]]
    assert len(rows) == len(set(rows)) == 5
    assert pages[0]["count"] == 5 and pages[2]["next"] is None


# --- PERMISSIONS.md row 38 -------------------------------------------------------------------------------


def _archived_vendor():
    return StagedRecord.objects.create(kind="vendor", origin_id="OLDCO", name="Old Company Ltd", data={},
                                       content_hash="x", status=StagedRecord.Status.ARCHIVED)


def test_read_only_on_erp_integrations_does_not_see_the_archived_vendors(client, db):
    _archived_vendor()
    client.force_login(make_user(erp=Level.READ_ONLY, directory=Level.READ_ONLY))

    page = client.get("/admin/erp/integrations/", {"tab": "vendors", "view": "archived"})

    assert page.status_code == 200
    assert b"Old Company Ltd" not in page.content
    assert "archived" not in page.context["counts"]
    assert page.context["refused"]


def test_standard_on_erp_integrations_sees_the_archived_vendors(client, db):
    _archived_vendor()
    client.force_login(make_user(erp=Level.STANDARD, directory=Level.READ_ONLY))

    page = client.get("/admin/erp/integrations/", {"tab": "vendors", "view": "archived"})

    assert b"Old Company Ltd" in page.content
    assert page.context["counts"]["archived"] == 1
