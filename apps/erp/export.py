"""The export itself, in the worker: claim an attempt, write its steps, record the outcome.

Fail closed. Every exception is a counted try: an ``ErpError`` with the catalogue's message, any
other exception as ``unexpected_error``; a transient one waits and goes again by itself, up to
``MAX_TRIES``, and then the item is Failed to Export with a resolution that offers Retry. A worker
that dies leaves a lease that expires; the reaper re-queues the attempt, and that re-claim counts
as a try too.

Exactly once. Each step is written under its own key (the attempt's key and the step's name);
the steps written are recorded, and a retry resumes at the first step not done. From the second
try on, the ERP is first asked what it holds under each remaining step's identity
(``find_written``): a step already there is linked, not written again. Only the lease owner may
record an outcome, and only while the attempt is running; a write that lands after the attempt
ended is kept on its try as a late success, for ``erp_reconcile`` to report.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.core.bulk import bulk_update
from apps.erp import audit
from apps.erp.connector import get_connector
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.lifecycle import ERP_LIFECYCLE_FIELDS, ErpStatus
from apps.erp.models import ExportAttempt, ExportTry
from apps.erp.records import record_from_json
from apps.erp.registry import ErpDocument, document

logger = logging.getLogger(__name__)

MAX_TRIES = 5
BATCH = 50  # attempts per worker task
# The lease outlives the worker task's timeout (django-q2 kills a task after ``timeout`` seconds),
# so a live worker never loses its attempt to the reaper; it is renewed between steps as well.
TASK_TIMEOUT = timedelta(seconds=int(settings.Q_CLUSTER.get("timeout") or 300))
LEASE = TASK_TIMEOUT + timedelta(seconds=60)
RATE_LIMIT_WAIT = timedelta(hours=1)
EXPORT_CHANGE_REASON = "Exported to Sage 300 CRE"
# Shown instead of the catalogue's "Nothing to do: Trestle retries …" once the retries are used up.
GAVE_UP_RESOLUTION = (
    "Trestle tried {tries} times and stopped retrying by itself. Press Retry once Sage 300 CRE answers again: the "
    "retry uses the same idempotency key, so a write that did happen is linked, never duplicated."
)


def worker_name() -> str:
    # Unique per run: a late report is told apart from the new lease holder's by this name.
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[-100:]


# --- claiming -------------------------------------------------------------------------------------


def _claimable(now) -> Q:
    waiting_over = Q(not_before__isnull=True) | Q(not_before__lte=now)
    return (Q(status=ExportAttempt.Status.QUEUED) & waiting_over) | Q(
        status=ExportAttempt.Status.RUNNING, lease_expires_at__lt=now
    )


def _claim(attempt_ids: list[int], worker: str) -> list[tuple[ExportAttempt, ExportTry]]:
    """Take the claimable attempts among ``attempt_ids`` in one transaction; each claim is a try."""
    now = timezone.now()
    claimed, exhausted = [], []
    with transaction.atomic():
        queryset = ExportAttempt.objects.filter(_claimable(now), pk__in=attempt_ids).order_by("pk")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        else:
            queryset = queryset.select_for_update()
        attempts = list(queryset)
        if not attempts:
            return []
        reclaimed = [a.pk for a in attempts if a.status == ExportAttempt.Status.RUNNING]
        if reclaimed:  # their worker stopped mid-try
            ExportTry.objects.filter(attempt_id__in=reclaimed, outcome=ExportTry.Outcome.RUNNING).update(
                outcome=ExportTry.Outcome.LOST, finished_at=now,
                error_message="The worker stopped before the try finished; its lease ran out.",
            )
        for attempt in attempts:
            attempt.tries += 1
            if attempt.tries > MAX_TRIES:
                exhausted.append(attempt)
                continue
            attempt.status = ExportAttempt.Status.RUNNING
            attempt.lease_owner = worker
            attempt.lease_expires_at = now + LEASE
            attempt.started_at = attempt.started_at or now
            attempt.updated_at = now
            claimed.append(attempt)
        bulk_update(ExportAttempt, claimed, ["status", "lease_owner", "lease_expires_at", "started_at", "tries",
                                             "updated_at"])
        # A try's number counts every try of the attempt, across the fresh budgets Retry gives.
        last_numbers = dict(
            ExportTry.objects.filter(attempt__in=claimed).values("attempt").annotate(last=Max("number"))
            .values_list("attempt", "last")
        )
        tries = ExportTry.objects.bulk_create([
            ExportTry(attempt=attempt, number=last_numbers.get(attempt.pk, 0) + 1, worker=worker, started_at=now)
            for attempt in claimed
        ])
        if tries and tries[0].pk is None:  # backends without RETURNING on bulk insert
            by_attempt = {t.attempt_id: t for t in ExportTry.objects.filter(attempt__in=claimed, worker=worker)}
            tries = [by_attempt[attempt.pk] for attempt in claimed]
    for attempt in exhausted:
        # Interrupted again and again (each re-claim counts): stop here, with a resolution.
        _fail(attempt, None, ErpError("export_interrupted", tries=attempt.tries - 1), worker=None)
    return list(zip(claimed, tries))


def _renew(attempt: ExportAttempt, worker: str) -> bool:
    """Push the lease on between steps; False when the attempt is no longer ours."""
    now = timezone.now()
    if attempt.lease_expires_at and attempt.lease_expires_at - now > LEASE / 2:
        return True
    renewed = ExportAttempt.objects.filter(
        pk=attempt.pk, status=ExportAttempt.Status.RUNNING, lease_owner=worker
    ).update(lease_expires_at=now + LEASE)
    attempt.lease_expires_at = now + LEASE
    return bool(renewed)


# --- running --------------------------------------------------------------------------------------


def export_attempts_run(*, attempt_ids: list[int], worker: str | None = None) -> list[str]:
    """Run a batch of export attempts. Safe to call any number of times, from any number of workers.

    The batch is claimed in one transaction; each attempt's writes go to the ERP one after the other;
    failures are recorded at once, and the batch's successes together in one transaction at the end.
    A worker that dies before that leaves leases the reaper hands on: the next try finds the writes
    in the ERP and records them.
    """
    worker = worker or worker_name()
    outcomes, written = {}, []
    claimed = _claim(list(attempt_ids), worker)
    batched, alone = _batches(claimed)
    results = [(attempt, try_row, _run(attempt, try_row, worker)) for attempt, try_row in alone]
    for method, group in batched.items():
        results.extend(_run_batch(method, group, worker))
    for attempt, try_row, outcome in results:
        if isinstance(outcome, _Written):
            written.append((attempt, try_row, outcome.steps))
        else:
            outcomes[attempt.pk] = outcome
    if written:
        outcomes.update(_succeed_many(written, worker))
    return [outcomes.get(attempt_id, "not claimable") for attempt_id in attempt_ids]


def export_attempt_run(*, attempt_id: int, worker: str | None = None) -> str:
    return export_attempts_run(attempt_ids=[attempt_id], worker=worker)[0]


class _Superseded(Exception):
    """The lease was lost between steps: another worker owns the attempt now."""


@dataclass
class _Written:
    """Every remaining step of an attempt is in the ERP; what each step's write (or lookup) answered."""

    steps: dict[str, dict]


