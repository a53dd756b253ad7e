"""The transition log's named events: one constructor per event, written with ``log`` (or ``log_many`` for a
page of items) in the transaction of the change it records (Zulip's ``do_*`` + audit log).

    audit.log(audit.sent(doc, obj, from_status, actor=user))
"""

from __future__ import annotations

from apps.erp.models import ErpTransition, TransitionAction
from apps.erp.registry import ErpDocument


def _row(doc: ErpDocument, obj, action: str, from_status: str, *, actor=None, comment: str = "", data=None) -> ErpTransition:
    return ErpTransition(
        item_type=doc.item_type,
        object_id=obj.pk,
        action=action,
        from_status=from_status,
        to_status=obj.erp_status,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        comment=comment,
        data=data or {},
    )


def log(row: ErpTransition) -> ErpTransition:
    row.save()
    return row


def log_many(rows: list[ErpTransition]) -> list[ErpTransition]:
    return ErpTransition.objects.bulk_create(rows)


def sent(doc, obj, from_status, *, actor) -> ErpTransition:
    return _row(doc, obj, TransitionAction.SEND, from_status, actor=actor)


def sent_direct(doc, obj, from_status, *, actor, fields: dict, attempt_id: int) -> ErpTransition:
    return _row(doc, obj, TransitionAction.SEND_DIRECT, from_status, actor=actor,
                data={"fields": fields, "attempt": attempt_id})


def retrieved(doc, obj, from_status, *, actor) -> ErpTransition:
    return _row(doc, obj, TransitionAction.RETRIEVE, from_status, actor=actor)


def accepted(doc, obj, from_status, *, actor, fields: dict, attempt_id: int) -> ErpTransition:
    return _row(doc, obj, TransitionAction.ACCEPT, from_status, actor=actor, data={"fields": fields, "attempt": attempt_id})


def rejected(doc, obj, from_status, *, actor, comment: str) -> ErpTransition:
    return _row(doc, obj, TransitionAction.REJECT, from_status, actor=actor, comment=comment)


def resent(doc, obj, from_status, *, actor) -> ErpTransition:
    return _row(doc, obj, TransitionAction.RESEND, from_status, actor=actor)


def retried(doc, obj, from_status, *, actor, fields: dict, attempt_id: int, resumed: bool) -> ErpTransition:
    return _row(doc, obj, TransitionAction.RETRY, from_status, actor=actor,
                data={"fields": fields, "attempt": attempt_id, "same_attempt": resumed})


def export_succeeded(doc, obj, from_status, *, erp_id: str, linked_existing: bool, attempt_id: int,
                     recovered: bool) -> ErpTransition:
    return _row(doc, obj, TransitionAction.EXPORT_SUCCEEDED, from_status, data={
        "erp_id": erp_id, "linked_existing": linked_existing, "attempt": attempt_id, "recovered": recovered,
    })


def export_failed(doc, obj, from_status, *, error: dict, attempt_id: int) -> ErpTransition:
    return _row(doc, obj, TransitionAction.EXPORT_FAILED, from_status, data={**error, "attempt": attempt_id})


def unlinked(doc, obj, from_status, *, actor, erp_id: str | None, still_in_erp: bool) -> ErpTransition:
    return _row(doc, obj, TransitionAction.UNLINK, from_status, actor=actor,
                data={"erp_id": erp_id, "erp_record_still_exists": still_in_erp})


def linked(doc, obj, from_status, *, actor, erp_id: str, imported: bool, data: dict | None = None) -> ErpTransition:
    action = TransitionAction.IMPORT if imported else TransitionAction.LINK
    return _row(doc, obj, action, from_status, actor=actor, data={"erp_id": erp_id, **(data or {})})
