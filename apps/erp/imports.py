"""Ready to Import: bringing ERP vendors, jobs and extras into Trestle, and refreshing cost codes.

Vendors: link to an existing company (suggested matches first, R56) or add as a new company
(R55); archive the ones Trestle will not use (R57). Jobs: add as a new project, job id →
project number and Sage Job ID (R43, DECISIONS A21); never link to a project created on its
own (R40). Extras: import as sub jobs (R48). Cost codes: refresh from the Sage job (R33).

``actor=None`` means an internal call (the demo loader, a test set-up): no permission check.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.access.checks import require
from apps.access.matrix import Action
from apps.erp.item_types import ItemType
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.core.exceptions import Conflict
from apps.erp.connector import get_connector
from apps.erp.models import StagedRecord
from apps.erp.services import erp_link, erp_settings
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create, sub_job_create
from apps.wbs.models import CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import cost_code_list_get_or_create_erp

_NAME_NOISE = re.compile(r"\b(inc|llc|co|corp|corporation|company|ltd|the)\b|[^a-z0-9 ]")


def _lock_staged(staged: StagedRecord, kind: str) -> StagedRecord:
    staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    if staged.kind != kind:
        raise Conflict(f"{staged} is not a {StagedRecord.Kind(kind).label.lower()}.", code="wrong_record_kind")
    return staged


def _require_waiting(staged: StagedRecord) -> None:
    if staged.status != StagedRecord.Status.STAGED:
        raise Conflict(
            f"{staged} is {staged.get_status_display().lower()}, not waiting in Ready to Import.", code="not_staged"
        )


def _imported(staged: StagedRecord, object_id: int) -> None:
    staged.status, staged.linked_object_id = StagedRecord.Status.IMPORTED, object_id
    staged.save(update_fields=["status", "linked_object_id", "updated_at"])


# --- vendors -------------------------------------------------------------------------------------


def normalised_name(name: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", name.lower()).split())


@dataclass(frozen=True)
class SuggestedMatch:
    company: Company
    score: float


def vendor_suggested_matches(*, staged: StagedRecord, limit: int = 3) -> list[SuggestedMatch]:
    """Unlinked, unarchived companies whose names look like the vendor's, best first."""
    target = normalised_name(staged.name)
    if not target:
        return []
    candidates = Company.objects.filter(erp_company_id__isnull=True, is_archived=False).only("pk", "name", "city")
    scored = []
    for company in candidates.iterator(chunk_size=2000):
        score = difflib.SequenceMatcher(None, target, normalised_name(company.name)).ratio()
        if score >= 0.6:
            scored.append(SuggestedMatch(company, round(score, 2)))
    return sorted(scored, key=lambda match: (-match.score, match.company.name))[:limit]


@transaction.atomic
def vendor_add_as_company(*, staged: StagedRecord, actor) -> Company:
    """Add an ERP vendor to the directory as a new company, linked to it (P#12)."""
    if actor is not None:
        require(actor, Action.ADD_ERP_COMPANY)
    staged = _lock_staged(staged, StagedRecord.Kind.VENDOR)
    _require_waiting(staged)
    if Company.objects.filter(erp_company_id=staged.origin_id).exists():
        raise Conflict(f"A company is already linked to vendor {staged.origin_id}.", code="already_linked")
    data = staged.data
    company = company_create(
        name=data["name"],
        address=data.get("address", ""),
        city=data.get("city", ""),
        state=data.get("state", ""),
        zip=data.get("zip", ""),
        business_phone=data.get("telephone", ""),
        business_fax=data.get("fax", ""),
        erp_vendor_type=data.get("vendor_type", ""),
    )
    company.erp_inactive = bool(data.get("inactive"))
    company.save(update_fields=["erp_inactive", "updated_at"])
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=staged.origin_id, actor=actor, action="import")
    _imported(staged, company.pk)
    return Company.objects.get(pk=company.pk)