def _run(attempt: ExportAttempt, try_row: ExportTry, worker: str) -> str | _Written:
    doc = document(attempt.item_type)
    written: dict[str, dict] = {}
    try:
        connector = get_connector()
        steps = [(step["name"], record_from_json(step["record"])) for step in attempt.plan]
        done = dict(attempt.steps_done or {})
        todo = [(name, record) for name, record in steps if name not in done]
        earlier_tries = try_row.number > 1
        if earlier_tries and todo:
            # An earlier try may have written some of these before its answer was lost: ask first.
            for (name, _), found in zip(todo, connector.find_written([record for _, record in todo])):
                if found is None:
                    continue
                if not found.same:
                    raise ErpError(found.conflict or "invalid_format", detail=found.conflict,
                                   **_context(attempt, found.data))
                written[name] = {"erp_id": found.erp_id, "recovered": True, **found.data}
            todo = [(name, record) for name, record in todo if name not in written]
        for index, (name, record) in enumerate(todo):
            if index and not _renew(attempt, worker):
                raise _Superseded
            written[name] = _write(doc, attempt, connector, name, record, earlier_tries=earlier_tries)
            if index < len(todo) - 1:
                _record_steps(attempt, worker, written)
    except _Superseded:
        return _superseded(try_row, written)
    except ErpError as error:
        return _fail(attempt, try_row, error, worker=worker, written=written)
    except Exception as error:  # noqa: BLE001 - every exception is a counted try (fail closed)
        logger.exception("Export attempt %s failed unexpectedly", attempt.pk)
        detail = f"{type(error).__name__}: {error}"[:500]
        return _fail(attempt, try_row, ErpError("unexpected_error", detail=detail), worker=worker, written=written)
    return _Written(written)


