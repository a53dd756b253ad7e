import pytest
from rest_framework.test import APIClient

from apps.access import services
from apps.access.models import Level
from apps.projects.models import Project
from tests.access.helpers import make_user, project_template


@pytest.fixture
def api():
    return APIClient()


def test_token_login_returns_a_token_that_authenticates(api, db):
    make_user(username="pm", erp=Level.STANDARD)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="pm")
    user.set_password("s3cret-pass")
    user.save()

    response = api.post("/api/v1/auth/token/", {"username": "pm", "password": "s3cret-pass"}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "pm"


def test_token_login_with_a_wrong_password_is_a_400_with_a_message(api, db):
    make_user(username="pm")

    response = api.post("/api/v1/auth/token/", {"username": "pm", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_me_needs_authentication(api, db):
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_me_lists_levels_actions_and_projects(api, db):
    user = make_user(erp=Level.ADMIN, can_push=True, directory=Level.READ_ONLY)
    alpha = Project.objects.create(number="A-1", name="Alpha")
    Project.objects.create(number="B-1", name="Bravo")
    services.project_membership_set(user=user, project=alpha, template=project_template(budget=Level.ADMIN))
    api.force_authenticate(user)

    body = api.get("/api/v1/me/").json()

    assert body["is_accounting_approver"] is True
    assert body["company_levels"] == {"erp_integrations": "Admin", "directory": "Read Only", "company_admin": "None"}
    assert "accept_reject_project" in body["company_actions"]
    assert [project["project_number"] for project in body["projects"]] == ["A-1"]
    assert body["projects"][0]["levels"]["budget"] == "Admin"
    assert body["projects"][0]["levels"]["commitments"] == "None"


def test_schema_and_docs_need_login(client, db):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code == 302
