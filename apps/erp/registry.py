"""Declared ERP documents: how a document type plugs into the engine (DESIGN §4).

The engine (``apps.erp``) knows no document type by name and imports no domain app. Each domain
declares what it exchanges with the ERP in its own ``erp.py``, which ``ErpConfig.ready`` imports:

* ``ErpDocument`` subclasses, decorated with ``@register``: the model and its ERP id field, the
  approver's Accept fields, prerequisites, the export as ordered ``Step``s of neutral records,
  what to record once synced, locked fields and locked child rows, the tab it lives on;
* ``DatasetSpec``s (pulls from the ERP), ``TabSpec``s for tabs that hold no document,
  ``ReconcileCheck``s and ``SettingSpec``s (the ERP settings that belong to the domain).

The ERP Integrations tabs, the queue's item types, accept forms, search fields, Direct Export
switches, settings and reconcile counts are all derived from what is registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from apps.erp.item_types import ItemType

if TYPE_CHECKING:
    from apps.access.matrix import Action
    from apps.erp.connector import ErpConnector
    from apps.erp.lifecycle import ErpExportable


# --- what a document declares -----------------------------------------------------------------


@dataclass(frozen=True)
class SendContext:
    """What a document's prerequisites may consult, read once per Send or Accept page."""

    settings: Any  # the ErpSettings row
    connector: ErpConnector

    @classmethod
    def now(cls) -> SendContext:
        from apps.erp.connector import get_connector
        from apps.erp.services import erp_settings

        return cls(settings=erp_settings(), connector=get_connector())

    def option(self, key: str) -> bool:
        from apps.erp.services import erp_option

        return erp_option(key, self.settings)


@dataclass(frozen=True)
class AcceptField:
    """A field the approver fills in at Accept (or that Direct Export fills from its default).

    ``identifies`` marks the ERP id itself (Sage Job ID, SubJob ID, ERP Company ID): the API's
    ``erp_id`` fills it, and the engine reserves what it names in the ERP.
    """

    name: str
    label: str
    default: Callable[[Any], str] | None = None
    limit: tuple[type, str] | None = None  # (neutral record type, record field) whose ERP limit applies
    identifies: bool = False
    upper: bool = False
    choices: tuple[str, ...] = ()
    help_text: str = ""

    def clean(self, value: object) -> str:
        cleaned = str(value or "").strip()
        return cleaned.upper() if self.upper else cleaned


@dataclass(frozen=True)
class Step:
    """One write of an export: a neutral record, written under its own key (attempt key + name)."""

    name: str
    record: Any


@dataclass(frozen=True)
class ChildLock:
    """Rows that belong to a document and are locked with it (an SOV line of a synced commitment).

    ``parent`` finds the document of a child row; ``locked`` says whether this child, under a
    document in the ERP workflow, is locked (default: all of them). ``delete`` is the domain's
    service that removes one (the conformance suite calls it).
    """

    model: type
    label: str
    parent: Callable[[Any], Any]
    locked: Callable[[Any], bool] | None = None
    delete: Callable[..., None] | None = None
    children_of: Callable[[Any], Iterable[Any]] | None = None


@dataclass(frozen=True)
class ImportAction:
    """A Ready to Import button: ``run(staged=…, actor=…, target=…)`` returns the Trestle object.

    An action that links to an existing object offers, on each row, suggested targets first and then a
    search over every object it could link to:

    * ``targets(staged_rows)`` → ``{staged.pk: [(object id, label), …]}``: the suggestions for a page of
      rows, read at once (a handful of queries per page, not per row); each label says in words why it is
      suggested ("Same name", "Similar name");
    * ``search(text, limit)`` → ``[(object id, label), …]``: every object that can be a target and whose
      name (or id) contains ``text``, at most ``limit`` of them, searched in the database.
    """

    key: str
    label: str
    action: Action
    run: Callable[..., Any]
    targets: Callable[[Sequence[Any]], dict[int, Sequence[tuple[int, str]]]] | None = None
    target_label: str = ""
    search: Callable[[str, int], Sequence[tuple[int, str]]] | None = None

    @property
    def searchable(self) -> bool:  # for templates, which would call ``search`` itself
        return self.search is not None


