"""Reads for the ERP Integrations tool: the queue of each item type, by view, and sync history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import Dataset, StagedRecord, SyncRun
from apps.erp.registry import get_adapter


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


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    item_type: ItemType | None
    staged_kind: str | None
    dataset: Dataset | None
    views: tuple[str, ...]


TABS = (
    Tab("jobs", "Jobs", ItemType.PROJECT, StagedRecord.Kind.JOB, Dataset.JOBS,
        (View.READY_TO_IMPORT, View.READY_TO_EXPORT, View.FAILED, View.REJECTED, View.SYNCED, View.ARCHIVED)),
    Tab("sub-jobs", "Sub Jobs", ItemType.SUB_JOB, StagedRecord.Kind.EXTRA, Dataset.SUB_JOBS,
        (View.READY_TO_IMPORT, View.READY_TO_EXPORT, View.FAILED, View.REJECTED, View.SYNCED, View.ARCHIVED)),
    Tab("vendors", "Vendors", ItemType.COMPANY, StagedRecord.Kind.VENDOR, Dataset.VENDORS,
        (View.READY_TO_IMPORT, View.READY_TO_EXPORT, View.FAILED, View.REJECTED, View.SYNCED, View.ARCHIVED)),
    Tab("cost-codes", "Standard Cost Codes & Cost Types", None, None, Dataset.COST_CODES, ()),
)
TABS_BY_KEY = {tab.key: tab for tab in TABS}
TAB_BY_ITEM_TYPE = {str(tab.item_type): tab for tab in TABS if tab.item_type}

STATUS_OF_VIEW = {
    View.READY_TO_EXPORT: [ErpStatus.READY_TO_EXPORT],
    View.FAILED: [ErpStatus.FAILED_TO_EXPORT, ErpStatus.EXPORTING],
    View.REJECTED: [ErpStatus.REJECTED],
    View.SYNCED: [ErpStatus.SYNCED],
}


def queue_items(*, item_type: str, view: str, search: str = "") -> QuerySet:
    """Items of one type in one view of the queue (Ready to Export, Failed to Export, Synced …)."""
    adapter = get_adapter(item_type)
    statuses = STATUS_OF_VIEW.get(view)
    if statuses is None:
        raise ValueError(f"{view!r} is not a view of exportable items.")
    queryset = adapter.model.objects.filter(erp_status__in=statuses).select_related(
        "erp_sent_by", "erp_approved_by", *adapter.select_related()
    )
    if search:
        queryset = queryset.filter(_search(adapter.model, search))
    return queryset.order_by("-erp_sent_at", "-pk")


def _search(model, search: str) -> Q:
    names = {field.name for field in model._meta.get_fields()}
    query = Q()
    for name in ("name", "number", "code", "sage_job_id", "erp_company_id", "sage_extra_id"):
        if name in names:
            query |= Q(**{f"{name}__icontains": search})
    return query


def staged_records(*, kind: str, view: str, search: str = "") -> QuerySet[StagedRecord]:
    status = {View.READY_TO_IMPORT: StagedRecord.Status.STAGED, View.ARCHIVED: StagedRecord.Status.ARCHIVED}[view]
    queryset = StagedRecord.objects.filter(kind=kind, status=status)
    if kind == StagedRecord.Kind.EXTRA and view == View.READY_TO_IMPORT:
        # Extras are importable only under a job that is synced with a project.
        from apps.projects.models import Project

        synced_jobs = Project.objects.filter(sage_job_id__isnull=False).values("sage_job_id")
        queryset = queryset.filter(parent_origin_id__in=synced_jobs)
    if search:
        queryset = queryset.filter(Q(origin_id__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("parent_origin_id", "origin_id")


def view_counts(tab: Tab) -> dict[str, int]:
    counts = {}
    for view in tab.views:
        if view in (View.READY_TO_IMPORT, View.ARCHIVED):
            counts[view] = staged_records(kind=tab.staged_kind, view=view).count()
        else:
            counts[view] = queue_items(item_type=tab.item_type, view=view).count()
    return counts


def last_sync_run(dataset: str) -> SyncRun | None:
    return SyncRun.objects.filter(dataset=dataset).order_by("-queued_at", "-pk").first()


def sync_runs(*, dataset: str | None = None) -> QuerySet[SyncRun]:
    queryset = SyncRun.objects.select_related("started_by")
    if dataset:
        queryset = queryset.filter(dataset=dataset)
    return queryset.order_by("-queued_at", "-pk")
