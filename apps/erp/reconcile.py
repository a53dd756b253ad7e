"""Reconcile: does Trestle agree with the ERP about every record they share? (DESIGN §9)

Reads only, and reaches the ERP only through the connector: its paged reads of jobs, extras,
job cost codes and vendors, plus its idempotency lookup for the few items whose exports need a
second look. Each disagreement is one ``Difference`` row; an empty list means the two agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from apps.companies.models import Company
from apps.erp.connector import get_connector
from apps.erp.datasets import VENDOR_AUTO_UPDATE_FIELDS
from apps.erp.imports import get_all
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt
from apps.erp.registry import adapter_for_model, adapters
from apps.erp.services import LEASE, erp_settings
from apps.projects.models import Project, SubJob
from apps.wbs.models import ProjectCostCode, ProjectCostType

MISSING = "(missing)"
JOB_FIELDS = ("name", "address", "city", "state", "zip")  # the project's field = the job record's field
_PUNCTUATION = re.compile(r"[^0-9A-Za-z]")


class Kind:
    MISSING_IN_ERP = "missing in ERP"
    FIELD = "field differs"
    NOT_SYNCED = "linked but not synced"
    COST_CODE = "cost code missing"
    CATEGORY = "cost type missing"
    STUCK = "stuck exporting"
    DUPLICATE_JOB = "duplicate job in ERP"
    DUPLICATE_WRITE = "written twice"
    UNRECORDED_WRITE = "ERP write not recorded"


@dataclass(frozen=True)
class Difference:
    kind: str
    trestle_object: str
    field: str
    trestle_value: str
    erp_value: str


@dataclass
class ReconcileReport:
    differences: list[Difference] = field(default_factory=list)
    projects: int = 0
    sub_jobs: int = 0
    companies: int = 0
    exports_in_flight: int = 0

    def add(self, kind: str, obj: str, field_name: str, trestle_value: object, erp_value: object) -> None:
        self.differences.append(Difference(kind, obj, field_name, _shown(trestle_value), _shown(erp_value)))


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _label(obj) -> str:
    """How the ERP Integrations tool names an item: "project 26-105 McKinney Fire Station", "company Acme"."""
    adapter = adapter_for_model(obj)
    return f"{adapter.label} {adapter.describe(obj)}"


def reconcile(*, connector=None, now=None) -> ReconcileReport:
    """Compare every linked project, sub job and company with the ERP; list where they differ."""
    connector = connector or get_connector()
    now = now or timezone.now()
    report = ReconcileReport()
    jobs = {job.job_id: job for job in get_all(connector.jobs)}
    _projects(report, jobs)
    _duplicate_jobs(report, jobs)
    _cost_codes(report, get_all(connector.job_cost_codes))
    _sub_jobs(report, get_all(connector.extras))
    _companies(report, get_all(connector.vendors), connector)
    _exporting(report, now)
    _writes_under_trestles_keys(report, connector)
    return report


# --- linked records ------------------------------------------------------------------------------


def _projects(report: ReconcileReport, jobs: dict) -> None:
    for project in Project.objects.filter(sage_job_id__isnull=False).order_by("number"):
        report.projects += 1
        label = _label(project)
        job = jobs.get(project.sage_job_id)
        if job is None:
            report.add(Kind.MISSING_IN_ERP, label, "sage_job_id", project.sage_job_id, MISSING)
            continue
        if project.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", project.erp_status, f"job {job.job_id}")
        for name in JOB_FIELDS:
            if getattr(project, name) != getattr(job, name):
                report.add(Kind.FIELD, label, name, getattr(project, name), getattr(job, name))


def _duplicate_jobs(report: ReconcileReport, jobs: dict) -> None:
    """Two ERP jobs whose ids differ only by punctuation (Sage refuses this; it should never be seen)."""
    by_code = defaultdict(list)
    for job_id in sorted(jobs):
        by_code[_PUNCTUATION.sub("", job_id).upper()].append(job_id)
    duplicates = [job_ids for job_ids in by_code.values() if len(job_ids) > 1]
    if not duplicates:
        return
    ids = [job_id for job_ids in duplicates for job_id in job_ids]
    linked = dict(Project.objects.filter(sage_job_id__in=ids).values_list("sage_job_id", "number"))
    for job_ids in duplicates:
        owners = ", ".join(f"project {linked[j]}" for j in job_ids if j in linked) or "(no project linked)"
        report.add(Kind.DUPLICATE_JOB, owners, "sage_job_id", ", ".join(linked.get(j, "") for j in job_ids if j in linked),
                   " = ".join(job_ids))


def _cost_codes(report: ReconcileReport, records: list) -> None:
    """Every cost code and cost type Trestle marks as synced is on the ERP job (or extra)."""
    in_erp = {(r.job_id, r.extra, r.code): set(r.category_codes) for r in records}
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
        owner = _label(code.sub_job) if code.sub_job_id else _label(code.project)
        categories = in_erp.get((code.project.sage_job_id, extra, code.code))
        if categories is None:
            report.add(Kind.COST_CODE, owner, "cost code", code.code, MISSING)
            continue
        for assignment in code.synced_types:
            if assignment.cost_type.code not in categories:
                report.add(Kind.CATEGORY, owner, f"cost code {code.code}", assignment.cost_type.code, MISSING)


def _sub_jobs(report: ReconcileReport, records: list) -> None:
    extras = {(r.job_id, r.extra): r for r in records}
    for sub_job in SubJob.objects.filter(sage_extra_id__isnull=False).select_related("project").order_by(
        "project__number", "code"
    ):
        report.sub_jobs += 1
        label = _label(sub_job)
        extra = extras.get((sub_job.project.sage_job_id, sub_job.sage_extra_id))
        if extra is None:
            where = f"{sub_job.project.sage_job_id}/{sub_job.sage_extra_id}"
            report.add(Kind.MISSING_IN_ERP, label, "sage_extra_id", where, MISSING)
            continue
        if sub_job.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", sub_job.erp_status, f"extra {extra.extra}")
        if sub_job.name != extra.description:
            report.add(Kind.FIELD, label, "name", sub_job.name, extra.description)


def _companies(report: ReconcileReport, records: list, connector) -> None:
    vendors = {r.vendor_id: r for r in records}
    # Without auto-update Trestle keeps its own address and phone after linking (DECISIONS A16).
    compared = VENDOR_AUTO_UPDATE_FIELDS if erp_settings().vendors_auto_update else {}
    for company in Company.objects.filter(erp_company_id__isnull=False).order_by("name", "pk"):
        report.companies += 1
        label = _label(company)
        vendor = vendors.get(company.erp_company_id)
        if vendor is None:
            report.add(Kind.MISSING_IN_ERP, label, "erp_company_id", company.erp_company_id, MISSING)
            continue
        if company.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", company.erp_status, f"vendor {vendor.vendor_id}")
        if not connector.same_vendor(vendor, name=company.name):  # the rule that linked them (Inc., case)
            report.add(Kind.FIELD, label, "name", company.name, vendor.name)
        for source, target in compared.items():
            if getattr(company, target) != (getattr(vendor, source) or ""):
                report.add(Kind.FIELD, label, target, getattr(company, target), getattr(vendor, source))


# --- exports --------------------------------------------------------------------------------------


def _exporting(report: ReconcileReport, now) -> None:
    """Items in Exporting whose export is not moving: no live attempt, a dead lease, or an overdue wait."""
    overdue = now - LEASE
    for adapter in adapters():
        exporting = adapter.model.objects.filter(erp_status=ErpStatus.EXPORTING).select_related(*adapter.select_related())
        items = {obj.pk: obj for obj in exporting}
        if not items:
            continue
        active = {
            attempt.object_id: attempt
            for attempt in ExportAttempt.objects.filter(
                item_type=adapter.item_type, object_id__in=items, status__in=["queued", "running"]
            )
        }
        for pk, obj in sorted(items.items()):
            attempt = active.get(pk)
            if attempt is None:
                state = "no export queued"
            elif attempt.status == ExportAttempt.Status.RUNNING and attempt.lease_expires_at < now:
                state = f"attempt {attempt.pk}: worker lease expired {_when(attempt.lease_expires_at)}"
            elif attempt.status == ExportAttempt.Status.QUEUED and (attempt.not_before or attempt.updated_at) < overdue:
                state = f"attempt {attempt.pk}: queued since {_when(attempt.updated_at)}, not picked up"
            else:
                report.exports_in_flight += 1
                continue
            report.add(Kind.STUCK, _label(obj), "erp_status", obj.erp_status, state)


def _writes_under_trestles_keys(report: ReconcileReport, connector) -> None:
    """Writes the ERP made under Trestle's idempotency keys that Trestle does not account for.

    A failed attempt whose key has a write in the ERP: the ERP committed, its answer was lost and
    Trestle recorded a failure (a difference unless a retry linked the item to that very record).
    An item with writes under two of its keys, never unlinked, is in the ERP twice. The ERP refuses
    a key twice, so attempts that succeeded alone need no lookup.
    """
    for adapter in adapters():
        attempts = ExportAttempt.objects.filter(item_type=adapter.item_type)
        several = attempts.values("object_id").annotate(count=Count("pk")).filter(count__gt=1).values("object_id")
        by_item = defaultdict(list)
        for attempt in attempts.filter(Q(status=ExportAttempt.Status.FAILED) | Q(object_id__in=several)).order_by("pk"):
            by_item[attempt.object_id].append(attempt)
        if not by_item:
            continue
        objects = adapter.model.objects.select_related(*adapter.select_related()).in_bulk(list(by_item))
        unlinked = set(
            ErpTransition.objects.filter(item_type=adapter.item_type, object_id__in=by_item, action="unlink")
            .values_list("object_id", flat=True)
        )
        for object_id, item_attempts in sorted(by_item.items()):
            obj = objects.get(object_id)
            if obj is None:
                continue
            linked_id = getattr(obj, adapter.erp_id_field) if obj.erp_status == ErpStatus.SYNCED else None
            written = [
                (attempt, found.erp_id)
                for attempt in item_attempts
                if (found := connector.find_by_idempotency_keys([str(attempt.idempotency_key)])) is not None
            ]
            for attempt, erp_id in written:
                if attempt.status == ExportAttempt.Status.FAILED and erp_id != linked_id:
                    report.add(Kind.UNRECORDED_WRITE, _label(obj), "erp_status", obj.erp_status,
                               f"{erp_id} (attempt {attempt.pk})")
            if len(written) > 1 and object_id not in unlinked:
                report.add(Kind.DUPLICATE_WRITE, _label(obj), adapter.erp_id_field, linked_id,
                           ", ".join(erp_id for _, erp_id in written))
