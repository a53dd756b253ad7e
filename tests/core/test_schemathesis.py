"""Schemathesis against the served OpenAPI schema: generated requests never get a 5xx.

Bounded and deterministic: every GET, POST, PUT and PATCH operation of /api/v1/ is called with
``MAX_EXAMPLES`` valid (positive) and ``MAX_EXAMPLES`` invalid (negative) generated requests,
derandomized, without shrinking or the example database; detail routes are called both with
generated ids (mostly 404s) and with the id of a real row, so updates reach the services. The
calls go in-process to Django's WSGI application, signed in as a superuser with an API token.
"""

from __future__ import annotations

import logging

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from apps.companies.services import company_create
from apps.projects.services import sub_job_create
from apps.wbs.models import StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import api_client
from tests.wbs.helpers import cost_types, erp_list, project, standard_codes

MAX_EXAMPLES = 10
METHODS = ("GET", "POST", "PUT", "PATCH")
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, as a server runs it, inside the test's transaction.

    Like Django's test client, keep ``close_old_connections`` off the request signals: it would
    close the connection that holds the test transaction (PostgreSQL; SQLite in memory is spared).
    Done on every call, because the test client puts it back after each of its own requests.
    """
    handler = get_wsgi_application()

    def application(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def rows():
    """One real row per resource; returns the id to use for each detail path."""
    cost_types("L", "M")
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    job = project("1001")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    code = project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get())
    company = company_create(name="Acme Concrete")
    return {
        "/api/v1/projects/": job.pk,
        "/api/v1/sub-jobs/": phase.pk,
        "/api/v1/project-cost-codes/": code.pk,
        "/api/v1/standard-cost-codes/": StandardCostCode.objects.get().pk,
        "/api/v1/cost-types/": StandardCostCode.objects.get().default_cost_types.get().pk,
        "/api/v1/companies/": company.pk,
    }


def test_generated_requests_never_get_a_server_error(admin_user, rows, wsgi_app, caplog):
    # given: the schema as served, and a superuser's token
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of expected 4xx warnings
    client = api_client(admin_user)
    document = client.get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(document)
    token = f"Token {Token.objects.get(user=admin_user).key}"
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().method.upper() in METHODS and result.ok().path.startswith("/api/v1/")
    ]
    calls: list[tuple[str, str, int]] = []

    def run(strategy, label: str) -> None:
        @SETTINGS
        @given(case=strategy)
        def check(case):
            response = case.call(app=wsgi_app, headers={"Authorization": token})
            calls.append((label, case.formatted_path, response.status_code))
            assert response.status_code < 500, (
                f"{label} {case.formatted_path} query={case.query} body={case.body!r} → "
                f"{response.status_code}: {response.text[:500]}"
            )

        check()

    # when / then
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        spec = document["paths"][operation.path][operation.method.lower()]
        run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), f"{label} [positive]")
        if spec.get("parameters") or spec.get("requestBody"):  # else nothing can be made invalid
            run(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), f"{label} [negative]")
        real_id = rows.get(operation.path.split("{id}")[0]) if "{id}" in operation.path else None
        if real_id is not None:
            run(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters={"id": real_id}),
                f"{label} [positive, id {real_id}]",
            )
            if spec.get("requestBody"):
                run(
                    operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters={"id": real_id}),
                    f"{label} [negative, id {real_id}]",
                )

    assert {label.split(" [")[0] for label, _, _ in calls} == {
        f"{operation.method.upper()} {operation.path}" for operation in operations
    }
    assert len(operations) >= 20
