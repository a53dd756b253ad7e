"""Reads for the ERP Integrations tool: its tabs (derived from the registry), the queue of each item
type by view, Ready to Import, and sync history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

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


def queue_items(*, item_type: str, view: str, search: str = "") -> QuerySet:
    """Items of one type in one view of the queue (Ready to Export, Failed to Export, Synced …)."""
    doc = document(item_type)
    statuses = STATUS_OF_VIEW.get(view)
    if statuses is None:
        raise ValueError(f"{view!r} is not a view of exportable items.")
    queryset = doc.model.objects.filter(erp_status__in=statuses).select_related(
        "erp_sent_by", "erp_approved_by", *doc.select_related
    )
    if search:
        query = Q()
        for name in doc.search_fields:
            query |= Q(**{f"{name}__icontains": search})
        queryset = queryset.filter(query)
    return queryset.order_by("-erp_sent_at", "-pk")


def queue_count(*, item_type: str, view: str) -> int:
    return queue_items(item_type=item_type, view=view).count()


def failed_count(*, item_type: str) -> int:
    """Failed to Export only (not what is exporting right now)."""
    return document(item_type).model.objects.filter(erp_status=ErpStatus.FAILED_TO_EXPORT).count()


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


def view_counts(tab_: Tab) -> dict[str, int]:
    counts = {}
    for view in tab_.views:
        if view in IMPORT_VIEWS:
            counts[view] = staged_records(kind=tab_.staged_kind, view=view).count()
        elif view == View.FAILED:
            counts[view] = failed_count(item_type=tab_.item_type)
        else:
            counts[view] = queue_count(item_type=tab_.item_type, view=view)
    return counts


def last_sync_run(dataset: str) -> SyncRun | None:
    return SyncRun.objects.filter(dataset=dataset).order_by("-queued_at", "-pk").first()


def sync_runs(*, dataset: str | None = None) -> QuerySet[SyncRun]:
    queryset = SyncRun.objects.select_related("started_by")
    if dataset:
        queryset = queryset.filter(dataset=dataset)
    return queryset.order_by("-queued_at", "-pk")