def _batches(claimed):
    """Split the claimed attempts: first tries of one-step exports the connector writes many at a time, by
    write method, and the rest (retries ask the ERP first, and multi-step exports go step by step)."""
    connector = get_connector()
    batched: dict[str, list] = defaultdict(list)
    alone = []
    for attempt, try_row in claimed:
        todo = [step for step in attempt.plan if step["name"] not in (attempt.steps_done or {})]
        method = None
        if try_row.number == 1 and len(attempt.plan) == 1 and len(todo) == 1:
            method = getattr(record_from_json(todo[0]["record"]), "write_many_method", None)
        if method and hasattr(connector, method):
            batched[method].append((attempt, try_row))
        else:
            alone.append((attempt, try_row))
    return batched, alone


def _run_batch(method: str, group: list, worker: str) -> list:
    """One request for many first tries: each record's answer, or refusal, is that attempt's outcome.

    If the request itself fails (Sage did not answer), every attempt of the group has that failure
    (and a transient one goes again, each on its own, asking Sage first what it already has).
    """
    connector = get_connector()
    steps = [(attempt.plan[0]["name"], record_from_json(attempt.plan[0]["record"])) for attempt, _ in group]
    try:
        answers = getattr(connector, method)(
            [record for _, record in steps],
            idempotency_keys=[attempt.step_key(name) for (attempt, _), (name, _) in zip(group, steps)],
        )
    except ErpError as error:
        return [(attempt, try_row, _fail(attempt, try_row, error, worker=worker)) for attempt, try_row in group]
    except Exception as error:  # noqa: BLE001 - every exception is a counted try (fail closed)
        logger.exception("Export batch of %s attempts failed unexpectedly", len(group))
        failure = ErpError("unexpected_error", detail=f"{type(error).__name__}: {error}"[:500])
        return [(attempt, try_row, _fail(attempt, try_row, failure, worker=worker)) for attempt, try_row in group]
    results = []
    for (attempt, try_row), (name, record), answer in zip(group, steps, answers):
        doc = document(attempt.item_type)
        try:
            if isinstance(answer, ErpError):
                step = _linked_instead(doc, attempt, connector, name, record, answer, earlier_tries=False)
            else:
                step = _answered(answer)
        except ErpError as error:
            results.append((attempt, try_row, _fail(attempt, try_row, error, worker=worker)))
            continue
        results.append((attempt, try_row, _Written({name: step})))
    return results


def _context(attempt: ExportAttempt, data: dict) -> dict:
    return {"job": attempt.erp_code, "vendor": attempt.erp_code, "code": attempt.erp_code, **data}


def _write(doc: ErpDocument, attempt: ExportAttempt, connector, name: str, record, *, earlier_tries: bool) -> dict:
    write = getattr(connector, record.write_method)
    try:
        result = write(record, idempotency_key=attempt.step_key(name))
    except ErpError as error:
        return _linked_instead(doc, attempt, connector, name, record, error, earlier_tries=earlier_tries)
    return _answered(result)


