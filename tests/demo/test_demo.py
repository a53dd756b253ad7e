"""The demo loads, loads again without changes, and every page a demo user can reach renders."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.companies.models import Company
from apps.demo.loader import seed_demo
from apps.erp.models import StagedRecord
from apps.erp.selectors import tabs
from apps.projects.models import Project
from apps.sage300.models import GLPeriod, Job, Vendor


@pytest.fixture
def demo(db):
    return seed_demo()


def test_demo_loads_a_sage_company_and_a_connected_hub(demo):
    assert Job.objects.count() == 3
    assert Vendor.objects.count() >= 40
    assert Vendor.objects.filter(inactive=True).count() == 1
    assert list(GLPeriod.objects.filter(status="Closed").values_list("fiscal_year", "period")) == [(2026, 9)]
    assert Project.objects.get(number="24-101").erp_status == "synced"
    assert Project.objects.get(number="26-105").erp_status == "ready_to_export"
    assert Company.objects.filter(erp_company_id__isnull=False).count() == 12
    assert StagedRecord.objects.filter(kind="vendor", status="staged").exists()
    assert set(get_user_model().objects.values_list("username", flat=True)) >= {"admin", "approver", "pm", "viewer"}


def test_demo_is_idempotent(demo):
    counts = (Job.objects.count(), Vendor.objects.count(), Project.objects.count(), Company.objects.count(),
              StagedRecord.objects.count(), get_user_model().objects.count())

    again = seed_demo()

    assert again["users"] == []
    assert all(count == 0 for count in again["sage"].values())
    assert counts == (Job.objects.count(), Vendor.objects.count(), Project.objects.count(), Company.objects.count(),
                      StagedRecord.objects.count(), get_user_model().objects.count())


def test_demo_refuses_users_in_production(db, settings):
    settings.PRODUCTION = True

    result = seed_demo()

    assert result["users"] == []
    assert "Production mode" in result["users_refused"]
    assert not get_user_model().objects.filter(username__in=["admin", "pm"]).exists()


def test_demo_password_logs_in(demo, client):
    assert client.login(username="approver", password="trestle")
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("username", ["admin", "approver", "pm", "viewer"])
def test_every_admin_page_a_demo_user_can_reach_renders(demo, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    urls = ["/admin/", "/api/v1/me/", "/api/docs/"]
    for model, model_admin in admin.site._registry.items():
        request = type("R", (), {"user": get_user_model().objects.get(username=username)})()
        if model_admin.has_view_permission(request):
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    urls.append(reverse("erp-integrations"))
    for tab in tabs():
        urls.append(f"{reverse('erp-integrations')}?tab={tab.key}")
        urls.extend(f"{reverse('erp-integrations')}?tab={tab.key}&view={view}" for view in tab.views)

    statuses = {url: client.get(url).status_code for url in urls}

    assert {url: code for url, code in statuses.items() if code >= 500} == {}
    if username == "viewer":
        assert statuses[reverse("erp-integrations")] == 200  # Read Only sees the tool's lists
    if username == "admin":
        assert statuses[reverse("admin:sage300_job_changelist")] == 200


def test_admin_sees_the_sage_section_with_the_demo_company(demo, client):
    client.force_login(get_user_model().objects.get(username="admin"))

    index = client.get("/admin/").content.decode()
    jobs = client.get(reverse("admin:sage300_job_changelist")).content.decode()

    assert "Sage 300 CRE" in index
    assert "Elm Street Medical Office" in jobs


def test_only_company_admins_reach_the_sage_desk(demo, client):
    client.force_login(get_user_model().objects.get(username="pm"))

    assert client.get(reverse("admin:sage300_job_changelist")).status_code == 403
    assert 'href="/admin/sage300/"' not in client.get("/admin/").content.decode()
