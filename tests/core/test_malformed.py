"""Malformed input is a 400 or a 404 with a message, never a 500 (issue 8, Build 8).

The clients here do not re-raise the view's exception, so a 500 shows as a 500, as a caller would see it.
"""

from __future__ import annotations

import pytest
from django.contrib import messages as django_messages
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.access.models import Level
from apps.erp.models import StagedRecord
from tests.access.helpers import make_user

DEEP_JSON = "[" * 50_000 + "]" * 50_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.fixture
def approver(db):
    return make_user(username="approver", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN)


def api_as(user) -> APIClient:
    api = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def admin_as(user) -> Client:
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    return browser


# --- deeply nested JSON -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_on_the_unauthenticated_login_is_a_400_with_a_message(body):
    answer = APIClient(raise_request_exception=False).generic(
        "POST", "/api/v1/auth/token/", body, content_type="application/json"
    )

    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/companies/", "/api/v1/erp/syncs/",
                                  "/api/v1/sub-jobs/", "/api/v1/project-cost-codes/"])
def test_deeply_nested_json_on_an_endpoint_is_a_400(admin_user, path):
    answer = api_as(admin_user).generic("POST", path, DEEP_JSON, content_type="application/json")

    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]


# --- ids that Python's int()/isdigit() accept -----------------------------------------------------


@pytest.mark.parametrize("pk", ["%C2%B2", "%E2%91%A0", "%D9%A1", "1" * 25, "-1", "0"],
                         ids=["superscript-two", "circled-one", "arabic-one", "25-digits", "negative", "zero"])
@pytest.mark.parametrize("route", ["projects/{pk}/erp/accept/", "sub-jobs/{pk}/erp/retry/",
                                   "companies/{pk}/erp/unlink/", "projects/{pk}/erp/send/"])
def test_odd_ids_on_the_erp_routes_are_404(approver, pk, route):
    answer = api_as(approver).post(f"/api/v1/{route.format(pk=pk)}", {}, format="json")

    assert answer.status_code == 404, answer.content


def _messages(response) -> list[str]:
    return [str(message) for message in django_messages.get_messages(response.wsgi_request)]


@pytest.mark.parametrize("ids", ["²", "①", "1" * 25], ids=["superscript-two", "circled-one", "25-digits"])
def test_odd_ids_posted_to_the_erp_page_are_a_message(approver, ids):
    answer = admin_as(approver).post(
        "/admin/erp/integrations/", {"tab": "jobs", "view": "ready_to_export", "op": "reject", "ids": ids}, follow=True
    )

    assert answer.status_code == 200
    assert any("not rows of this list" in text for text in _messages(answer)), _messages(answer)


@pytest.mark.parametrize("target", ["²", "1" * 25], ids=["superscript-two", "25-digits"])
def test_an_odd_link_target_posted_to_the_erp_page_is_a_message(approver, target):
    staged = StagedRecord.objects.create(kind="vendor", origin_id="ACME", name="Acme", data={}, content_hash="x")
    answer = admin_as(approver).post(
        "/admin/erp/integrations/",
        {"tab": "vendors", "view": "ready_to_import", "op": "import:link", "ids": str(staged.pk),
         f"target-{staged.pk}": target},
        follow=True,
    )

    assert answer.status_code == 200
    assert any("Choose the company to link" in text for text in _messages(answer)), _messages(answer)


@pytest.mark.parametrize("tab", ["jobs", "vendors", "sub-jobs", "cost-codes", "bogus"])
def test_a_bogus_view_shows_the_tab_default_view(approver, tab):
    answer = admin_as(approver).get("/admin/erp/integrations/", {"tab": tab, "view": "bogus", "page": "²"})

    assert answer.status_code == 200


# --- NUL characters in a query string ----------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/api/v1/projects/?search=%00", "/api/v1/companies/?search=a%00b", "/api/v1/projects/?number=%00",
    "/api/v1/companies/?erp_company_id=%00", "/api/v1/erp/queue/?type=%00", "/api/v1/erp/syncs/?dataset=%00",
    "/api/v1/standard-cost-codes/?search=%00",
])
def test_a_nul_in_an_api_query_string_is_a_400(admin_user, path):
    answer = api_as(admin_user).get(path)

    assert answer.status_code == 400
    assert "NUL" in answer.json()["detail"]


@pytest.mark.parametrize("path", [
    "/admin/projects/project/?q=%00", "/admin/companies/company/?q=%00", "/admin/erp/integrations/?q=%00",
    "/admin/erp/integrations/?tab=vendors&view=ready_to_import&q=%00", "/admin/sage300/vendor/?q=%00",
])
def test_a_nul_in_an_admin_query_string_is_a_400(admin_user, path):
    answer = admin_as(admin_user).get(path)

    assert answer.status_code == 400
    assert b"NUL" in answer.content


def test_nul_checks_leave_ordinary_searches_alone(admin_user):
    assert api_as(admin_user).get("/api/v1/projects/?search=Elm").status_code == 200
    assert admin_as(admin_user).get("/admin/projects/project/?q=Elm").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL in text; SQLite stores it")
@pytest.mark.parametrize("path", ["/admin/erp/integrations/?q=%00",
                                  "/admin/erp/integrations/?tab=vendors&view=ready_to_import&q=%00"])
def test_on_postgresql_a_nul_search_would_reach_the_database_without_the_check(admin_user, settings, path):
    """Why the check exists: without it, PostgreSQL's refusal of the ERP page's search is a 500 (the API's
    filters and Django's changelist search refuse NUL themselves; the check answers them all the same way)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RejectNul" not in m]
    answer = admin_as(admin_user).get(path)

    assert answer.status_code == 500