def _answered(result) -> dict:
    return {"erp_id": result.erp_id, "linked_existing": result.linked_existing, **result.data}


def _linked_instead(doc: ErpDocument, attempt: ExportAttempt, connector, name: str, record, error: ErpError, *,
                    earlier_tries: bool) -> dict:
    """A write refused because the ERP already holds a record under this identity: when it is this very one (an
    earlier write whose answer was lost, or — where the document allows it — an identical record), link it.
    Otherwise the refusal stands."""
    entry = CATALOGUE.get(error.code)
    if not (entry and entry.means_exists):
        raise error
    (found,) = connector.find_written([record])
    ours = earlier_tries or name != attempt.plan[0]["name"] or doc.links_identical
    if found is None or not found.same or not ours:
        raise error
    return {"erp_id": found.erp_id, "linked_existing": True, **found.data}


def _record_steps(attempt: ExportAttempt, worker: str, written: dict) -> None:
    """Keep the steps written so far, so that a later try resumes after them."""
    done = {**(attempt.steps_done or {}), **written}
    updated = ExportAttempt.objects.filter(
        pk=attempt.pk, status=ExportAttempt.Status.RUNNING, lease_owner=worker
    ).update(steps_done=done, updated_at=timezone.now())
    if not updated:
        raise _Superseded
    attempt.steps_done = done


# --- outcomes ---------------------------------------------------------------------------------------


def _owned(attempt_id: int, worker: str | None) -> ExportAttempt | None:
    attempt = ExportAttempt.objects.select_for_update().get(pk=attempt_id)
    if worker is not None and (attempt.status != ExportAttempt.Status.RUNNING or attempt.lease_owner != worker):
        return None
    return attempt


def _finish_try(try_row: ExportTry | None, outcome: str, *, steps: dict | None = None, error: ErpError | None = None):
    if try_row is None:
        return
    try_row.outcome = outcome
    try_row.finished_at = timezone.now()
    try_row.steps = steps or {}
    if error is not None:
        try_row.error_code, try_row.error_message = error.code, error.message
    try_row.save(update_fields=["outcome", "finished_at", "steps", "error_code", "error_message"])


@transaction.atomic
def _superseded(try_row: ExportTry, written: dict) -> str:
    # Our lease ran out and another worker took the attempt over; what we wrote is kept on our try.
    _finish_try(try_row, ExportTry.Outcome.LATE_SUCCESS if written else ExportTry.Outcome.SUPERSEDED, steps=written)
    return "superseded"