@transaction.atomic
def vendor_link_to_company(*, staged: StagedRecord, company: Company, actor) -> Company:
    """Link an ERP vendor to a company already in the directory (P#22). Trestle's fields are kept."""
    if actor is not None:
        require(actor, Action.LINK_ERP_COMPANIES)
    staged = _lock_staged(staged, StagedRecord.Kind.VENDOR)
    _require_waiting(staged)
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.erp_company_id:
        raise Conflict(
            f"{company} is already linked to vendor {company.erp_company_id}; unlink it first.", code="already_linked"
        )
    if company.is_archived:
        raise Conflict(f"{company} is archived; unarchive it before linking.", code="company_archived")
    company.erp_inactive = bool(staged.data.get("inactive"))
    company.save(update_fields=["erp_inactive", "updated_at"])
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=staged.origin_id, actor=actor, action="link")
    _imported(staged, company.pk)
    return Company.objects.get(pk=company.pk)


@transaction.atomic
def staged_record_archive(*, staged: StagedRecord, actor, archived: bool = True) -> StagedRecord:
    """Archive (or bring back) an ERP record Trestle will not use (P#14)."""
    if actor is not None:
        require(actor, Action.ARCHIVE_ERP_COMPANY if staged.kind == StagedRecord.Kind.VENDOR else Action.ADD_ERP_JOB)
    staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    wanted_from = StagedRecord.Status.STAGED if archived else StagedRecord.Status.ARCHIVED
    if staged.status != wanted_from:
        raise Conflict(f"{staged} is {staged.get_status_display().lower()}.", code="wrong_staged_status")
    staged.status = StagedRecord.Status.ARCHIVED if archived else StagedRecord.Status.STAGED
    staged.save(update_fields=["status", "updated_at"])
    return staged


# --- jobs and extras -----------------------------------------------------------------------------


@transaction.atomic
def job_add_as_project(*, staged: StagedRecord, actor) -> Project:
    """Add an ERP job to Trestle as a new project, with its cost codes and extras (P#13)."""
    if actor is not None:
        require(actor, Action.ADD_ERP_JOB)
    staged = _lock_staged(staged, StagedRecord.Kind.JOB)
    _require_waiting(staged)
    job_id = staged.origin_id
    clash = Project.objects.filter(number=job_id).first() or Project.objects.filter(sage_job_id=job_id).first()
    if clash is not None:
        raise Conflict(
            f"Project {clash.number} already exists in Trestle. A job is created in one system and pushed to the "
            "other; jobs created in both cannot be linked (R40). Archive this job, or rename the Trestle project.",
            code="job_created_on_both_sides",
        )
    data = staged.data
    project = project_create(
        number=job_id,
        name=data["name"],
        address=data.get("address", ""),
        city=data.get("city", ""),
        state=data.get("state", ""),
        zip=data.get("zip", ""),
        stage=Project.Stage.COURSE_OF_CONSTRUCTION if data.get("status") == "In progress" else Project.Stage.PRE_CONSTRUCTION,
        cost_code_list=cost_code_list_get_or_create_erp(),
    )
    erp_link(item_type=ItemType.PROJECT, obj=project, erp_id=job_id, actor=actor, action="import")
    _imported(staged, project.pk)
    project = Project.objects.get(pk=project.pk)
    if erp_settings().import_extras_as_sub_jobs:
        for extra in get_all(get_connector().extras, job_id=job_id):
            _sub_job_from_extra(project, extra.extra, extra.description, actor)
    project_cost_codes_sync(project=project)
    return project


def _sub_job_from_extra(project: Project, extra: str, description: str, actor) -> SubJob:
    sub_job = sub_job_create(project=project, code=extra, name=description or extra)
    erp_link(item_type=ItemType.SUB_JOB, obj=sub_job, erp_id=extra, actor=actor, action="import")
    StagedRecord.objects.filter(kind=StagedRecord.Kind.EXTRA, parent_origin_id=project.sage_job_id, origin_id=extra).update(
        status=StagedRecord.Status.IMPORTED, linked_object_id=sub_job.pk, updated_at=timezone.now()
    )
    return SubJob.objects.get(pk=sub_job.pk)


