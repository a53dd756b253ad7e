"""Browser: who sees what on ERP Integrations (issue 8, Build 9) — a project manager sees their own
project's items only; a Read Only user is told the Archived vendors list needs Standard (P#38)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.access.models import Level
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord
from apps.projects.models import Project
from apps.projects.services import project_create
from tests.access.helpers import join, make_user
from tests.e2e.conftest import CHROMIUM_MISSING, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

INTEGRATIONS = reverse("erp-integrations")


def test_a_project_manager_sees_only_their_projects_in_ready_to_export(page, log_in, screenshot):
    ours = project_create(number="26-301", name="Elm Street Clinic")
    theirs = project_create(number="26-302", name="Harbor Warehouse")
    Project.objects.filter(pk__in=[ours.pk, theirs.pk]).update(erp_status=ErpStatus.READY_TO_EXPORT,
                                                                erp_sent_at=timezone.now())
    pm = make_user(username="pm-scope", erp=Level.STANDARD)
    join(pm, ours, project_admin=Level.ADMIN)

    log_in(pm)
    page.goto(f"{INTEGRATIONS}?tab=jobs&view=ready_to_export")
    screenshot("ready-to-export")

    rows = page.locator("table.erp-table tbody tr")
    expect(rows.filter(has_text="26-301 Elm Street Clinic")).to_be_visible()
    expect(rows.filter(has_text="Harbor Warehouse")).to_have_count(0)
    expect(page.locator(".erp-views")).to_contain_text("1")


def test_read_only_is_told_the_archived_vendors_need_standard(page, log_in, screenshot):
    StagedRecord.objects.create(kind="vendor", origin_id="OLDCO", name="Old Company Ltd", data={}, content_hash="x",
                                status=StagedRecord.Status.ARCHIVED)
    viewer = make_user(username="viewer-scope", erp=Level.READ_ONLY, directory=Level.READ_ONLY)

    log_in(viewer)
    page.goto(f"{INTEGRATIONS}?tab=vendors&view=archived")
    screenshot("archived-refused")

    expect(page.locator(".erp-empty.erp-error")).to_contain_text("Standard")
    expect(page.get_by_text("Old Company Ltd")).to_have_count(0)