@dataclass(frozen=True)
class ItemAction:
    """A button on an item's own admin page (and its API action) beyond the export lifecycle, e.g. Refresh
    Cost Codes on a synced project. ``run(obj=…, actor=…)`` returns what happened, in a sentence;
    ``available(obj)`` says whether the item's state allows it (the button is hidden otherwise)."""

    key: str
    label: str
    action: Action
    run: Callable[..., str]
    available: Callable[[Any], bool] = lambda obj: True
    help_text: str = ""


@dataclass(frozen=True)
class SettingSpec:
    """A yes/no ERP setting a domain owns, changed by Admin on ERP Integrations (P#16)."""

    key: str
    label: str
    default: bool = False
    help_text: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """A pull from the ERP: pages read by ``read_page`` and written by ``write_page``.

    ``read_page(connector, cursor, changed_since)`` returns a ``Page``; ``changed_since`` is None
    on a full pass. ``write_page(records, run)`` returns a ``PageOutcome``. ``staged_kind``: the
    Ready to Import kind a full pass marks as gone from the ERP when it no longer sees a record.
    """

    key: str
    label: str
    action: Action
    read_page: Callable
    write_page: Callable
    staged_kind: str = ""
    staged_key: Callable[[Any], tuple[str, str]] | None = None
    order: int = 100


@dataclass(frozen=True)
class TabSpec:
    """A tab of the ERP Integrations page that holds no document (e.g. standard cost codes)."""

    key: str
    label: str
    dataset: str
    panel: Callable[..., tuple[str, dict]]  # (request) -> (template, context)
    order: int = 100


@dataclass(frozen=True)
class ReconcileCheck:
    """Part of ``erp_reconcile``: ``run(report, connector)`` adds differences and counts ``noun``s."""

    key: str
    noun: str  # "projects": shown as "N projects checked"
    run: Callable
    order: int = 100


