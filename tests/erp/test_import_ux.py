"""Importing from Sage that people understand (issue 8): who sees an imported project, linking a vendor
whose name differs, live sync progress and counts that say what happened."""

from __future__ import annotations

import pytest

from apps.access.models import Level, PermissionTemplate, ProjectMembership
from apps.access.selectors import visible_projects
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.projects.erp import job_add_as_project
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
