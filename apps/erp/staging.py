"""Ready to Import records of every kind: archiving the ones Trestle will not use (P#14).

Adding or linking a record is the domain's (its ``ImportAction``s); archiving is the same for all.
"""

from __future__ import annotations

from django.db import transaction

from apps.access.checks import require
from apps.core.exceptions import Conflict
from apps.erp.models import StagedRecord
from apps.erp.registry import documents


def _archive_action(kind: str):
    doc = next((doc for doc in documents() if doc.staged_kind == kind), None)
    return doc.archive_action if doc is not None else None


@transaction.atomic
def staged_record_archive(*, staged: StagedRecord, actor, archived: bool = True) -> StagedRecord:
    """Archive (or bring back) an ERP record Trestle will not use."""
    if actor is not None:
        action = _archive_action(staged.kind)
        if action is None:
            raise Conflict(f"{staged} cannot be archived.", code="not_archivable")
        require(actor, action)
    staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    wanted_from = StagedRecord.Status.STAGED if archived else StagedRecord.Status.ARCHIVED
    if staged.status != wanted_from:
        raise Conflict(f"{staged} is {staged.get_status_display().lower()}.", code="wrong_staged_status")
    staged.status = StagedRecord.Status.ARCHIVED if archived else StagedRecord.Status.STAGED
    staged.save(update_fields=["status", "updated_at"])
    return staged


def staged_record_lock_waiting(staged: StagedRecord, kind: str) -> StagedRecord:
    """The record, locked, if it is of ``kind`` and still waiting in Ready to Import; else a Conflict saying why."""
    staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    if staged.kind != kind:
        raise Conflict(f"{staged} is not a {kind}.", code="wrong_record_kind")
    if staged.status != StagedRecord.Status.STAGED:
        raise Conflict(
            f"{staged} is {staged.get_status_display().lower()}, not waiting in Ready to Import.", code="not_staged"
        )
    return staged


def staged_record_imported(staged: StagedRecord, object_id: int) -> None:
    """The record now lives in Trestle as object ``object_id``."""
    staged.status, staged.linked_object_id = StagedRecord.Status.IMPORTED, object_id
    staged.save(update_fields=["status", "linked_object_id", "updated_at"])
