"""Unique-key races are a 400 on the field, for every resource, in one place (issue 8, Build 8).

The services check a project number or a sub job code before they write; two requests at the same moment
both pass that check and the database refuses the second. On PostgreSQL ten real concurrent requests show
it; on any database the same refusal is produced by skipping the services' check.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.projects import services as project_services
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create


def api_as(user) -> APIClient:
    api = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def test_a_project_number_refused_by_the_database_is_a_400_on_number(admin_user, monkeypatch):
    project_create(number="26-100", name="Existing")
    monkeypatch.setattr(project_services, "project_validate", lambda **kwargs: {})  # the race: the check passed

    answer = api_as(admin_user).post("/api/v1/projects/", {"number": "26-100", "name": "Second"}, format="json")

    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"] == {
        "number": ["A project with project number 26-100 already exists. Choose another project number."]
    }
    assert Project.objects.count() == 1


def test_a_sub_job_code_refused_by_the_database_is_a_400_on_code(admin_user, monkeypatch):
    project = project_create(number="26-100", name="Existing")
    SubJob.objects.create(project=project, code="BLDG", name="Building")
    monkeypatch.setattr(project_services, "sub_job_validate", lambda **kwargs: {})

    answer = api_as(admin_user).post(
        "/api/v1/sub-jobs/", {"project": project.pk, "code": "BLDG", "name": "Building B"}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"] == {
        "code": ["A sub job with code BLDG already exists on this project. Choose another code."]
    }


def test_an_integrity_error_that_is_no_unique_key_stays_a_fault(admin_user, monkeypatch):
    """Only unique keys become a 400; anything else the database refuses is a real fault (500)."""
    from django.db import IntegrityError

    def refuse(**kwargs):
        raise IntegrityError("NOT NULL constraint failed: projects_project.name")

    monkeypatch.setattr(project_services, "project_create", refuse)
    monkeypatch.setattr("apps.projects.api.project_create", refuse)

    answer = api_as(admin_user).post("/api/v1/projects/", {"number": "26-101", "name": "X"}, format="json")

    assert answer.status_code == 500


def _together(calls):
    barrier = threading.Barrier(len(calls))
    answers = []

    def run(call):
        try:
            barrier.wait()
            answers.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent transactions (SQLite runs one writer at a time)"
)


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "sage"])
def test_ten_concurrent_posts_of_one_project_number_give_one_201_and_nine_400s(admin_user):
    token = Token.objects.create(user=admin_user).key

    def post():
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api.post("/api/v1/projects/", {"number": "26-200", "name": "Race"}, format="json")

    answers = _together([post] * 10)

    assert sorted(answer.status_code for answer in answers) == [201] + [400] * 9
    for answer in answers:
        if answer.status_code == 400:
            assert list(answer.json()["errors"]) == ["number"], answer.content
            assert "26-200" in answer.json()["errors"]["number"][0]
    assert Project.objects.filter(number="26-200").count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "sage"])
def test_ten_concurrent_posts_of_one_sub_job_code_give_one_201_and_nine_400s(admin_user):
    token = Token.objects.create(user=admin_user).key
    project = project_create(number="26-201", name="Race")

    def post():
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api.post("/api/v1/sub-jobs/", {"project": project.pk, "code": "BLDG", "name": "B"}, format="json")

    answers = _together([post] * 10)

    assert sorted(answer.status_code for answer in answers) == [201] + [400] * 9
    assert {tuple(answer.json()["errors"]) for answer in answers if answer.status_code == 400} == {("code",)}
    assert SubJob.objects.filter(project=project, code="BLDG").count() == 1
