"""Reads for the ERP Integrations tool: its tabs (derived from the registry), the queue of each item
type by view, Ready to Import, and sync history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.access.checks import can, has_tool_level, is_accounting_approver
from apps.access.models import Level, Tool
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.registry import ErpDocument, TabSpec, document, documents, extra_tabs


class View:
    READY_TO_IMPORT = "ready_to_import"
    READY_TO_EXPORT = "ready_to_export"
    FAILED = "failed_to_export"
    SYNCED = "synced"
    ARCHIVED = "archived"
    REJECTED = "rejected"

    LABELS = {
        READY_TO_IMPORT: "Ready to Import",
        READY_TO_EXPORT: "Ready to Export",
        FAILED: "Failed to Export",
        SYNCED: "Synced",
        REJECTED: "Rejected",
        ARCHIVED: "Archived",
    }


EXPORT_VIEWS = (View.READY_TO_EXPORT, View.FAILED, View.REJECTED, View.SYNCED)
IMPORT_VIEWS = (View.READY_TO_IMPORT, View.ARCHIVED)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    order: int
    doc: ErpDocument | None = None
    panel: TabSpec | None = None

    @property
    def item_type(self) -> str | None:
        return str(self.doc.item_type) if self.doc else None

    @property
    def staged_kind(self) -> str:
        return self.doc.staged_kind if self.doc else ""

    @property
    def dataset(self) -> str:
        return self.doc.dataset if self.doc else self.panel.dataset

    @property
    def views(self) -> tuple[str, ...]:
        if self.doc is None:
            return ()
        if self.doc.staged_kind:
            return (View.READY_TO_IMPORT, View.READY_TO_EXPORT, View.FAILED, View.REJECTED, View.SYNCED, View.ARCHIVED)
        return EXPORT_VIEWS


def tabs() -> list[Tab]:
    """The ERP Integrations page's tabs: one per registered document, then the tabs of datasets alone."""
    found = [Tab(doc.tab_key, doc.tab_label, doc.tab_order, doc=doc) for doc in documents()]
    found += [Tab(spec.key, spec.label, spec.order, panel=spec) for spec in extra_tabs()]
    return sorted(found, key=lambda tab: (tab.order, tab.key))


def tab(key: str) -> Tab:
    every = tabs()
    return next((t for t in every if t.key == key), every[0])


STATUS_OF_VIEW = {
    View.READY_TO_EXPORT: [ErpStatus.READY_TO_EXPORT],
    # Failed, and what is exporting right now (so an item does not vanish between Accept and its outcome).
    View.FAILED: [ErpStatus.FAILED_TO_EXPORT, ErpStatus.EXPORTING],
    View.REJECTED: [ErpStatus.REJECTED],
    View.SYNCED: [ErpStatus.SYNCED],
}


def sees_every_project(user) -> bool:
    """Accounting approvers and company admins work the company-level queue of every project; anyone else
    with the tool sees only items of projects they are on (DECISIONS "Who sees the company-level queue")."""
    return is_accounting_approver(user) or has_tool_level(user, Tool.COMPANY_ADMIN, Level.ADMIN)


def scope_queue(queryset: QuerySet, doc: ErpDocument, user) -> QuerySet:
    """``queryset`` of ``doc``'s items cut to what ``user`` may see (``user=None``: an internal read)."""
    if user is None or sees_every_project(user):
        return queryset
    return doc.visible(queryset, user)


def queue_items(*, item_type: str, view: str, search: str = "", user=None) -> QuerySet:
    """Items of one type in one view of the queue (Ready to Export, Failed to Export, Synced …), those
    ``user`` may see."""
    doc = document(item_type)
    statuses = STATUS_OF_VIEW.get(view)
    if statuses is None:
        raise ValueError(f"{view!r} is not a view of exportable items.")
    queryset = doc.model.objects.filter(erp_status__in=statuses).select_related(
        "erp_sent_by", "erp_approved_by", *doc.select_related
    )
    queryset = scope_queue(queryset, doc, user)
    if search:
        query = Q()
        for name in doc.search_fields:
            query |= Q(**{f"{name}__icontains": search})
        queryset = queryset.filter(query)
    return queryset.order_by("-erp_sent_at", "-pk")


def queue_by_status(*, item_type: str, erp_status: str, user=None) -> QuerySet:
    """Items of one type in one ERP status, those ``user`` may see, newest sent first (the queue API)."""
    doc = document(item_type)
    queryset = doc.model.objects.filter(erp_status=erp_status).select_related(
        "erp_sent_by", "erp_approved_by", *doc.select_related
    )
    return scope_queue(queryset, doc, user).order_by("-erp_sent_at", "-pk")


def queue_count(*, item_type: str, view: str, user=None) -> int:
    return queue_items(item_type=item_type, view=view, user=user).count()


def failed_count(*, item_type: str, user=None) -> int:
    """Failed to Export only (not what is exporting right now)."""
    doc = document(item_type)
    return scope_queue(doc.model.objects.filter(erp_status=ErpStatus.FAILED_TO_EXPORT), doc, user).count()


def staged_records(*, kind: str, view: str, search: str = "") -> QuerySet[StagedRecord]:
    status = {View.READY_TO_IMPORT: StagedRecord.Status.STAGED, View.ARCHIVED: StagedRecord.Status.ARCHIVED}[view]
    queryset = StagedRecord.objects.filter(kind=kind, status=status)
    if view == View.READY_TO_IMPORT:
        queryset = queryset.filter(erp_deleted_at__isnull=True)  # gone from the ERP since
        doc = next((doc for doc in documents() if doc.staged_kind == kind), None)
        if doc is not None:
            queryset = doc.importable(queryset)
    if search:
        queryset = queryset.filter(Q(origin_id__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("parent_origin_id", "origin_id")


def view_action(doc: ErpDocument, view: str):
    """The extra permission a view of ``doc``'s tab needs (Synced sub jobs P#34, Archived companies P#38)."""
    return {View.SYNCED: doc.view_synced_action, View.ARCHIVED: doc.view_archived_action}.get(view)


def view_counts(tab_: Tab, user=None) -> dict[str, int]:
    """Each view's count, as ``user`` sees it (a view they may not open has no count)."""
    counts = {}
    for view in tab_.views:
        needed = view_action(tab_.doc, view)
        if user is not None and needed is not None and not can(user, needed):
            continue
        if view in IMPORT_VIEWS:
            counts[view] = staged_records(kind=tab_.staged_kind, view=view).count()
        elif view == View.FAILED:
            counts[view] = failed_count(item_type=tab_.item_type, user=user)
        else:
            counts[view] = queue_count(item_type=tab_.item_type, view=view, user=user)
    return counts


def last_sync_run(dataset: str) -> SyncRun | None:
    return SyncRun.objects.filter(dataset=dataset).order_by("-queued_at", "-pk").first()


def sync_runs(*, dataset: str | None = None) -> QuerySet[SyncRun]:
    queryset = SyncRun.objects.select_related("started_by")
    if dataset:
        queryset = queryset.filter(dataset=dataset)
    return queryset.order_by("-queued_at", "-pk")


def with_next_run(queryset: QuerySet) -> QuerySet:
    """Sync schedules with ``q_next_run``, their django-q2 schedule's next run (one query for a page)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Concat
    from django_q.models import Schedule

    from apps.erp.schedules import _schedule_name

    name = Concat(Value(_schedule_name("")), OuterRef("dataset"))
    return queryset.annotate(q_next_run=Subquery(Schedule.objects.filter(name=name).values("next_run")[:1]))
