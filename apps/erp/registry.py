"""Export adapters: each exportable item type's side of the ERP mapping, registered by item type.

An adapter lives in its domain's ``erp.py`` and knows the domain's prerequisites (checked at
Send), the fields the approver enters at Accept, how to write the item through the connector,
and what to record once the ERP has it. The engine (``apps.erp.services``) does everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from apps.access.matrix import Action
from apps.erp.item_types import ItemType

if TYPE_CHECKING:
    from apps.erp.connector import ErpConnector
    from apps.erp.lifecycle import ErpExportable
    from apps.projects.models import Project


@dataclass(frozen=True)
class ExportResult:
    erp_id: str
    linked_existing: bool = False  # the ERP already had an identical record; it was linked, not created
    data: dict[str, Any] = field(default_factory=dict)


class ExportAdapter:
    """Base class; subclasses fill in the class attributes and the four hooks."""

    item_type: ClassVar[ItemType]
    model: ClassVar[type[ErpExportable]]
    label: ClassVar[str]
    send_action: ClassVar[Action] = Action.SEND_RETRIEVE_RESEND
    accept_action: ClassVar[Action]
    unlink_action: ClassVar[Action | None] = None
    direct_export_setting: ClassVar[str | None] = None  # an ErpSettings field
    erp_id_field: ClassVar[str]  # the model field that holds the ERP id once synced
    locked_fields: ClassVar[tuple[str, ...]] = ()  # read-only while sent or synced

    def project_of(self, obj) -> Project | None:
        return None

    def select_related(self) -> tuple[str, ...]:
        return ()

    def send_problems(self, obj) -> dict[str, str]:
        """Prerequisites and connector limits, checked at Send and again at Accept: {field: message}."""
        return {}

    def accept_defaults(self, obj) -> dict[str, Any]:
        """What the approver's form is pre-filled with."""
        return {}

    def clean_accept_fields(self, obj, fields: dict[str, Any], connector: ErpConnector) -> dict[str, Any]:
        """Validate what the approver entered; raise ValidationFailed. Returns the cleaned fields."""
        return dict(fields)

    def erp_code(self, obj, fields: dict[str, Any]) -> str:
        raise NotImplementedError

    def export(self, obj, fields: dict[str, Any], *, connector: ErpConnector, idempotency_key: str) -> ExportResult:
        raise NotImplementedError

    def apply_synced(self, obj, fields: dict[str, Any], result: ExportResult) -> list[str]:
        """Record the ERP id (and anything else) on ``obj``; return the fields changed."""
        setattr(obj, self.erp_id_field, result.erp_id)
        return [self.erp_id_field]

    def erp_record_exists(self, obj, *, connector: ErpConnector) -> bool:
        """Whether the ERP still has the record (unlink is free once it is gone)."""
        return True

    def describe(self, obj) -> str:
        return str(obj)


_ADAPTERS: dict[str, ExportAdapter] = {}


def register(adapter_class: type[ExportAdapter]) -> type[ExportAdapter]:
    _ADAPTERS[str(adapter_class.item_type)] = adapter_class()
    return adapter_class


def get_adapter(item_type: ItemType | str) -> ExportAdapter:
    try:
        return _ADAPTERS[str(item_type)]
    except KeyError:
        raise LookupError(f"No ERP export adapter for item type {item_type!r}.") from None


def adapters() -> list[ExportAdapter]:
    return list(_ADAPTERS.values())


def adapter_for_model(model) -> ExportAdapter:
    for adapter in _ADAPTERS.values():
        if adapter.model is model or isinstance(model, adapter.model):
            return adapter
    raise LookupError(f"No ERP export adapter for {model!r}.")


def locked_field_errors(item_type, obj, changed: list[str]) -> dict[str, list[str]]:
    """Fields an item may not change while it is sent, exporting or synced (the seed's locked fields).

    Changes then go through the ERP (or a change order); before sending, or after retrieving or
    unlinking, they are free again.
    """
    if not getattr(obj, "is_in_erp_workflow", False):
        return {}
    adapter = get_adapter(item_type)
    state = "synced with Sage 300 CRE" if obj.is_synced else "waiting in ERP Integrations"
    remedy = "unlink it first" if obj.is_synced else "retrieve it first"
    return {
        field: [f"This {adapter.label} is {state}, so its {field.replace('_', ' ')} is locked; {remedy}."]
        for field in changed
        if field in adapter.locked_fields
    }
