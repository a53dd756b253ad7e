"""Shared pytest setup: every test may use both databases (Trestle's and the embedded Sage's)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=["default", "sage"]))