@transaction.atomic
def _succeed_many(written: list[tuple[ExportAttempt, ExportTry, dict]], worker: str) -> dict[int, str]:
    """Record the batch's exports: the items synced with their ERP ids, attempts and tries ended, the log.

    Only attempts this worker still owns are recorded. Someone else's (its lease ran out), or one that
    has ended meanwhile (failed, and perhaps rejected since), is a late success: it changes nothing,
    stays on its try, and erp_reconcile reports the ERP record it wrote.
    """
    now = timezone.now()
    outcomes: dict[int, str] = {}
    current = {a.pk: a for a in ExportAttempt.objects.select_for_update().filter(
        pk__in=[attempt.pk for attempt, _, _ in written]).order_by("pk")}
    owned: dict[str, list[tuple[ExportAttempt, ExportTry, dict]]] = defaultdict(list)
    late_tries = []
    for attempt, try_row, steps in written:
        attempt = current[attempt.pk]
        if attempt.status != ExportAttempt.Status.RUNNING or attempt.lease_owner != worker:
            late_tries.append(_ended_try(try_row, ExportTry.Outcome.LATE_SUCCESS, steps=steps, now=now))
            outcomes[attempt.pk] = "late success"
        else:
            owned[attempt.item_type].append((attempt, try_row, steps))
    attempts, tries, transitions = [], late_tries, []
    for item_type, rows in owned.items():
        doc = document(item_type)
        objects = doc.model.objects.select_for_update().in_bulk([attempt.object_id for attempt, _, _ in rows])
        synced, fields = [], set()
        for attempt, try_row, steps in rows:
            results = {**(attempt.steps_done or {}), **steps}
            obj = objects.get(attempt.object_id)
            if obj is None or obj.erp_status != ErpStatus.EXPORTING:
                error = ErpError("item_deleted", label=doc.label) if obj is None else ErpError(
                    "unexpected_error", detail=f"the {doc.label} is {obj.get_erp_status_display().lower()}, not exporting"
                )
                tries.append(_ended_try(try_row, ExportTry.Outcome.LATE_SUCCESS, steps=steps, now=now, error=error))
                attempts.append(_ended(attempt, ExportAttempt.Status.FAILED, now=now, steps_done=results, error=error))
                outcomes[attempt.pk] = "late success"
                continue
            ordered = {step["name"]: results[step["name"]] for step in attempt.plan}
            from_status = obj.erp_status
            fields.update(doc.apply_synced(obj, attempt.payload, ordered))
            obj.erp_export_succeeded()
            obj.erp_synced_at = obj.updated_at = now
            synced.append(obj)
            first = next(iter(ordered.values()))
            recovered = any(result.get("recovered") for result in ordered.values())
            attempt.linked_existing = any(result.get("linked_existing") for result in ordered.values())
            attempt.result = {"erp_id": first["erp_id"], "recovered": recovered, "steps": ordered}
            attempts.append(_ended(attempt, ExportAttempt.Status.SUCCEEDED, now=now, steps_done=ordered))
            tries.append(_ended_try(try_row, ExportTry.Outcome.SUCCEEDED, steps=steps, now=now))
            transitions.append(audit.export_succeeded(doc, obj, from_status, erp_id=first["erp_id"],
                                                      linked_existing=attempt.linked_existing, attempt_id=attempt.pk,
                                                      recovered=recovered))
            outcomes[attempt.pk] = "succeeded"
        if synced:
            # The ERP id is a change the ERP made: it goes into the item's change history too, as Trestle's own
            # (never the person whose request happened to run the worker inline).
            for obj in synced:
                obj._history_user = None
            bulk_update(doc.model, synced, [*ERP_LIFECYCLE_FIELDS, *sorted(fields), "updated_at"],
                        history_reason=EXPORT_CHANGE_REASON)
    bulk_update(ExportAttempt, attempts, ["status", "finished_at", "lease_expires_at", "updated_at", "steps_done",
                                          "result", "linked_existing", "error_code", "error_message"])
    bulk_update(ExportTry, tries, ["outcome", "finished_at", "steps", "error_code", "error_message"])
    audit.log_many(transitions)
    return outcomes


def _ended(attempt: ExportAttempt, status: str, *, now, steps_done=None, error: ErpError | None = None):
    attempt.status, attempt.finished_at, attempt.lease_expires_at, attempt.updated_at = status, now, None, now
    if steps_done is not None:
        attempt.steps_done = steps_done
    if error is not None:
        attempt.error_code, attempt.error_message = error.code, f"{error.message}\n{error.resolution}".strip()
    return attempt


def _ended_try(try_row: ExportTry, outcome: str, *, steps: dict, now, error: ErpError | None = None) -> ExportTry:
    try_row.outcome, try_row.finished_at, try_row.steps = outcome, now, steps or {}
    if error is not None:
        try_row.error_code, try_row.error_message = error.code, error.message
    return try_row


def _end_attempt(attempt: ExportAttempt, status: str, *, error: ErpError | None = None, steps_done=None) -> None:
    now = timezone.now()
    attempt.status = status
    attempt.finished_at = now
    attempt.lease_expires_at = None
    attempt.updated_at = now
    if steps_done is not None:
        attempt.steps_done = steps_done
    if error is not None:
        attempt.error_code, attempt.error_message = error.code, f"{error.message}\n{error.resolution}".strip()
    attempt.save(update_fields=["status", "finished_at", "lease_expires_at", "updated_at", "steps_done", "result",
                                "linked_existing", "error_code", "error_message"])


