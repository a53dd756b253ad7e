"""An item's ERP life in words, for the people who read it (the item's admin page, its change history).

The transition log (``ErpTransition``) keeps codes and data; this turns each row into a sentence a
project manager reads: "Sent to ERP by Pat PM", "Exported to Sage 300 CRE: Sage Job ID 26-105",
"Export failed: …". People are named by their full name (else their username); what Trestle did by
itself (the background export) says so, never "None".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.erp.models import ErpTransition, TransitionAction
from apps.erp.registry import ErpDocument

ERP_NAME = "Sage 300 CRE"
BACKGROUND_EXPORT = "Trestle's background export"
AUTOMATIC = "Trestle (automatic)"


def person(user, *, nobody: str = AUTOMATIC) -> str:
    """A user's full name, else their username; ``nobody`` when no user did it (the worker, a command)."""
    if user is None:
        return nobody
    return (user.get_full_name() or "").strip() or user.get_username()


@dataclass(frozen=True)
class HistoryLine:
    text: str
    who: str
    at: datetime
    is_error: bool = False
    detail: str = ""  # the resolution of a failure, a rejection's comment


def _describe(doc: ErpDocument, row: ErpTransition) -> tuple[str, bool, str]:
    data = row.data or {}
    who = person(row.actor, nobody=BACKGROUND_EXPORT if row.action in (
        TransitionAction.EXPORT_SUCCEEDED, TransitionAction.EXPORT_FAILED) else AUTOMATIC)
    fields = data.get("fields") or {}
    id_names = [f.name for f in doc.accept_fields if f.identifies]
    erp_id = data.get("erp_id") or (fields.get(id_names[0]) if id_names else "")
    with_id = f" with {doc.erp_id_label} {erp_id}" if erp_id else ""
    action = row.action
    if action == TransitionAction.SEND:
        return f"Sent to ERP by {who}", False, ""
    if action == TransitionAction.SEND_DIRECT:
        return f"Sent straight to {ERP_NAME} (Direct Export) by {who}{with_id}", False, ""
    if action == TransitionAction.RETRIEVE:
        return f"Taken back from ERP Integrations by {who}", False, ""
    if action == TransitionAction.ACCEPT:
        return f"Accepted for export by {who}{with_id}", False, ""
    if action == TransitionAction.REJECT:
        return f"Rejected by {who}", True, row.comment
    if action == TransitionAction.RESEND:
        return f"Sent to ERP again by {who}", False, ""
    if action == TransitionAction.RETRY:
        return f"Export retried by {who}{with_id}", False, ""
    if action == TransitionAction.EXPORT_SUCCEEDED:
        if data.get("linked_existing"):
            return f"Linked to the record already in {ERP_NAME}: {doc.erp_id_label} {erp_id}", False, ""
        return f"Exported to {ERP_NAME}: {doc.erp_id_label} {erp_id}", False, ""
    if action == TransitionAction.EXPORT_FAILED:
        return f"Export failed: {data.get('message') or 'no message'}", True, data.get("resolution", "")
    if action == TransitionAction.UNLINK:
        still = f" (the record stays in {ERP_NAME})" if data.get("erp_record_still_exists") else ""
        return f"Unlinked from {ERP_NAME} {doc.erp_id_label} {erp_id} by {who}{still}", False, ""
    if action == TransitionAction.LINK:
        return f"Linked to {ERP_NAME} {doc.erp_id_label} {erp_id} by {who}", False, ""
    if action == TransitionAction.IMPORT:
        return f"Added from {ERP_NAME} ({doc.erp_id_label} {erp_id}) by {who}", False, ""
    return f"{row.get_action_display()} by {who}", False, ""


def transition_history(doc: ErpDocument, obj, *, newest_first: bool = True) -> list[HistoryLine]:
    """Every step of the item's ERP life, as sentences (one query)."""
    rows = (
        ErpTransition.objects.filter(item_type=doc.item_type, object_id=obj.pk)
        .select_related("actor")
        .order_by(*(("-created_at", "-pk") if newest_first else ("created_at", "pk")))
    )
    lines = []
    for row in rows:
        text, is_error, detail = _describe(doc, row)
        lines.append(HistoryLine(text=text, who=person(row.actor), at=row.created_at, is_error=is_error, detail=detail))
    return lines
