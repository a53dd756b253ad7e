"""Projects and sub jobs on the ERP side: Job Setup and Sub Job Setup (seed workflows 1 and 2).

A project is exported as a Sage job from three record types — job, cost codes, categories
(R44) — with the Sage Job ID the approver enters (R41). A sub job is exported as an extra of
its project's job, its SubJob ID pre-filled from the sub job's code (R49).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.access.matrix import Action
from apps.erp.item_types import ItemType
from apps.core.exceptions import ValidationFailed
from apps.erp.connector import get_connector
from apps.erp.errors import ErpError
from apps.erp.lifecycle import ErpStatus
from apps.erp.records import ExtraExport, JobCostCodeRecord, JobExport
from apps.erp.registry import ExportAdapter, ExportResult, register
from apps.erp.models import StagedRecord
from apps.projects.models import Project, SubJob
from apps.wbs.models import ProjectCostCode, ProjectCostType


def _limit_problems(record_type: str, values: dict[str, Any]) -> dict[str, str]:
    return get_connector().limits.violations(record_type, values)


def _cost_code_records(project: Project, *, sub_job: SubJob | None, job_id: str, extra: str = "") -> tuple:
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


def _mark_cost_codes_synced(project: Project, *, sub_job: SubJob | None) -> None:
    """The cost codes and cost types that went to Sage with the job (or extra) are now synced."""
    now = timezone.now()
    ProjectCostCode.objects.filter(project=project, sub_job=sub_job).update(erp_synced_at=now)
    ProjectCostType.objects.filter(project_cost_code__project=project, project_cost_code__sub_job=sub_job).update(
        erp_synced_at=now
    )


def job_known_closed(job_id: str) -> bool:
    """Whether the last Jobs sync saw the Sage job Closed (PREVENT for R194)."""
    staged = StagedRecord.objects.filter(kind=StagedRecord.Kind.JOB, parent_origin_id="", origin_id=job_id).first()
    return bool(staged and staged.data.get("is_closed"))


@register
class ProjectExportAdapter(ExportAdapter):
    item_type = ItemType.PROJECT
    model = Project
    label = "project"
    send_action = Action.ADD_PROJECT_TO_ERP
    accept_action = Action.ACCEPT_REJECT_PROJECT
    erp_id_field = "sage_job_id"
    locked_fields = ("number", "name", "address", "city", "state", "zip", "cost_code_list")

    def project_of(self, obj: Project) -> Project:
        return obj

    def describe(self, obj: Project) -> str:
        return f"{obj.number} {obj.name}"

    def send_problems(self, obj: Project) -> dict[str, str]:
        from apps.erp.services import erp_settings

        problems = _limit_problems("job", {"name": obj.name, "address": obj.address, "city": obj.city, "zip": obj.zip})
        if not obj.name.strip():
            problems["name"] = "Can't be blank. Give the project a name."
        connected_at = erp_settings().connected_at
        if connected_at and obj.created_at < connected_at:
            problems["project"] = (
                f"Project {obj.number} was created before the Sage 300 CRE integration was connected "
                f"({connected_at:%Y-%m-%d}); projects that existed before cannot be synced (R47). Create the job in "
                "Sage and add it to Trestle from ERP Integrations → Jobs instead."
            )
        if obj.cost_code_list_id and obj.cost_code_list.source != "erp":
            problems["cost_code_list"] = (
                f"Project {obj.number} uses the '{obj.cost_code_list}' cost code list; only projects on the ERP "
                "standard cost code list can be integrated with Sage (R30)."
            )
        return problems

    def accept_defaults(self, obj: Project) -> dict[str, Any]:
        return {"sage_job_id": obj.erp_fields.get("sage_job_id") or obj.number}

    def clean_accept_fields(self, obj: Project, fields: dict[str, Any], connector) -> dict[str, Any]:
        job_id = str(fields.get("sage_job_id") or "").strip()
        if not job_id:
            raise ValidationFailed({"sage_job_id": "Enter the Sage Job ID for this project."})
        problems = connector.limits.violations("job", {"sage_job_id": job_id})
        if problems:
            raise ValidationFailed(problems)
        other = Project.objects.filter(sage_job_id=job_id).exclude(pk=obj.pk).first()
        if other is not None:
            raise ValidationFailed({"sage_job_id": f"Sage Job ID {job_id} is already used by project {other.number}."})
        taken = connector.job_id_taken(job_id)  # PREVENT at accept (R213, R217)
        if taken:
            error = ErpError(taken, job=job_id)
            raise ValidationFailed({"sage_job_id": f"{error.message} {error.resolution}"}, code=taken)
        return {"sage_job_id": job_id}

    def erp_code(self, obj: Project, fields: dict[str, Any]) -> str:
        return fields["sage_job_id"]

    def export(self, obj: Project, fields: dict[str, Any], *, connector, idempotency_key: str) -> ExportResult:
        job_id = fields["sage_job_id"]
        export = JobExport(
            job_id=job_id,
            name=obj.name,
            address=obj.address,
            city=obj.city,
            state=obj.state,
            zip=obj.zip,
            cost_codes=_cost_code_records(obj, sub_job=None, job_id=job_id),
        )
        written = connector.create_job(export, idempotency_key=idempotency_key)
        return ExportResult(erp_id=written.erp_id, linked_existing=written.linked_existing, data=written.data)

    def apply_synced(self, obj: Project, fields: dict[str, Any], result: ExportResult) -> list[str]:
        obj.sage_job_id = result.erp_id
        _mark_cost_codes_synced(obj, sub_job=None)
        return ["sage_job_id"]

    def erp_record_exists(self, obj: Project, *, connector) -> bool:
        return bool(obj.sage_job_id) and connector.job_id_taken(obj.sage_job_id) == "job_id_exists"


@register
class SubJobExportAdapter(ExportAdapter):
    item_type = ItemType.SUB_JOB
    model = SubJob
    label = "sub job"
    accept_action = Action.ACCEPT_REJECT_SUB_JOB
    erp_id_field = "sage_extra_id"
    locked_fields = ("code", "name")

    def project_of(self, obj: SubJob) -> Project:
        return obj.project

    def select_related(self) -> tuple[str, ...]:
        return ("project",)

    def describe(self, obj: SubJob) -> str:
        return f"{obj.project.number}/{obj.code} {obj.name}"

    def send_problems(self, obj: SubJob) -> dict[str, str]:
        project = obj.project
        problems = _limit_problems("sub_job", {"code": obj.code, "name": obj.name})
        if project.erp_status != ErpStatus.SYNCED or not project.sage_job_id:
            problems["project"] = (
                f"Project {project.number} is not synced with a Sage job yet; export the project first (an extra "
                "belongs to a job)."
            )
        elif job_known_closed(project.sage_job_id):
            error = ErpError("job_closed", job=project.sage_job_id)
            problems["project"] = f"{error.message} {error.resolution}"
        return problems

    def accept_defaults(self, obj: SubJob) -> dict[str, Any]:
        return {"sub_job_id": obj.erp_fields.get("sub_job_id") or obj.code}

    def clean_accept_fields(self, obj: SubJob, fields: dict[str, Any], connector) -> dict[str, Any]:
        extra = str(fields.get("sub_job_id") or "").strip()
        if not extra:
            raise ValidationFailed({"sub_job_id": "Enter the SubJob ID (the Sage extra)."})
        problems = connector.limits.violations("sub_job", {"code": extra})
        if problems:
            raise ValidationFailed({"sub_job_id": problems["code"]})
        clash = SubJob.objects.filter(project=obj.project, sage_extra_id=extra).exclude(pk=obj.pk).first()
        if clash is not None:
            raise ValidationFailed({"sub_job_id": f"Extra {extra} is already synced with sub job {clash.code}."})
        if connector.extra_exists(obj.project.sage_job_id, extra):
            raise ValidationFailed(
                {"sub_job_id": f"Job {obj.project.sage_job_id} already has an extra {extra} in Sage; enter another ID."}
            )
        return {"sub_job_id": extra}

    def erp_code(self, obj: SubJob, fields: dict[str, Any]) -> str:
        return fields["sub_job_id"]

    def export(self, obj: SubJob, fields: dict[str, Any], *, connector, idempotency_key: str) -> ExportResult:
        job_id, extra = obj.project.sage_job_id, fields["sub_job_id"]
        export = ExtraExport(
            job_id=job_id,
            extra=extra,
            description=obj.name,
            cost_codes=_cost_code_records(obj.project, sub_job=obj, job_id=job_id, extra=extra),
        )
        written = connector.create_extra(export, idempotency_key=idempotency_key)
        return ExportResult(erp_id=written.erp_id, linked_existing=written.linked_existing, data=written.data)

    def apply_synced(self, obj: SubJob, fields: dict[str, Any], result: ExportResult) -> list[str]:
        obj.sage_extra_id = result.erp_id
        _mark_cost_codes_synced(obj.project, sub_job=obj)
        return ["sage_extra_id"]

    def erp_record_exists(self, obj: SubJob, *, connector) -> bool:
        return bool(obj.sage_extra_id) and connector.extra_exists(obj.project.sage_job_id, obj.sage_extra_id)
