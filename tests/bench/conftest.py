"""Benchmarks: `make bench` (not part of `make test`). Each prints a line of its results table."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=["default", "sage"]))


RESULTS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        terminalreporter.write_line("")
        terminalreporter.write_line(f"{'benchmark':<48} {'result':>14} {'target':>12}  verdict")
        for line in RESULTS:
            terminalreporter.write_line(line)
