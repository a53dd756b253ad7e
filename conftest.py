"""Shared pytest setup: every test may use both databases (Trestle's and the embedded Sage's)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=["default", "sage"]))


@pytest.fixture(autouse=True)
def _fresh_sage_bridge_state():
    """The embedded Sage's per-process caches (its dials, this hour's request tally) start empty in every test,
    as they would in a new worker: a test's rolled-back rows must not live on in memory."""
    from apps.sage300 import faults

    faults.forget_company_dials()
    faults.forget_request_tally()
    yield
