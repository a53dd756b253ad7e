"""Driving the export engine by hand in tests: a clock that can jump ahead, and a worker queue.

In the tests the task queue runs inline, and a non-transactional test never commits, so the
engine's ``transaction.on_commit`` enqueue would either run at once or never. These helpers
replace the queue with a list that the test drains with named workers, and move time forward
(lease expiry, backoffs, the hourly rate limit) without sleeping.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django.core.management import call_command
from django.utils import timezone

from apps.erp import export
from apps.erp.models import ExportAttempt

_real_now = timezone.now


class Clock:
    """``timezone.now`` for the engine, Sage's hourly window and ``auto_now`` fields, ``offset`` ahead of real time."""

    def __init__(self) -> None:
        self.offset = datetime.timedelta()

    def __call__(self) -> datetime.datetime:
        return _real_now() + self.offset

    def advance(self, **delta) -> datetime.datetime:
        self.offset += datetime.timedelta(**delta)
        return self()


class WorkerKilled(BaseException):
    """The worker process died (SIGKILL, OOM): not an Exception, so nothing in the engine catches it."""


class Workers:
    """The task queue: ``enqueue_attempts`` appends here; ``drain`` runs the queue with named workers."""

    def __init__(self) -> None:
        self.queue: list[int] = []
        self.killed: list[tuple[int, str]] = []  # (attempt id, worker) of every run that died
        self.runs = 0

    def enqueue(self, attempt_ids) -> None:
        self.queue.extend(attempt_ids)

    def run(self, attempt_id: int, worker: str) -> str:
        self.runs += 1
        try:
            return export.export_attempt_run(attempt_id=attempt_id, worker=worker)
        except WorkerKilled:
            self.killed.append((attempt_id, worker))
            return "killed"

    def drain(self) -> list[str]:
        outcomes = []
        while self.queue:
            outcomes.append(self.run(self.queue.pop(0), worker=f"worker-{self.runs % 2 + 1}"))
        return outcomes


def active_attempts() -> int:
    return ExportAttempt.objects.filter(status__in=[ExportAttempt.Status.QUEUED, ExportAttempt.Status.RUNNING]).count()


def run_until_settled(
    clock: Clock, workers: Workers, *, rounds: int = 50, step=datetime.timedelta(hours=1),
    between_rounds: Callable[[], None] | None = None,
) -> int:
    """Reaper and workers, round after round, an hour apart, until no attempt is queued or running.

    An hour passes every backoff, every expired lease and the hourly rate limit. Returns the
    number of rounds it took; fails if the exports have not settled within ``rounds``.
    """
    for round_number in range(1, rounds + 1):
        if between_rounds is not None:
            between_rounds()
        if not active_attempts() and not workers.queue:
            return round_number - 1
        clock.advance(seconds=step.total_seconds())
        export.export_attempts_reap(now=clock())
        workers.drain()
    raise AssertionError(f"{active_attempts()} exports still queued or running after {rounds} rounds")


def run_command(name: str, *args) -> tuple[int, str]:
    """A management command's exit status and standard output."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def patch_write(monkeypatch, connector_class, record_class, replacement):
    """Replace how the connector writes ``record_class`` records — one at a time (``write_method``) and, when the
    record has one, many in one request (``write_many_method``, first tries go that way) — with
    ``replacement(self, record, *, idempotency_key)``. Returns the original one-record method."""
    real = getattr(connector_class, record_class.write_method)
    monkeypatch.setattr(connector_class, record_class.write_method, replacement)
    many = getattr(record_class, "write_many_method", None)
    if many:
        def write_many(self, records, *, idempotency_keys):
            return [replacement(self, record, idempotency_key=key) for record, key in zip(records, idempotency_keys)]

        monkeypatch.setattr(connector_class, many, write_many)
    return real