@transaction.atomic
def extra_import_as_sub_job(*, staged: StagedRecord, actor) -> SubJob:
    """Import an ERP extra into its synced project as a sub job (P#21)."""
    staged = _lock_staged(staged, StagedRecord.Kind.EXTRA)
    project = Project.objects.filter(sage_job_id=staged.parent_origin_id).first()
    if project is None:
        raise Conflict(
            f"Job {staged.parent_origin_id} is not synced with a Trestle project; add the job first.",
            code="job_not_synced",
        )
    if actor is not None:
        require(actor, Action.IMPORT_ERP_SUB_JOB, project=project)
    if not erp_settings().import_extras_as_sub_jobs:
        raise Conflict("Adding Sage extras as sub jobs is switched off in the ERP settings (R50).", code="extras_off")
    _require_waiting(staged)
    if SubJob.objects.filter(project=project, code=staged.origin_id).exists():
        raise Conflict(
            f"Project {project.number} already has a sub job {staged.origin_id}; sub jobs are created in one system "
            "and pushed to the other.",
            code="sub_job_exists",
        )
    sub_job = _sub_job_from_extra(project, staged.origin_id, staged.name, actor)
    project_cost_codes_sync(project=project)
    return sub_job


def get_all(read, **kwargs) -> list:
    """Every record of a paged connector read."""
    records, cursor = [], None
    while True:
        page = read(cursor=cursor, **kwargs)
        records.extend(page.records)
        if not page.next_cursor:
            return records
        cursor = page.next_cursor


# --- project cost codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshCounts:
    cost_codes_added: int
    cost_types_added: int
    skipped: list[str]


def project_cost_codes_refresh(*, project: Project, actor) -> RefreshCounts:
    """Refresh the Cost Codes on an ERP Integrated Project (P#24, R33)."""
    if actor is not None:
        require(actor, Action.REFRESH_PROJECT_COST_CODES, project=project)
    if not project.sage_job_id or not project.is_synced:
        raise Conflict(f"Project {project.number} is not synced with a Sage job yet.", code="project_not_synced")
    return project_cost_codes_sync(project=project)


@transaction.atomic
def project_cost_codes_sync(*, project: Project) -> RefreshCounts:
    """Bring the Sage job's cost codes and categories onto the project, in bulk. Nothing is removed."""
    records = get_all(get_connector().job_cost_codes, job_id=project.sage_job_id)
    now = timezone.now()
    sub_jobs = {s.sage_extra_id: s for s in SubJob.objects.filter(project=project, sage_extra_id__isnull=False)}
    standard = {c.code: c for c in StandardCostCode.objects.filter(cost_code_list__source="erp")}
    cost_types = {t.code: t for t in CostType.objects.all()}
    existing = {(c.sub_job_id, c.code): c for c in ProjectCostCode.objects.filter(project=project)}
    skipped, new_codes = [], []
    for record in records:
        if record.is_summary:
            continue
        sub_job = sub_jobs.get(record.extra) if record.extra else None
        if record.extra and sub_job is None:
            skipped.append(f"{record.extra}/{record.code}: sub job {record.extra} is not in Trestle")
            continue
        key = (sub_job.pk if sub_job else None, record.code)
        if key not in existing:
            code = ProjectCostCode(
                project=project, sub_job=sub_job, standard_cost_code=standard.get(record.code), code=record.code,
                description=record.description[:200], is_project_specific=record.code not in standard,
                erp_synced_at=now,
            )
            existing[key] = code
            new_codes.append(code)
    ProjectCostCode.objects.bulk_create(new_codes)
    if new_codes and new_codes[0].pk is None:  # backends without RETURNING on bulk insert
        existing = {(c.sub_job_id, c.code): c for c in ProjectCostCode.objects.filter(project=project)}
    have = set(ProjectCostType.objects.filter(project_cost_code__project=project).values_list("project_cost_code_id", "cost_type_id"))
    new_types = []
    for record in records:
        sub_job = sub_jobs.get(record.extra) if record.extra else None
        code = existing.get((sub_job.pk if sub_job else None, record.code))
        if code is None:
            continue
        for category in record.category_codes:
            cost_type = cost_types.get(category)
            if cost_type is None:
                skipped.append(f"{record.code}.{category}: cost type {category} is not in Trestle; sync cost codes")
                continue
            if (code.pk, cost_type.pk) not in have:
                have.add((code.pk, cost_type.pk))
                new_types.append(ProjectCostType(project_cost_code=code, cost_type=cost_type, erp_synced_at=now))
    ProjectCostType.objects.bulk_create(new_types)
    return RefreshCounts(len(new_codes), len(new_types), skipped)

