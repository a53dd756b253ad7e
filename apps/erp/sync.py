"""Sync runs: pulling a dataset from the ERP in pages, written in bulk (DESIGN §6).

A dataset never runs twice at once (a partial unique constraint on active runs). A run is a full
pass or reads only what changed since the last run (the ERP's change stamp, Sage's
``Date_Stamp``); the schedule reads changes every minute and makes a full pass on a slower beat,
which also notices records that are gone from the ERP. Each page is written in one transaction
through the one bulk path (``apps.core.bulk.upsert``); records whose content hash has not changed
cost no write. One bad record is counted and explained; the run carries on (R211).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.access.checks import require
from apps.core.bulk import JsonText, upsert
from apps.core.exceptions import Conflict
from apps.erp.connector import get_connector
from apps.erp.errors import ErpError
from apps.erp.models import StagedRecord, SyncRun, SyncSchedule
from apps.erp.registry import DatasetSpec, dataset, datasets

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
MAX_RECORDED_ERRORS = 200
# An incremental read starts no later than this long before the last read began: a change stamped
# just before a read but committed just after it (an ERP transaction shorter than this) is read next
# time, not lost.
CHANGE_STAMP_LOOKBACK = timedelta(seconds=10)


@dataclass
class PageOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    explained: dict[str, dict] = field(default_factory=dict)

    def fail(self, key: str, message: str, resolution: str = "") -> None:
        self.failed += 1
        self.errors.append({"record": key, "message": message, "resolution": resolution})

    def explain(self, count: int, one: str, many: str) -> None:
        """Say what ``count`` records of the page mean: ``one`` / ``many`` follow the number ("5 waiting for …").

        The same explanation on every page adds up to one line of the run's summary.
        """
        if count:
            _tally(self.explained, many, one, count)

    def add(self, other: PageOutcome) -> PageOutcome:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.failed += other.failed
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
        for many, entry in other.explained.items():
            _tally(self.explained, many, entry["one"], entry["count"])
        return self


def _tally(explained: dict[str, dict], many: str, one: str, count: int) -> None:
    entry = explained.setdefault(many, {"one": one, "count": 0})
    entry["count"] += count


def sync_run_summary(run: SyncRun) -> list[str]:
    """What a run did, in words: its counts, then what they mean (skipped and why, waiting, auto-updated)."""
    if run.status in (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING):
        read = f"{run.records_seen:,} read so far" if run.records_seen else "starting"
        return [f"{run.get_status_display()}: {read} ({run.pages_done} page{'s' if run.pages_done != 1 else ''})"]
    counts = [f"{run.records_seen:,} read from Sage 300 CRE", f"{run.created:,} new", f"{run.updated:,} changed",
              f"{run.unchanged:,} unchanged"]
    if run.skipped:
        counts.append(f"{run.skipped:,} skipped")
    if run.failed:
        counts.append(f"{run.failed:,} failed (see the run for each record and what to do)")
    lines = [", ".join(counts)]
    for many, entry in (run.explained or {}).items():
        count = entry.get("count", 0)
        lines.append(f"{count:,} {entry.get('one', many) if count == 1 else many}")
    lines.extend(run.notes or [])
    return lines


def dataset_spec(key: str) -> DatasetSpec:
    spec = dataset(key)
    if spec is None:
        known = ", ".join(spec.key for spec in datasets())
        raise Conflict(f"Unknown dataset {key!r}. Known datasets: {known}.", code="unknown_dataset")
    return spec


def _json_text(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def content_hash(data: dict) -> str:
    return hashlib.sha256(_json_text(data).encode()).hexdigest()


# --- starting and running ---------------------------------------------------------------------


def _last_high_water(spec: DatasetSpec):
    """Where the next incremental read starts: the safe floor the last good run left (see ``_finish``)."""
    return (
        SyncRun.objects.filter(dataset=spec.key, status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL],
                               high_water__isnull=False)
        .order_by("-finished_at", "-pk")
        .values_list("high_water", flat=True)
        .first()
    )


def sync_start(
    *, dataset: str, trigger: str, actor=None, run_inline: bool = False, mode: str = SyncRun.Mode.FULL
) -> SyncRun:
    """Queue a run of ``dataset``. Refused while the same dataset is queued or running.

    An incremental run with nothing to start from (no earlier run) is a full pass.
    """
    spec = dataset_spec(dataset)
    if actor is not None:
        require(actor, spec.action)
    sync_runs_expire_stale()
    changed_since = _last_high_water(spec) if mode == SyncRun.Mode.INCREMENTAL else None
    if changed_since is None:
        mode = SyncRun.Mode.FULL
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                dataset=spec.key, trigger=trigger, started_by=actor, mode=mode, changed_since=changed_since
            )
            if not run_inline:
                transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError:
        active = SyncRun.objects.filter(dataset=spec.key, status__in=["queued", "running"]).first()
        since = f" (since {timezone.localtime(active.queued_at):%Y-%m-%d %H:%M})" if active else ""
        raise Conflict(
            f"A {spec.label} sync is already running{since}; it will pick up the latest data.",
            code="sync_already_running",
        ) from None
    if run_inline:
        sync_run_execute(run_id=run.pk)
        run.refresh_from_db()
    return run


def _enqueue(run_id: int) -> None:
    from django_q.tasks import async_task

    async_task("apps.erp.tasks.sync_run_task", run_id, task_name=f"erp-sync-{run_id}", group="erp-sync")


def sync_run_execute(*, run_id: int) -> SyncRun:
    """Pull every page of the run's dataset. Resumes from the run's cursor if it was interrupted."""
    now = timezone.now()
    updated = SyncRun.objects.filter(pk=run_id, status__in=["queued", "running"]).update(
        status=SyncRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    run = SyncRun.objects.get(pk=run_id)
    if not updated:
        return run
    spec = dataset_spec(run.dataset)
    connector = get_connector()
    cursor = run.cursor or None
    seen: set[tuple[str, str]] = set()
    full = run.mode == SyncRun.Mode.FULL
    read_from = None  # the ERP's clock at the first page read
    try:
        while True:
            page = spec.read_page(connector, cursor, run.changed_since)
            if read_from is None:
                read_from = page.as_of
            if full and spec.staged_key:
                seen.update(spec.staged_key(record) for record in page.records)
            with transaction.atomic():
                outcome = spec.write_page(page.records, run)
                _record_page(run, outcome, len(page.records), page.next_cursor, page.high_water)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        if full and spec.staged_kind and not run.cursor and run.pages_done:
            run.gone = _mark_gone(spec, seen, run)
    except ErpError as error:
        run.errors = [*run.errors, {"record": "(connection)", "message": error.message, "resolution": error.resolution}]
        _finish(run, SyncRun.Status.FAILED)
        return run
    _finish(run, SyncRun.Status.PARTIAL if run.failed else SyncRun.Status.SUCCEEDED, read_from=read_from)
    return run


def _mark_gone(spec: DatasetSpec, seen: set[tuple[str, str]], run: SyncRun) -> int:
    """After a full pass: staged records the ERP no longer has are marked gone (and back when they return)."""
    now = timezone.now()
    rows = StagedRecord.objects.filter(kind=spec.staged_kind).values_list("pk", "parent_origin_id", "origin_id",
                                                                          "erp_deleted_at")
    gone = [pk for pk, parent, origin, deleted in rows if (parent, origin) not in seen and deleted is None]
    back = [pk for pk, parent, origin, deleted in rows if (parent, origin) in seen and deleted is not None]
    for start in range(0, len(gone), 1000):
        StagedRecord.objects.filter(pk__in=gone[start:start + 1000]).update(erp_deleted_at=now, updated_at=now)
    for start in range(0, len(back), 1000):
        StagedRecord.objects.filter(pk__in=back[start:start + 1000]).update(erp_deleted_at=None, updated_at=now)
    if gone:
        run.notes = [*run.notes, f"{len(gone)} no longer in Sage 300 CRE (hidden from Ready to Import)"]
    return len(gone)


def _record_page(run: SyncRun, outcome: PageOutcome, seen: int, next_cursor, high_water) -> None:
    run.pages_done += 1
    run.records_seen += seen
    run.created += outcome.created
    run.updated += outcome.updated
    run.unchanged += outcome.unchanged
    run.skipped += outcome.skipped
    run.failed += outcome.failed
    run.errors = (run.errors + outcome.errors)[:MAX_RECORDED_ERRORS]
    run.notes = run.notes + outcome.notes
    explained = {many: dict(entry) for many, entry in (run.explained or {}).items()}
    for many, entry in outcome.explained.items():
        _tally(explained, many, entry["one"], entry["count"])
    run.explained = explained
    run.cursor = next_cursor or ""
    if high_water is not None and (run.high_water is None or high_water > run.high_water):
        run.high_water = high_water
    run.heartbeat_at = timezone.now()
    run.save(
        update_fields=[
            "pages_done", "records_seen", "created", "updated", "unchanged", "skipped", "failed", "errors", "notes",
            "explained", "cursor", "high_water", "heartbeat_at",
        ]
    )


def _finish(run: SyncRun, status: str, *, read_from=None) -> None:
    """End the run; a good run leaves the floor the next incremental read starts from (``high_water``).

    The floor is the newest change stamp read (or, when nothing changed, the floor this run started
    from), but never later than the moment the read began less ``CHANGE_STAMP_LOOKBACK``: whatever
    was stamped before that had committed when this run read, so it was seen.
    """
    run.status = status
    run.finished_at = timezone.now()
    if status != SyncRun.Status.FAILED:
        newest = run.high_water if run.high_water is not None else run.changed_since
        if read_from is not None:
            safe = read_from - CHANGE_STAMP_LOOKBACK
            newest = safe if newest is None else min(newest, safe)
        run.high_water = newest
    run.save(update_fields=["status", "finished_at", "errors", "notes", "gone", "high_water"])


def sync_runs_expire_stale(*, now=None) -> int:
    """A run whose worker stopped sending heartbeats is marked failed, so the dataset can run again."""
    now = now or timezone.now()
    stale = SyncRun.objects.filter(status__in=["queued", "running"], heartbeat_at__lt=now - STALE_AFTER)
    stale_queued = SyncRun.objects.filter(status="queued", heartbeat_at__isnull=True, queued_at__lt=now - STALE_AFTER)
    count = 0
    for queryset in (stale, stale_queued):
        count += queryset.update(status=SyncRun.Status.FAILED, finished_at=now)
    return count


def sync_scheduled(*, dataset: str, now=None) -> str:
    """One tick of a dataset's schedule: a full pass when one is due, else the changes since the last run.

    A quiet tick (nothing changed) leaves no run behind, only the schedule's ``last_checked_at``:
    a minute's schedule does not bury the history in empty runs.
    """
    now = now or timezone.now()
    schedule = SyncSchedule.objects.filter(dataset=dataset).first()
    full_due = schedule is None or schedule.last_full_at is None or (
        now - schedule.last_full_at >= timedelta(minutes=schedule.full_every_minutes)
    )
    mode = SyncRun.Mode.FULL if full_due else SyncRun.Mode.INCREMENTAL
    try:
        run = sync_start(dataset=dataset, trigger=SyncRun.Trigger.SCHEDULED, mode=mode, run_inline=True)
    except Conflict as skipped:
        return skipped.message
    if schedule is not None:
        changes = {"last_checked_at": now}
        if run.mode == SyncRun.Mode.FULL and run.status != SyncRun.Status.FAILED:
            changes["last_full_at"] = now
        SyncSchedule.objects.filter(pk=schedule.pk).update(**changes)
    quiet = (
        run.mode == SyncRun.Mode.INCREMENTAL
        and run.status == SyncRun.Status.SUCCEEDED
        and run.records_seen == 0
    )
    if quiet:
        # Keep the place it read from for the next tick, on the last run that read something.
        run.delete()
        return "no changes"
    return run.status


# --- staging (Ready to Import) ------------------------------------------------------------------


def stage_records(
    *,
    kind: str,
    items: Iterable[tuple[str, str, str, dict]],
    linked: dict[tuple[str, str], int] | None = None,
) -> PageOutcome:
    """Upsert ``(parent_origin_id, origin_id, name, data)`` rows into Ready to Import, in bulk.

    Unchanged rows (same content hash, same link) are not written. Rows already linked to a
    Trestle object (``linked``: key → object id) are stored as imported, not as waiting.
    """
    linked = linked or {}
    now = timezone.now()
    rows = []
    for parent, origin, name, data in items:
        linked_id = linked.get((parent, origin))
        text = _json_text(data)  # serialised once: for its hash and for the column
        row = {
            "kind": kind, "parent_origin_id": parent, "origin_id": origin, "name": name[:255], "data": JsonText(text),
            "content_hash": hashlib.sha256(text.encode()).hexdigest(), "last_seen_at": now, "erp_deleted_at": None,
        }
        if linked_id:
            row.update(linked_object_id=linked_id, status=StagedRecord.Status.IMPORTED)
        rows.append(row)
    outcome = PageOutcome()
    if not rows:
        return outcome
    # Linked rows carry their link and status; the rest keep whatever status they have (archived stays).
    plain = [row for row in rows if "linked_object_id" not in row]
    with_link = [row for row in rows if "linked_object_id" in row]
    common = ["name", "data", "content_hash", "last_seen_at", "erp_deleted_at"]
    results = []
    if plain:
        results.append(upsert(
            StagedRecord, plain, key=["kind", "parent_origin_id", "origin_id"], fields=common,
            compare=["content_hash", "erp_deleted_at"],
            insert_values={"status": StagedRecord.Status.STAGED, "created_at": now, "invalid_reason": ""},
            update_values={"updated_at": now},
        ))
    if with_link:
        results.append(upsert(
            StagedRecord, with_link, key=["kind", "parent_origin_id", "origin_id"],
            fields=[*common, "linked_object_id", "status"],
            compare=["content_hash", "erp_deleted_at", "linked_object_id", "status"],
            insert_values={"created_at": now, "invalid_reason": ""},
            update_values={"updated_at": now},
        ))
    for result in results:
        outcome.created += result.created
        outcome.updated += result.updated
        outcome.unchanged += result.unchanged
    return outcome
