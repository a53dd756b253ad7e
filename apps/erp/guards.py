"""One guard for every exportable: locked fields, locked child rows, and no delete mid-workflow.

Domain services call these before they write; the messages say why and what to do. What is
locked comes from the document's declaration (``locked_fields``, ``locked_children``), so the
conformance suite checks every registered type the same way.

* While an item is sent, exporting or synced, its locked fields cannot change (a synced item's
  changes go through the ERP, a change order or unlink; a sent one is retrieved first).
* While it is sent, exporting, failed or synced, it cannot be deleted: the ERP has it, or may
  have it, and nobody would know.
* A child row of such an item (an SOV line, a cost code exported with its job) is locked with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from apps.erp.lifecycle import ErpStatus
from apps.erp.registry import child_lock_for, document_for

LOCKED_STATUSES = (ErpStatus.READY_TO_EXPORT, ErpStatus.EXPORTING, ErpStatus.SYNCED)
NO_DELETE_STATUSES = (*LOCKED_STATUSES, ErpStatus.FAILED_TO_EXPORT)


def _state(doc, obj) -> tuple[str, str]:
    if obj.erp_status == ErpStatus.SYNCED:
        if doc.unlink_action is None:
            # Nothing unlinks this type (no permission row names it): say what holds instead of naming a
            # control that does not exist (issue 8).
            return "synced with Sage 300 CRE", f"a synced {doc.label} keeps what Sage 300 CRE has"
        return "synced with Sage 300 CRE", f"unlink it first (Unlink, on the {doc.label}'s page)"
    if obj.erp_status == ErpStatus.FAILED_TO_EXPORT:
        return "failed to export (Sage 300 CRE may hold part of it)", "reject it in ERP Integrations first"
    if obj.erp_status == ErpStatus.EXPORTING:
        return "exporting to Sage 300 CRE", "wait until the export finishes"
    return "waiting in ERP Integrations", "retrieve it first"


def limit_errors(obj_or_model, values) -> dict[str, list[str]]:
    """{field: [message]} for each of ``values`` (model field → value) that the ERP cannot hold.

    Every service validator of a registered document calls this when a form, the API or an import
    saves, with the same limits Send to ERP checks (the document's ``field_limits`` and the
    connector's limits), so a new document type gets the check by registering.
    """
    from apps.erp.connector import get_connector

    doc = document_for(obj_or_model)
    return {field: [message] for field, message in doc.limit_messages(dict(values), get_connector()).items()}


def locked_field_errors(obj, changed: Iterable[str]) -> dict[str, list[str]]:
    """{field: [message]} for each changed field the item's state locks; empty when the change may go ahead."""
    if obj.pk is None or obj.erp_status not in LOCKED_STATUSES:
        return {}
    doc = document_for(obj)
    state, remedy = _state(doc, obj)
    return {
        field: [f"This {doc.label} is {state}, so its {field.replace('_', ' ')} is locked; {remedy}."]
        for field in changed
        if field in doc.locked_fields
    }


def delete_refusal(obj) -> str | None:
    """Why the item cannot be deleted now, or None."""
    if obj.pk is None or obj.erp_status not in NO_DELETE_STATUSES:
        return None
    doc = document_for(obj)
    state, remedy = _state(doc, obj)
    return f"{doc.label.capitalize()} {doc.describe(obj)} is {state} and cannot be deleted; {remedy}."


def child_refusal(child, *, done: str = "changed") -> str | None:
    """Why a child row of an exportable item cannot be changed, added or removed now, or None.

    ``child`` may be unsaved (an addition): its parent is read from it all the same.
    """
    found = child_lock_for(type(child))
    if found is None:
        return None
    doc, lock = found
    parent = lock.parent(child)
    if parent is None or parent.pk is None or parent.erp_status not in NO_DELETE_STATUSES:
        return None
    if lock.locked is not None and not lock.locked(child):
        return None
    state, remedy = _state(doc, parent)
    return (
        f"{lock.label.capitalize()} of {doc.label} {doc.describe(parent)} cannot be {done}: the {doc.label} is "
        f"{state}; {remedy}."
    )