class ErpDocument:
    """A document type exchanged with the ERP. Subclass it in the domain's ``erp.py`` and ``@register`` it."""

    item_type: ClassVar[ItemType]
    model: ClassVar[type[ErpExportable]]
    label: ClassVar[str]  # "project", "sub job", "company"
    erp_id_field: ClassVar[str]  # the model field that holds the ERP id once synced
    erp_id_label: ClassVar[str] = "ERP ID"
    send_action: ClassVar[Action]
    accept_action: ClassVar[Action]
    unlink_action: ClassVar[Action | None] = None
    direct_export: ClassVar[bool] = False  # may Direct Export be switched on for this type (R7)?
    links_identical: ClassVar[bool] = False  # an identical record already in the ERP is linked, not refused
    accept_fields: ClassVar[tuple[AcceptField, ...]] = ()
    field_limits: ClassVar[dict[str, tuple[type, str]]] = {}  # model field → (record type, record field)
    locked_fields: ClassVar[tuple[str, ...]] = ()
    locked_children: ClassVar[tuple[ChildLock, ...]] = ()
    search_fields: ClassVar[tuple[str, ...]] = ()
    select_related: ClassVar[tuple[str, ...]] = ()
    prefetch_related: ClassVar[tuple[str, ...]] = ()  # what planning a page of exports reads (no query per item)
    # Its tab on the ERP Integrations page.
    tab_key: ClassVar[str]
    tab_label: ClassVar[str]
    tab_order: ClassVar[int] = 100
    staged_kind: ClassVar[str] = ""  # the Ready to Import kind of ERP records of this type
    dataset: ClassVar[str] = ""  # the dataset the tab's Sync now runs
    import_actions: ClassVar[tuple[ImportAction, ...]] = ()
    item_actions: ClassVar[tuple[ItemAction, ...]] = ()  # buttons on the item's own page (ItemAction)
    archive_action: ClassVar[Action | None] = None  # who may archive (and bring back) a waiting ERP record
    view_synced_action: ClassVar[Action | None] = None  # an extra permission for the Synced list (P#34)
    view_archived_action: ClassVar[Action | None] = None  # an extra permission for the Archived list (P#38)
    # The ORM path from an item to its project ("pk" for a project, "project" for a sub job); None for a
    # company-level type. Outside approvers and company admins, the queue shows only items of the user's
    # projects (DECISIONS "Who sees the company-level queue").
    project_lookup: ClassVar[str | None] = None
    api_basename: ClassVar[str] = ""  # the REST API's route name ("project" → /api/v1/projects/{id}/erp/…)

    # --- facts about one item -------------------------------------------------------------------

    def project_of(self, obj):
        return None

    def visible(self, queryset, user):
        """The items of ``queryset`` that ``user`` may see in the queue when they do not see every project's."""
        if self.project_lookup is None:
            return queryset
        from apps.access.selectors import scope_to_projects

        return scope_to_projects(queryset, user, project_field=self.project_lookup)

    def describe(self, obj) -> str:
        return str(obj)

    def prerequisites(self, obj, context: SendContext) -> dict[str, str]:
        """What must hold before the item is sent (beyond the connector's field limits): {field: message}."""
        return {}

    def steps(self, obj, fields: dict[str, str]) -> list[Step]:
        """The export, in order. The first step's record is the document's own record in the ERP."""
        raise NotImplementedError

    def erp_record(self, obj):
        """The record the synced item is in the ERP (its identity), for unlink and reconcile."""
        raise NotImplementedError

    def apply_synced(self, obj, fields: dict[str, str], results: dict[str, dict]) -> list[str]:
        """Record the ERP id (and anything else) on ``obj`` once every step is written; the fields changed."""
        first = next(iter(results.values()))
        setattr(obj, self.erp_id_field, first["erp_id"])
        return [self.erp_id_field]

    def staged_details(self, staged) -> list[tuple[str, bool]]:
        """What Ready to Import shows of an ERP record beside its id and name: (text, is a warning)."""
        return []

    def importable(self, staged):
        """The Ready to Import records that can be imported now (a queryset of ``StagedRecord``)."""
        return staged

    def imported_note(self, obj, actor) -> str:
        """Anything the person who imported ``obj`` should know and do next, in words, or ""."""
        return ""

    def waiting_to_import(self) -> str:
        """What Ready to Import does not list yet and why, in words ("3 Sage extras wait for their job …"), or ""."""
        return ""

    def after_unlink(self, obj) -> None:
        """Anything beyond the ERP id that unlinking lets go of."""

    # --- the domain's own services, for the shared guards' conformance suite ------------------

    def update(self, obj, data: dict, *, actor=None):  # pragma: no cover - each document names its service
        raise NotImplementedError

    def delete(self, obj, *, actor=None) -> None:  # pragma: no cover
        raise NotImplementedError

    # --- derived --------------------------------------------------------------------------------

    @property
    def id_field(self) -> AcceptField:
        return next(f for f in self.accept_fields if f.identifies)

    def accept_defaults(self, obj) -> dict[str, str]:
        """The approver's form, pre-filled: what was entered before, else each field's default."""
        entered = getattr(obj, "erp_fields", None) or {}
        return {
            f.name: entered.get(f.name) or (f.default(obj) if f.default else "") or ""
            for f in self.accept_fields
        }

    def limit_problems(self, obj, connector: ErpConnector) -> dict[str, str]:
        """The connector's field limits on this item's own fields, at Send: {model field: the ERP's message}."""
        values = {name: getattr(obj, name) for name in self.field_limits}
        return self.limit_messages(values, connector, explain=False)

    def limit_messages(self, values: dict[str, object], connector: ErpConnector, *, explain: bool = True) -> dict[str, str]:
        """The connector's limits on ``values`` (model field → value; fields without a limit are ignored):
        {model field: message}. ``explain`` says first, for a person at a form, what the ERP holds."""
        problems = {}
        for model_field, value in values.items():
            if model_field not in self.field_limits or value is None:
                continue
            record_type, record_field = self.field_limits[model_field]
            limit = connector.limits.of(record_type).get(record_field)
            if limit is None:
                continue
            message = limit.explained(value, self.field_label(model_field)) if explain else limit.problem(value)
            if message:
                problems[model_field] = message
        return problems

    def field_label(self, model_field: str) -> str:
        try:
            return str(self.model._meta.get_field(model_field).verbose_name)
        except Exception:  # noqa: BLE001 - a declared name that is not a model field is still shown
            return model_field.replace("_", " ")

    def __repr__(self) -> str:
        return f"<ErpDocument {self.item_type}>"


