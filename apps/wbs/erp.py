"""The work breakdown structure on the ERP side: Sage's standard cost codes and categories come in
(import only, R24); a job's cost codes and categories come onto its project (Refresh Cost Codes,
R33); and every export that carries cost codes writes them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.bulk import upsert
from apps.core.exceptions import Conflict
from apps.erp.reconcile import MISSING, Kind, ReconcileReport, get_all
from apps.erp.records import CostTypeRecord, JobCostCodeRecord, Page
from apps.erp.registry import DatasetSpec, ReconcileCheck, TabSpec, register_dataset, register_reconcile, register_tab
from apps.erp.sync import PageOutcome
from apps.wbs.models import CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import RowsInvalid, cost_code_list_get_or_create_erp, cost_types_upsert, standard_cost_codes_upsert

COST_CODES = "cost-codes"
SYNC_PAGE_SIZE = 2000


# --- what exports send ----------------------------------------------------------------------------


def cost_code_records(project, *, sub_job, job_id: str, extra: str = "") -> tuple[JobCostCodeRecord, ...]:
    """The project's (or the sub job's) cost codes with their cost types, as the ERP's records.

    Reads ``project.cost_codes`` when a page of projects was fetched with them (``cost_codes__cost_types__cost_type``
    prefetched), else queries them.
    """
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("cost_codes")
    if prefetched is not None:
        wanted = sub_job.pk if sub_job is not None else None
        codes = sorted((code for code in prefetched if code.sub_job_id == wanted), key=lambda code: code.code)
    else:
        codes = (
            ProjectCostCode.objects.filter(project=project, sub_job=sub_job)
            .prefetch_related("cost_types__cost_type")
            .order_by("code")
        )
    return tuple(
        JobCostCodeRecord(
            job_id=job_id,
            extra=extra,
            code=code.code,
            description=code.description[:30],
            category_codes=tuple(sorted(assignment.cost_type.code for assignment in code.cost_types.all())),
        )
        for code in codes
    )


def cost_codes_mark_synced(project, *, sub_job) -> None:
    """The cost codes and cost types that went to the ERP with the job (or extra) are now synced."""
    now = timezone.now()
    ProjectCostCode.objects.filter(project=project, sub_job=sub_job, erp_synced_at__isnull=True).update(
        erp_synced_at=now, updated_at=now
    )
    ProjectCostType.objects.filter(
        project_cost_code__project=project, project_cost_code__sub_job=sub_job, erp_synced_at__isnull=True
    ).update(erp_synced_at=now, updated_at=now)


# --- Refresh Cost Codes: a job's cost codes onto its project ---------------------------------------


@dataclass(frozen=True)
class RefreshCounts:
    cost_codes_added: int
    cost_types_added: int
    skipped: list[str]


def project_cost_codes_refresh(*, project, actor) -> RefreshCounts:
    """Refresh the Cost Codes on an ERP Integrated Project (P#24, R33)."""
    if actor is not None:
        require(actor, Action.REFRESH_PROJECT_COST_CODES, project=project)
    if not project.sage_job_id or not project.is_synced:
        raise Conflict(f"Project {project.number} is not synced with a Sage job yet.", code="project_not_synced")
    return project_cost_codes_sync(project=project)


@transaction.atomic
def project_cost_codes_sync(*, project) -> RefreshCounts:
    """Bring the Sage job's cost codes and categories onto the project, in bulk. Nothing is removed."""
    from apps.erp.connector import get_connector

    records = [r for r in get_all(get_connector().job_cost_codes, job_id=project.sage_job_id) if not r.is_summary]
    now = timezone.now()
    sub_jobs = {s.sage_extra_id: s for s in project.sub_jobs.filter(sage_extra_id__isnull=False)}
    standard = dict(StandardCostCode.objects.filter(cost_code_list__source="erp").values_list("code", "pk"))
    cost_types = dict(CostType.objects.values_list("code", "pk"))
    skipped, job_rows, extra_rows = [], [], []
    for record in records:
        sub_job = sub_jobs.get(record.extra) if record.extra else None
        if record.extra and sub_job is None:
            skipped.append(f"{record.extra}/{record.code}: sub job {record.extra} is not in Trestle")
            continue
        row = {
            "project_id": project.pk, "sub_job_id": sub_job.pk if sub_job else None, "code": record.code,
            "standard_cost_code_id": standard.get(record.code), "description": record.description[:200],
            "is_project_specific": record.code not in standard, "erp_synced_at": now,
        }
        (extra_rows if sub_job else job_rows).append(row)
    fields = ["standard_cost_code_id", "description", "is_project_specific", "erp_synced_at", "sub_job_id"]
    stamps = {"created_at": now, "updated_at": now}
    added = upsert(ProjectCostCode, job_rows, key=["project_id", "code"], fields=fields, update=False,
                   insert_values=stamps, where='"sub_job_id" IS NULL')
    added += upsert(ProjectCostCode, extra_rows, key=["project_id", "sub_job_id", "code"], fields=fields, update=False,
                    insert_values=stamps, where='"sub_job_id" IS NOT NULL')
    code_ids = {
        (sub_job_id, code): pk
        for pk, sub_job_id, code in ProjectCostCode.objects.filter(project=project).values_list("pk", "sub_job_id", "code")
    }
    type_rows = []
    for record in records:
        sub_job = sub_jobs.get(record.extra) if record.extra else None
        code_id = code_ids.get((sub_job.pk if sub_job else None, record.code))
        if code_id is None:
            continue
        for category in record.category_codes:
            if category not in cost_types:
                skipped.append(f"{record.code}.{category}: cost type {category} is not in Trestle; sync cost codes")
                continue
            type_rows.append({"project_cost_code_id": code_id, "cost_type_id": cost_types[category]})
    types_added = upsert(ProjectCostType, type_rows, key=["project_cost_code_id", "cost_type_id"], fields=[],
                         update=False, insert_values={**stamps, "erp_synced_at": now})
    return RefreshCounts(added.created, types_added.created, skipped)


# --- the Standard Cost Codes & Cost Types dataset ---------------------------------------------------


def _cost_codes_read(connector, cursor: str | None, changed_since) -> Page:
    # Cost types first (cost codes' default types refer to them), then cost codes.
    phase, _, inner = (cursor or "types:").partition(":")
    if phase == "types":
        page = connector.cost_types(cursor=inner or None, limit=SYNC_PAGE_SIZE, changed_since=changed_since)
        return Page(page.records, f"types:{page.next_cursor}" if page.next_cursor else "codes:", page.high_water)
    page = connector.standard_cost_codes(cursor=inner or None, limit=SYNC_PAGE_SIZE, changed_since=changed_since)
    return Page(page.records, f"codes:{page.next_cursor}" if page.next_cursor else None, page.high_water)


def _upsert_skipping_bad_rows(upsert_rows, rows: list[dict], outcome: PageOutcome, **kwargs) -> None:
    """Write the good rows; count and explain each bad one (one bad record never stops a sync)."""
    try:
        counts = upsert_rows(rows=rows, **kwargs)
    except RowsInvalid as invalid:
        for number, errors in sorted(invalid.row_errors.items()):
            field, messages = next(iter(errors.items()))
            outcome.fail(rows[number - 1].get("code", "?"), f"{field}: {messages[0]}", "Correct it in Sage 300 CRE.")
        good = [row for number, row in enumerate(rows, 1) if number not in invalid.row_errors]
        counts = upsert_rows(rows=good, **kwargs) if good else None
    if counts is not None:
        outcome.created += counts.created
        outcome.updated += counts.updated
        outcome.unchanged += counts.unchanged


def _cost_codes_write(records, run) -> PageOutcome:
    outcome = PageOutcome()
    now = timezone.now()
    types = [{"code": r.code, "description": r.description} for r in records if isinstance(r, CostTypeRecord)]
    codes = [r for r in records if not isinstance(r, CostTypeRecord)]
    if types:
        _upsert_skipping_bad_rows(cost_types_upsert, types, outcome, synced_at=now)
    if codes:
        usable = [{"code": r.code, "description": r.description} for r in codes if not r.is_summary]
        summary = len(codes) - len(usable)
        if summary:
            outcome.skipped += summary
            outcome.explain(summary, "summary cost code (like 01-000) skipped: summary codes take no costs",
                            "summary cost codes (like 01-000) skipped: summary codes take no costs")
        if usable:
            _upsert_skipping_bad_rows(
                standard_cost_codes_upsert, usable, outcome, cost_code_list=cost_code_list_get_or_create_erp(),
                synced_at=now,
            )
    return outcome


register_dataset(DatasetSpec(COST_CODES, "Standard Cost Codes & Cost Types", Action.ASSIGN_DEFAULT_COST_TYPES,
                             _cost_codes_read, _cost_codes_write, order=10))


def _cost_codes_panel(request) -> tuple[str, dict]:
    codes = StandardCostCode.objects.filter(cost_code_list__source="erp").prefetch_related("default_cost_types")
    page = Paginator(codes.order_by("code"), 50).get_page(request.GET.get("page"))
    return "admin/wbs/erp_cost_codes_tab.html", {
        "page": page, "cost_types": CostType.objects.order_by("code"), "code_rows": page,
    }


register_tab(TabSpec("cost-codes", "Standard Cost Codes & Cost Types", COST_CODES, _cost_codes_panel, order=40))


# --- reconcile ----------------------------------------------------------------------------------------


def _reconcile_cost_codes(report: ReconcileReport, connector) -> None:
    """Every cost code and cost type Trestle marks as synced is on the ERP job (or extra)."""
    from django.db.models import Prefetch, Q

    from apps.erp.reconcile import label_of

    in_erp = {(r.job_id, r.extra, r.code): set(r.category_codes) for r in get_all(connector.job_cost_codes)}
    synced_types = Prefetch(
        "cost_types",
        queryset=ProjectCostType.objects.filter(erp_synced_at__isnull=False).select_related("cost_type"),
        to_attr="synced_types",
    )
    codes = (
        ProjectCostCode.objects.filter(project__sage_job_id__isnull=False, erp_synced_at__isnull=False)
        .filter(Q(sub_job__isnull=True) | Q(sub_job__sage_extra_id__isnull=False))
        .select_related("project", "sub_job__project")
        .prefetch_related(synced_types)
        .order_by("project__number", "sub_job__code", "code")
    )
    for code in codes:
        extra = code.sub_job.sage_extra_id if code.sub_job_id else ""
        owner = label_of(code.sub_job) if code.sub_job_id else label_of(code.project)
        categories = in_erp.get((code.project.sage_job_id, extra, code.code))
        if categories is None:
            report.add(Kind.COST_CODE, owner, "cost code", code.code, MISSING)
            continue
        for assignment in code.synced_types:
            if assignment.cost_type.code not in categories:
                report.add(Kind.CATEGORY, owner, f"cost code {code.code}", assignment.cost_type.code, MISSING)


register_reconcile(ReconcileCheck("cost-codes", "", _reconcile_cost_codes, order=15))