@transaction.atomic
def _fail(attempt: ExportAttempt, try_row: ExportTry | None, error: ErpError, *, worker: str | None,
          written: dict | None = None) -> str:
    locked = _owned(attempt.pk, worker)
    if locked is None:
        # Our lease ran out and the reaper gave the attempt to another worker, whose outcome stands
        # (it may already have exported it): a late failure from us must not undo it.
        _finish_try(try_row, ExportTry.Outcome.LATE_SUCCESS if written else ExportTry.Outcome.SUPERSEDED,
                    steps=written, error=error)
        return "superseded"
    attempt = locked
    doc = document(attempt.item_type)
    steps_done = {**(attempt.steps_done or {}), **(written or {})}
    transient = error.transient
    if transient and attempt.tries < MAX_TRIES and worker is not None:
        # Wait and go again with the same key: the reaper re-enqueues it when due.
        wait = RATE_LIMIT_WAIT if error.code == "rate_limited" else timedelta(seconds=2 ** attempt.tries)
        attempt.status = ExportAttempt.Status.QUEUED
        attempt.not_before = timezone.now() + wait
        attempt.lease_expires_at = None
        attempt.steps_done = steps_done
        attempt.error_code, attempt.error_message = error.code, f"{error.message}\n{error.resolution}".strip()
        attempt.save(update_fields=["status", "not_before", "lease_expires_at", "steps_done", "error_code",
                                    "error_message", "updated_at"])
        _finish_try(try_row, ExportTry.Outcome.WILL_RETRY, steps=written, error=error)
        return f"will retry after {wait}"
    resolution = GAVE_UP_RESOLUTION.format(tries=attempt.tries) if transient else error.resolution
    _end_attempt(attempt, ExportAttempt.Status.FAILED, steps_done=steps_done)
    attempt.error_code, attempt.error_message = error.code, f"{error.message}\n{resolution}".strip()
    attempt.save(update_fields=["error_code", "error_message"])
    _finish_try(try_row, ExportTry.Outcome.FAILED, steps=written, error=error)
    obj = doc.model.objects.select_for_update().filter(pk=attempt.object_id).first()
    if obj is not None and obj.erp_status == ErpStatus.EXPORTING:
        from_status = obj.erp_status
        obj.erp_export_failed(code=error.code, message=error.message, resolution=resolution)
        obj.save(update_fields=[*ERP_LIFECYCLE_FIELDS, "updated_at"])
        audit.log(audit.export_failed(doc, obj, from_status, error={**error.as_dict(), "resolution": resolution},
                                      attempt_id=attempt.pk))
    return "failed"


# --- the reaper -------------------------------------------------------------------------------------


def export_attempts_reap(*, now=None) -> list[int]:
    """Re-enqueue attempts whose worker died (lease expired), whose wait is over, or that were never
    picked up. Returns their ids."""
    now = now or timezone.now()
    due = ExportAttempt.objects.filter(
        Q(status=ExportAttempt.Status.RUNNING, lease_expires_at__lt=now)
        | Q(status=ExportAttempt.Status.QUEUED, not_before__lte=now)
        | Q(status=ExportAttempt.Status.QUEUED, not_before__isnull=True, updated_at__lt=now - timedelta(minutes=2))
    ).order_by("pk").values_list("pk", flat=True)
    ids = list(due)
    if ids:
        from apps.erp.services import enqueue_attempts

        enqueue_attempts(ids)
        # A re-queued attempt that waits in the queue is not re-queued again at the next pass.
        ExportAttempt.objects.filter(pk__in=ids, status=ExportAttempt.Status.QUEUED).update(
            updated_at=now, not_before=None
        )
    return ids


__all__ = ["BATCH", "LEASE", "MAX_TRIES", "export_attempt_run", "export_attempts_reap", "export_attempts_run"]