# --- the registry -------------------------------------------------------------------------------

_DOCUMENTS: dict[str, ErpDocument] = {}
_DATASETS: dict[str, DatasetSpec] = {}
_TABS: dict[str, TabSpec] = {}
_RECONCILE: dict[str, ReconcileCheck] = {}
_SETTINGS: dict[str, SettingSpec] = {}


def register(document_class: type[ErpDocument]) -> type[ErpDocument]:
    _DOCUMENTS[str(document_class.item_type)] = document_class()
    return document_class


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    _DATASETS[spec.key] = spec
    return spec


def register_tab(spec: TabSpec) -> TabSpec:
    _TABS[spec.key] = spec
    return spec


def register_reconcile(check: ReconcileCheck) -> ReconcileCheck:
    _RECONCILE[check.key] = check
    return check


def register_setting(spec: SettingSpec) -> SettingSpec:
    _SETTINGS[spec.key] = spec
    return spec


def document(item_type: ItemType | str) -> ErpDocument:
    try:
        return _DOCUMENTS[str(item_type)]
    except KeyError:
        raise LookupError(f"No ERP document is registered for item type {item_type!r}.") from None


def documents() -> list[ErpDocument]:
    return sorted(_DOCUMENTS.values(), key=lambda doc: (doc.tab_order, str(doc.item_type)))


def document_for(obj_or_model) -> ErpDocument:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for doc in _DOCUMENTS.values():
        if issubclass(model, doc.model):
            return doc
    raise LookupError(f"No ERP document is registered for {model.__name__}.")


def datasets() -> list[DatasetSpec]:
    return sorted(_DATASETS.values(), key=lambda spec: (spec.order, spec.key))


def dataset(key: str) -> DatasetSpec | None:
    return _DATASETS.get(str(key))


def dataset_choices() -> list[tuple[str, str]]:
    return [(spec.key, spec.label) for spec in datasets()]


def reconcile_checks() -> list[ReconcileCheck]:
    return sorted(_RECONCILE.values(), key=lambda check: (check.order, check.key))


def settings_specs() -> list[SettingSpec]:
    return list(_SETTINGS.values())


def setting_spec(key: str) -> SettingSpec:
    try:
        return _SETTINGS[key]
    except KeyError:
        raise LookupError(f"No ERP setting {key!r} is registered.") from None


def extra_tabs() -> list[TabSpec]:
    return sorted(_TABS.values(), key=lambda tab: (tab.order, tab.key))


def child_lock_for(model) -> tuple[ErpDocument, ChildLock] | None:
    for doc in _DOCUMENTS.values():
        for lock in doc.locked_children:
            if issubclass(model, lock.model):
                return doc, lock
    return None


def direct_export_documents() -> list[ErpDocument]:
    return [doc for doc in documents() if doc.direct_export]


__all__ = [
    "AcceptField",
    "ChildLock",
    "DatasetSpec",
    "ErpDocument",
    "ImportAction",
    "ItemAction",
    "ReconcileCheck",
    "SettingSpec",
    "Step",
    "TabSpec",
    "child_lock_for",
    "dataset",
    "dataset_choices",
    "datasets",
    "direct_export_documents",
    "document",
    "document_for",
    "documents",
    "extra_tabs",
    "SendContext",
    "reconcile_checks",
    "register",
    "register_dataset",
    "register_reconcile",
    "register_setting",
    "register_tab",
    "setting_spec",
    "settings_specs",
]
