"""API pagination: one page read from the database, and a count that stops at COUNT_LIMIT (issue 8)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.core.api import pagination
from apps.projects.models import Project


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def twelve_projects(db):
    Project.objects.bulk_create(Project(number=f"P{index:02d}", name=f"Job {index}") for index in range(12))


def test_beyond_the_count_limit_the_count_says_so_and_every_page_is_reachable(api, twelve_projects, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)

    first = api.get("/api/v1/projects/", {"page_size": 2}).json()
    sixth = api.get("/api/v1/projects/", {"page_size": 2, "page": 6}).json()

    assert (first["count"], first["count_exact"]) == (5, False)
    assert first["next"].endswith("page=2&page_size=2")
    assert [row["number"] for row in sixth["results"]] == ["P10", "P11"]
    assert sixth["next"] is None and sixth["previous"].endswith("page=5&page_size=2")
    assert api.get("/api/v1/projects/", {"page_size": 2, "page": 7}).status_code == 404


def test_the_count_never_reads_past_the_limit(api, twelve_projects):
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/projects/", {"page_size": 2})

    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and f"LIMIT {pagination.COUNT_LIMIT + 1}" in counts[0]


def test_a_list_that_fits_on_its_page_needs_no_count_query(api, twelve_projects):
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/projects/", {"page_size": 50}).json()

    assert (body["count"], body["count_exact"], len(body["results"])) == (12, True, 12)
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]


@pytest.mark.parametrize("page", ["0", "-1", "²", "x", "last", "9" * 30])
def test_an_odd_page_number_is_a_404_with_a_message(api, twelve_projects, page):
    answer = api.get("/api/v1/projects/", {"page": page})

    assert answer.status_code == 404
    assert answer.json()["detail"]
