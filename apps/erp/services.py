"""The export engine: send, retrieve, accept, reject, resend, retry, unlink — and the export itself.

Every state change follows one order: lock the row → ask the permission matrix → run the
transition (fields only) → save → write the transition log → enqueue after commit.

Exactly-once: accepting creates an ``ExportAttempt`` with an idempotency key; the task claims it
with a lease, and the connector asks the ERP for that key (and the item's earlier keys) before
writing. A retry, a crash after the ERP committed, or two workers never write twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.access.checks import require
from apps.core.exceptions import Conflict, ValidationFailed
from apps.erp.connector import get_connector
from apps.erp.errors import ErpError
from apps.erp.lifecycle import ERP_LIFECYCLE_FIELDS, ErpExportable, ErpStatus
from apps.erp.item_types import ItemType
from apps.erp.models import ErpSettings, ErpTransition, ExportAttempt, StagedRecord
from apps.erp.registry import ExportAdapter, ExportResult, get_adapter

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
STAGED_KIND = {
    ItemType.COMPANY: StagedRecord.Kind.VENDOR,
    ItemType.PROJECT: StagedRecord.Kind.JOB,
    ItemType.SUB_JOB: StagedRecord.Kind.EXTRA,
}
MAX_TRIES = 5
RATE_LIMIT_WAIT = timedelta(hours=1)
TRANSIENT_CODES = ("timeout", "rate_limited")
# Shown instead of the catalogue's "Nothing to do: Trestle retries …" once the retries are used up.
GAVE_UP_RESOLUTION = (
    "Trestle tried {tries} times and stopped retrying by itself. Press Retry once Sage 300 CRE answers again: the "
    "retry uses the same idempotency key, so a write that did happen is linked, never duplicated."
)


def erp_settings() -> ErpSettings:
    settings_row = ErpSettings.objects.order_by("pk").first()
    if settings_row is None:
        settings_row, _ = ErpSettings.objects.get_or_create(pk=1, defaults={"connected_at": timezone.now()})
    return settings_row


# --- helpers ------------------------------------------------------------------------------


def _lock(adapter: ExportAdapter, obj) -> ErpExportable:
    return adapter.model.objects.select_for_update().get(pk=obj.pk)


def _log(adapter, obj, *, action, from_status, actor=None, comment="", data=None) -> ErpTransition:
    return ErpTransition.objects.create(
        item_type=adapter.item_type,
        object_id=obj.pk,
        action=action,
        from_status=from_status,
        to_status=obj.erp_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
        data=data or {},
    )


def _save(obj, *extra_fields: str) -> None:
    obj.save(update_fields=[*ERP_LIFECYCLE_FIELDS, *extra_fields, "updated_at"])


def _refuse_transition(adapter: ExportAdapter, obj, action: str) -> Conflict:
    status = ErpStatus(obj.erp_status).label
    return Conflict(
        f"Cannot {action} {adapter.label} {adapter.describe(obj)}: it is {status}.",
        code="invalid_transition",
        extra={"erp_status": obj.erp_status},
    )


def _transition(adapter, obj, action: str, method_name: str, *args, **kwargs) -> None:
    method = getattr(obj, method_name)
    from django_fsm import can_proceed

    if not can_proceed(method):
        raise _refuse_transition(adapter, obj, action)
    method(*args, **kwargs)


def _check_send_problems(adapter: ExportAdapter, obj) -> None:
    problems = adapter.send_problems(obj)
    if problems:
        raise ValidationFailed(problems, code="erp_prerequisites")


def _direct_export_on(adapter: ExportAdapter) -> bool:
    return bool(adapter.direct_export_setting and getattr(erp_settings(), adapter.direct_export_setting))


def _start_attempt(adapter: ExportAdapter, obj, fields: dict) -> ExportAttempt:
    attempt = ExportAttempt.objects.create(
        item_type=adapter.item_type, object_id=obj.pk, erp_code=adapter.erp_code(obj, fields), payload=fields
    )
    transaction.on_commit(lambda: enqueue_attempt(attempt.pk))
    return attempt


def enqueue_attempt(attempt_id: int) -> None:
    from django_q.tasks import async_task

    async_task("apps.erp.tasks.export_attempt_run_task", attempt_id, task_name=f"erp-export-{attempt_id}", group="erp-export")


# --- the lifecycle ----------------------------------------------------------------------------

SENDER, APPROVER, UNLINKER = "send", "accept", "unlink"


def _begin(item_type: str, obj, actor, role: str) -> tuple[ExportAdapter, ErpExportable, str]:
    """Ask the matrix, then lock the row: (adapter, locked item, its status before the change).

    A sender needs the item's own tool (a project tool level exists only on the project's team) or,
    for projects, ERP Integrations itself (P#11); approvers work the company-level ERP tool.
    """
    adapter = get_adapter(item_type)
    action = {SENDER: adapter.send_action, APPROVER: adapter.accept_action, UNLINKER: adapter.unlink_action}[role]
    if action is None:
        raise Conflict(f"{adapter.label.capitalize()}s cannot be unlinked from the ERP.", code="unlink_not_supported")
    require(actor, action, project=adapter.project_of(obj), item_type=adapter.item_type)
    locked = _lock(adapter, obj)
    return adapter, locked, locked.erp_status


@transaction.atomic
def erp_send(*, item_type: str, obj, actor) -> ErpExportable:
    """Send an item to ERP Integrations (or straight to the ERP when Direct Export is on for its type)."""
    adapter, obj, from_status = _begin(item_type, obj, actor, SENDER)
    if obj.erp_status != ErpStatus.NOT_IN_ERP:
        raise _refuse_transition(adapter, obj, "send")
    _check_send_problems(adapter, obj)
    now = timezone.now()
    obj.erp_sent_by, obj.erp_sent_at = actor, now
    if _direct_export_on(adapter):
        fields = adapter.clean_accept_fields(obj, adapter.accept_defaults(obj), get_connector())
        _transition(adapter, obj, "send", "erp_send_direct")
        obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = fields, actor, now
        _save(obj)
        _log(adapter, obj, action="send_direct", from_status=from_status, actor=actor, data={"fields": fields})
        _start_attempt(adapter, obj, fields)
    else:
        _transition(adapter, obj, "send", "erp_send")
        _save(obj)
        _log(adapter, obj, action="send", from_status=from_status, actor=actor)
    return obj


@transaction.atomic
def erp_retrieve(*, item_type: str, obj, actor) -> ErpExportable:
    """Take an item back from Ready to Export before an approver has acted on it."""
    adapter, obj, from_status = _begin(item_type, obj, actor, SENDER)
    _transition(adapter, obj, "retrieve", "erp_retrieve")
    _save(obj)
    _log(adapter, obj, action="retrieve", from_status=from_status, actor=actor)
    return obj


@transaction.atomic
def erp_accept(*, item_type: str, obj, actor, fields: dict | None = None) -> ErpExportable:
    """The approver accepts: the item is exported with the fields they entered (e.g. the Sage Job ID)."""
    adapter, obj, from_status = _begin(item_type, obj, actor, APPROVER)
    if obj.erp_status != ErpStatus.READY_TO_EXPORT:
        raise _refuse_transition(adapter, obj, "accept")
    _check_send_problems(adapter, obj)
    entered = {**adapter.accept_defaults(obj), **{k: v for k, v in (fields or {}).items() if v not in (None, "")}}
    cleaned = adapter.clean_accept_fields(obj, entered, get_connector())
    _transition(adapter, obj, "accept", "erp_accept")
    obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = cleaned, actor, timezone.now()
    _save(obj)
    _log(adapter, obj, action="accept", from_status=from_status, actor=actor, data={"fields": cleaned})
    _start_attempt(adapter, obj, cleaned)
    return obj


@transaction.atomic
def erp_reject(*, item_type: str, obj, actor, comment: str) -> ErpExportable:
    comment = (comment or "").strip()
    adapter, obj, from_status = _begin(item_type, obj, actor, APPROVER)
    if not comment:
        raise ValidationFailed({"comment": "Say why you reject it; the sender sees your comment."})
    _transition(adapter, obj, "reject", "erp_reject", comment=comment)
    _save(obj)
    _log(adapter, obj, action="reject", from_status=from_status, actor=actor, comment=comment)
    return obj


@transaction.atomic
def erp_resend(*, item_type: str, obj, actor) -> ErpExportable:
    adapter, obj, from_status = _begin(item_type, obj, actor, SENDER)
    if obj.erp_status != ErpStatus.REJECTED:
        raise _refuse_transition(adapter, obj, "resend")
    _check_send_problems(adapter, obj)
    _transition(adapter, obj, "resend", "erp_resend")
    obj.erp_sent_by, obj.erp_sent_at = actor, timezone.now()
    _save(obj)
    _log(adapter, obj, action="resend", from_status=from_status, actor=actor)
    return obj


@transaction.atomic
def erp_retry(*, item_type: str, obj, actor, fields: dict | None = None) -> ErpExportable:
    """Export a failed item again once its cause is fixed. New approver fields replace the old ones."""
    adapter, obj, from_status = _begin(item_type, obj, actor, APPROVER)
    if obj.erp_status != ErpStatus.FAILED_TO_EXPORT:
        raise _refuse_transition(adapter, obj, "retry")
    _check_send_problems(adapter, obj)
    entered = {**obj.erp_fields, **{k: v for k, v in (fields or {}).items() if v not in (None, "")}}
    connector = get_connector()
    last = ExportAttempt.objects.filter(item_type=adapter.item_type, object_id=obj.pk).order_by("-pk").first()
    if last is not None and last.status == ExportAttempt.Status.FAILED and connector.find_by_idempotency_keys(
        [str(last.idempotency_key)]
    ) is not None:
        # The failed attempt reached the ERP after all (its answer was lost). The retry links that record;
        # checking the fields against the ERP again would refuse the item's own record as taken.
        cleaned = _fields_already_written(adapter, obj, last, entered)
    else:
        cleaned = adapter.clean_accept_fields(obj, entered, connector)
    _transition(adapter, obj, "retry", "erp_retry")
    obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = cleaned, actor, timezone.now()
    _save(obj)
    _log(adapter, obj, action="retry", from_status=from_status, actor=actor, data={"fields": cleaned})
    if last is not None and last.status == ExportAttempt.Status.FAILED and last.erp_code == adapter.erp_code(obj, cleaned):
        # The same code: retry the same attempt, with the same idempotency key (R201).
        last.status, last.not_before, last.error_code, last.error_message = ExportAttempt.Status.QUEUED, None, "", ""
        last.payload = cleaned
        last.tries = 0  # a fresh budget of automatic retries; without it one more timeout fails it at once
        last.save(update_fields=["status", "not_before", "error_code", "error_message", "payload", "tries", "updated_at"])
        transaction.on_commit(lambda: enqueue_attempt(last.pk))
    else:
        _start_attempt(adapter, obj, cleaned)
    return obj


def _fields_already_written(adapter: ExportAdapter, obj, attempt: ExportAttempt, entered: dict) -> dict:
    if adapter.erp_code(obj, entered) != attempt.erp_code:
        raise ValidationFailed(
            {
                "erp_code": f"Sage 300 CRE already has this {adapter.label} as {attempt.erp_code}: an earlier try "
                f"reached it before its answer was lost. Retry with {attempt.erp_code} to link it."
            },
            code="erp_record_written",
        )
    return attempt.payload


@transaction.atomic
def erp_unlink(*, item_type: str, obj, actor, confirm: bool = False) -> ErpExportable:
    """Break the link to the ERP record: free once the ERP record is gone, else the approver confirms."""
    adapter, obj, from_status = _begin(item_type, obj, actor, UNLINKER)
    if obj.erp_status != ErpStatus.SYNCED:
        raise _refuse_transition(adapter, obj, "unlink")
    still_there = adapter.erp_record_exists(obj, connector=get_connector())
    if still_there and not confirm:
        raise Conflict(
            f"{adapter.describe(obj)} is still in Sage 300 CRE. Delete it there first, or confirm that you want to "
            "unlink it anyway (Trestle will no longer keep the two in step).",
            code="erp_record_still_exists",
        )
    erp_id = getattr(obj, adapter.erp_id_field)
    _transition(adapter, obj, "unlink", "erp_unlink")
    setattr(obj, adapter.erp_id_field, None)
    _save(obj, adapter.erp_id_field)
    # The ERP record goes back to Ready to Import, so it can be linked or added again.
    StagedRecord.objects.filter(kind=STAGED_KIND.get(adapter.item_type, ""), linked_object_id=obj.pk).update(
        status=StagedRecord.Status.STAGED, linked_object_id=None, updated_at=timezone.now()
    )
    _log(
        adapter, obj, action="unlink", from_status=from_status, actor=actor,
        data={"erp_id": erp_id, "erp_record_still_exists": still_there},
    )
    return obj


@transaction.atomic
def erp_link(*, item_type: str, obj, erp_id: str, actor=None, action: str = "link", data: dict | None = None):
    """Mark an item synced with an ERP record that already exists (imported from, or linked to, the ERP)."""
    adapter = get_adapter(item_type)
    obj = _lock(adapter, obj)
    from_status = obj.erp_status
    _transition(adapter, obj, action, "erp_link")
    setattr(obj, adapter.erp_id_field, erp_id)
    obj.erp_synced_at = timezone.now()
    _save(obj, adapter.erp_id_field)
    _log(adapter, obj, action=action, from_status=from_status, actor=actor, data={"erp_id": erp_id, **(data or {})})
    return obj


# --- the export itself (runs in the worker) -----------------------------------------------------


def _claim(attempt_id: int, worker: str) -> ExportAttempt | None:
    now = timezone.now()
    claimable = Q(status=ExportAttempt.Status.QUEUED) | Q(status=ExportAttempt.Status.RUNNING, lease_expires_at__lt=now)
    not_waiting = Q(not_before__isnull=True) | Q(not_before__lte=now)
    with transaction.atomic():
        attempt = (
            ExportAttempt.objects.select_for_update().filter(claimable & not_waiting, pk=attempt_id).first()
        )
        if attempt is None:
            return None
        attempt.status = ExportAttempt.Status.RUNNING
        attempt.lease_owner = worker
        attempt.lease_expires_at = now + LEASE
        attempt.started_at = attempt.started_at or now
        attempt.tries += 1
        attempt.save(update_fields=["status", "lease_owner", "lease_expires_at", "started_at", "tries", "updated_at"])
    return attempt


def _earlier_keys(attempt: ExportAttempt) -> list[str]:
    """Keys of this item's attempts that Trestle has no record of: a write made under any of them is this item's.

    A succeeded attempt's write is recorded already; if the item was unlinked since, that record was let go on
    purpose and a new export must not take it back.
    """
    keys = (
        ExportAttempt.objects.filter(item_type=attempt.item_type, object_id=attempt.object_id)
        .exclude(status=ExportAttempt.Status.SUCCEEDED)
        .values_list("idempotency_key", flat=True)
    )
    return [str(key) for key in keys]


def export_attempt_run(*, attempt_id: int, worker: str | None = None) -> str:
    """Run one export attempt. Safe to call any number of times, from any number of workers."""
    # Unique per run: a late report is told apart from the new lease holder's by this name.
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[-100:]
    attempt = _claim(attempt_id, worker)
    if attempt is None:
        return "not claimable"
    adapter = get_adapter(attempt.item_type)
    obj = adapter.model.objects.select_related(*adapter.select_related()).get(pk=attempt.object_id)
    connector = get_connector()
    try:
        found = connector.find_by_idempotency_keys(_earlier_keys(attempt))
        result = (
            # An earlier try of this item reached the ERP before Trestle could record it.
            ExportResult(erp_id=found.erp_id, data={**found.data, "recovered": True})
            if found is not None
            else adapter.export(obj, attempt.payload, connector=connector, idempotency_key=str(attempt.idempotency_key))
        )
    except ErpError as error:
        return _attempt_failed(adapter, attempt, error, worker=worker)
    return _attempt_succeeded(adapter, attempt, result)


@transaction.atomic
def _attempt_succeeded(adapter: ExportAdapter, attempt: ExportAttempt, result: ExportResult) -> str:
    attempt = ExportAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status == ExportAttempt.Status.SUCCEEDED:
        return "already succeeded"
    obj = _lock(adapter, adapter.model(pk=attempt.object_id))
    from_status = obj.erp_status
    changed = adapter.apply_synced(obj, attempt.payload, result)
    if obj.erp_status == ErpStatus.EXPORTING:
        obj.erp_export_succeeded()
    obj.erp_synced_at = timezone.now()
    _save(obj, *changed)
    attempt.status = ExportAttempt.Status.SUCCEEDED
    attempt.finished_at = timezone.now()
    attempt.lease_expires_at = None
    attempt.result = {"erp_id": result.erp_id, **result.data}
    attempt.linked_existing = result.linked_existing
    attempt.save(update_fields=["status", "finished_at", "lease_expires_at", "result", "linked_existing", "updated_at"])
    _log(
        adapter, obj, action="export_succeeded", from_status=from_status,
        data={"erp_id": result.erp_id, "linked_existing": result.linked_existing, "attempt": attempt.pk},
    )
    return "succeeded"


@transaction.atomic
def _attempt_failed(adapter: ExportAdapter, attempt: ExportAttempt, error: ErpError, *, worker: str) -> str:
    attempt = ExportAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != ExportAttempt.Status.RUNNING or attempt.lease_owner != worker:
        # Our lease ran out and the reaper gave the attempt to another worker, whose outcome
        # stands (it may already have exported it): a late failure from us must not undo it.
        return "superseded"
    transient = error.retryable and error.code in TRANSIENT_CODES
    resolution = error.resolution
    if transient and attempt.tries >= MAX_TRIES:
        resolution = GAVE_UP_RESOLUTION.format(tries=attempt.tries)
    attempt.error_code, attempt.error_message = error.code, f"{error.message}\n{resolution}".strip()
    attempt.lease_expires_at = None
    if transient and attempt.tries < MAX_TRIES:
        # Transient: wait and go again with the same key. The reaper re-enqueues it when due.
        wait = RATE_LIMIT_WAIT if error.code == "rate_limited" else timedelta(seconds=2 ** attempt.tries)
        attempt.status = ExportAttempt.Status.QUEUED
        attempt.not_before = timezone.now() + wait
        attempt.save(update_fields=["status", "not_before", "error_code", "error_message", "lease_expires_at", "updated_at"])
        return f"will retry after {wait}"
    attempt.status = ExportAttempt.Status.FAILED
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["status", "finished_at", "error_code", "error_message", "lease_expires_at", "updated_at"])
    obj = _lock(adapter, adapter.model(pk=attempt.object_id))
    from_status = obj.erp_status
    if obj.erp_status == ErpStatus.EXPORTING:
        obj.erp_export_failed(code=error.code, message=error.message, resolution=resolution)
        _save(obj)
        _log(adapter, obj, action="export_failed", from_status=from_status, data={**error.as_dict(), "resolution": resolution})
    return "failed"


def export_attempts_reap(*, now=None) -> list[int]:
    """Re-enqueue attempts whose worker died (lease expired) or whose wait is over. Returns their ids."""
    now = now or timezone.now()
    due = ExportAttempt.objects.filter(
        Q(status=ExportAttempt.Status.RUNNING, lease_expires_at__lt=now)
        | Q(status=ExportAttempt.Status.QUEUED, not_before__lte=now)
        | Q(status=ExportAttempt.Status.QUEUED, not_before__isnull=True, updated_at__lt=now - LEASE)
    ).values_list("pk", flat=True)
    ids = list(due)
    for attempt_id in ids:
        enqueue_attempt(attempt_id)
    return ids


@transaction.atomic
def erp_settings_save(*, settings_row: ErpSettings, changed: list[str], actor=None) -> ErpSettings:
    """Change ERP settings. Direct Export switches need P#18, everything else P#16."""
    from apps.access.matrix import Action

    direct = {"direct_export_commitments", "direct_export_commitment_change_orders", "direct_export_invoices"}
    if actor is not None:
        if set(changed) & direct:
            require(actor, Action.ENABLE_DIRECT_EXPORT)
        if set(changed) - direct:
            require(actor, Action.CONFIGURE_ADVANCED_SETTINGS)
    settings_row.save()
    return settings_row
