"""Benchmarks: `make bench` (not part of `make test`). Each prints a line of its results table."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=["default", "sage"]))


RESULTS: list[str] = []


def report(name: str, value: float, target: float | None, *, unit: str = "s", copy_seconds: float | None = None,
           higher_is_better: bool = False, note: str = "") -> None:
    """One line of the results table: the figure, the raw COPY of the same rows beside it, the target."""
    if target is None:
        verdict = "—"
    else:
        verdict = "ok" if (value >= target if higher_is_better else value <= target) else "MISSED"
    copy = f"{copy_seconds:>9.3f} s" if copy_seconds is not None else f"{'':>11}"
    ratio = f"{value / copy_seconds:>7.1f}×" if copy_seconds else f"{'':>8}"
    target_text = f"{('≥ ' if higher_is_better else '≤ ')}{target:g} {unit}" if target is not None else ""
    RESULTS.append(f"{name:<58} {value:>10.2f} {unit:<5} {copy} {ratio}  {target_text:>12}  {verdict}"
                   + (f"  {note}" if note else ""))


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        terminalreporter.write_line("")
        terminalreporter.write_line(f"{'benchmark':<58} {'result':>16} {'raw COPY':>11} {'ratio':>8}  {'target':>12}  verdict")
        for line in RESULTS:
            terminalreporter.write_line(line)
