"""Sync runs: pulling a dataset from the ERP in pages, written in bulk (DESIGN §6).

A dataset never runs twice at once (a partial unique constraint on active runs). Each page is
written in one transaction with bulk queries; records whose content hash has not changed cost
no write. One bad record is counted and explained; the run carries on (R211).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import timedelta
from typing import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.exceptions import Conflict
from apps.erp.connector import get_connector
from apps.erp.errors import ErpError
from apps.erp.models import Dataset, StagedRecord, SyncRun

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
MAX_RECORDED_ERRORS = 200


@dataclass
class PageOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)

    def fail(self, key: str, message: str, resolution: str = "") -> None:
        self.failed += 1
        self.errors.append({"record": key, "message": message, "resolution": resolution})


@dataclass(frozen=True)
class DatasetSpec:
    dataset: Dataset
    action: Action  # the permission an on-demand run needs
    read_page: Callable  # (connector, cursor) -> Page(records, next_cursor)
    write_page: Callable  # (records, run) -> PageOutcome


_DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(spec: DatasetSpec) -> None:
    _DATASETS[str(spec.dataset)] = spec


def dataset_spec(dataset: str) -> DatasetSpec:
    from apps.erp import datasets  # noqa: F401  (registers the built-in datasets)

    try:
        return _DATASETS[str(dataset)]
    except KeyError:
        known = ", ".join(sorted(_DATASETS))
        raise Conflict(f"Unknown dataset {dataset!r}. Known datasets: {known}.", code="unknown_dataset") from None


def content_hash(record) -> str:
    data = asdict(record) if is_dataclass(record) else record
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# --- starting and running ---------------------------------------------------------------------


def sync_start(*, dataset: str, trigger: str, actor=None, run_inline: bool = False) -> SyncRun:
    """Queue a run of ``dataset``. Refused while the same dataset is queued or running."""
    spec = dataset_spec(dataset)
    if actor is not None:
        require(actor, spec.action)
    sync_runs_expire_stale()
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(dataset=spec.dataset, trigger=trigger, started_by=actor)
            if not run_inline:
                transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError:
        active = SyncRun.objects.filter(dataset=spec.dataset, status__in=["queued", "running"]).first()
        since = f" (since {timezone.localtime(active.queued_at):%Y-%m-%d %H:%M})" if active else ""
        raise Conflict(
            f"A {spec.dataset.label} sync is already running{since}; it will pick up the latest data.",
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
    updated = SyncRun.objects.filter(pk=run_id, status__in=["queued", "running"]).update(
        status=SyncRun.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    run = SyncRun.objects.get(pk=run_id)
    if not updated:
        return run
    spec = dataset_spec(run.dataset)
    connector = get_connector()
    cursor = run.cursor or None
    try:
        while True:
            page = spec.read_page(connector, cursor)
            with transaction.atomic():
                outcome = spec.write_page(page.records, run)
                _record_page(run, outcome, len(page.records), page.next_cursor)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    except ErpError as error:
        run.errors = [*run.errors, {"record": "(connection)", "message": error.message, "resolution": error.resolution}]
        _finish(run, SyncRun.Status.FAILED)
        return run
    _finish(run, SyncRun.Status.PARTIAL if run.failed else SyncRun.Status.SUCCEEDED)
    return run


def _record_page(run: SyncRun, outcome: PageOutcome, seen: int, next_cursor) -> None:
    run.pages_done += 1
    run.records_seen += seen
    run.created += outcome.created
    run.updated += outcome.updated
    run.unchanged += outcome.unchanged
    run.skipped += outcome.skipped
    run.failed += outcome.failed
    run.errors = (run.errors + outcome.errors)[:MAX_RECORDED_ERRORS]
    run.cursor = next_cursor or ""
    run.heartbeat_at = timezone.now()
    run.save(
        update_fields=[
            "pages_done", "records_seen", "created", "updated", "unchanged", "skipped", "failed", "errors", "cursor",
            "heartbeat_at",
        ]
    )


def _finish(run: SyncRun, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "errors"])


def sync_runs_expire_stale(*, now=None) -> int:
    """A run whose worker stopped sending heartbeats is marked failed, so the dataset can run again."""
    now = now or timezone.now()
    stale = SyncRun.objects.filter(status__in=["queued", "running"], heartbeat_at__lt=now - STALE_AFTER)
    stale_queued = SyncRun.objects.filter(status="queued", heartbeat_at__isnull=True, queued_at__lt=now - STALE_AFTER)
    count = 0
    for queryset in (stale, stale_queued):
        count += queryset.update(status=SyncRun.Status.FAILED, finished_at=now)
    return count


# --- staging (Ready to Import) ------------------------------------------------------------------


def stage_records(
    *,
    kind: str,
    items: Iterable[tuple[str, str, str, dict]],
    linked: dict[tuple[str, str], int] | None = None,
) -> PageOutcome:
    """Upsert ``(parent_origin_id, origin_id, name, data)`` rows into Ready to Import, in bulk.

    Unchanged rows (same content hash) are not written. Rows already linked to a Trestle object
    (``linked``: key → object id) are stored as imported, not as waiting.
    """
    linked = linked or {}
    items = list(items)
    outcome = PageOutcome()
    if not items:
        return outcome
    now = timezone.now()
    origin_ids = {origin for _, origin, _, _ in items}
    # Compare on (key, hash, link) only; whole rows are loaded just for the ones that changed.
    # (An IN list, not a range: the ERP's ordering of ids need not be this database's collation.)
    known = {
        (parent, origin): (pk, digest, linked_id)
        for pk, parent, origin, digest, linked_id in StagedRecord.objects.filter(
            kind=kind, origin_id__any_of=sorted(origin_ids)
        ).values_list("pk", "parent_origin_id", "origin_id", "content_hash", "linked_object_id")
    }
    to_create, changed = [], {}
    for parent, origin, name, data in items:
        digest = content_hash(data)
        key = (parent, origin)
        linked_id = linked.get(key)
        if key not in known:
            to_create.append(
                StagedRecord(
                    kind=kind, parent_origin_id=parent, origin_id=origin, name=name, data=data, content_hash=digest,
                    status=StagedRecord.Status.IMPORTED if linked_id else StagedRecord.Status.STAGED,
                    linked_object_id=linked_id, last_seen_at=now,
                )
            )
            continue
        pk, stored_digest, stored_link = known[key]
        if stored_digest == digest and not (linked_id and stored_link != linked_id):
            outcome.unchanged += 1
            continue
        changed[pk] = (name, data, digest, linked_id)
    to_update = list(StagedRecord.objects.filter(pk__in=changed)) if changed else []
    for row in to_update:
        name, data, digest, linked_id = changed[row.pk]
        row.name, row.data, row.content_hash, row.last_seen_at, row.updated_at = name, data, digest, now, now
        if linked_id:
            row.linked_object_id, row.status = linked_id, StagedRecord.Status.IMPORTED
    StagedRecord.objects.bulk_create(to_create, batch_size=1000)
    StagedRecord.objects.bulk_update(
        to_update, ["name", "data", "content_hash", "last_seen_at", "linked_object_id", "status", "updated_at"],
        batch_size=1000,
    )
    outcome.created += len(to_create)
    outcome.updated += len(to_update)
    return outcome
