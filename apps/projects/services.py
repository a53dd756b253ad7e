"""Writes to projects (Sage jobs) and sub jobs (Sage extras).

The Sage Job ID is read-only here: the ERP engine sets it when a project is exported (the approver
enters it) or imported from a Sage job (R41–R43).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.access.rules import Operation, Resource, require_actor
from apps.erp import guards
from apps.core.exceptions import ApplicationError, Conflict
from apps.core.validation import ErrorDict, add_error, merge_errors, model_field_errors, raise_if_errors, text
from apps.projects.models import Project, SubJob
from apps.wbs.models import CostCodeList
from apps.wbs.selectors import erp_cost_code_list

PROJECT_EDITABLE_FIELDS = ("number", "name", "address", "city", "state", "zip", "stage", "is_active", "cost_code_list")
PROJECT_TEXT_FIELDS = ("number", "name", "address", "city", "state", "zip")
SAGE_JOB_ID_IS_READ_ONLY = (
    "The Sage Job ID is set by the ERP export or import of the job and cannot be edited here."
)


def _set_actor(instance, actor) -> None:
    if actor is not None:
        instance._history_user = actor


def _clean(field: str, value: Any) -> Any:
    return text(value) if field in PROJECT_TEXT_FIELDS else value


def _with_limit_errors(errors: ErrorDict, candidate, fields) -> ErrorDict:
    """Sage's limits on the fields that passed the model's own rules."""
    limits = guards.limit_errors(candidate, {f: getattr(candidate, f) for f in fields if f not in errors})
    return merge_errors(errors, limits)


def project_validate(*, data: Mapping[str, Any], project: Project | None = None) -> ErrorDict:
    """Why ``data`` cannot create (``project=None``) or update ``project``; empty when it can."""
    candidate = Project() if project is None else Project(**{f: getattr(project, f) for f in PROJECT_EDITABLE_FIELDS})
    for field in PROJECT_EDITABLE_FIELDS:
        if field in data:
            setattr(candidate, field, _clean(field, data[field]))
    field_names = [f for f in PROJECT_EDITABLE_FIELDS if f != "cost_code_list"]
    errors = model_field_errors(candidate, fields=field_names)
    # What Sage 300 CRE can hold is checked on save as well as at Send (a state "Texas" is refused here).
    errors = _with_limit_errors(errors, candidate, [
        f for f in PROJECT_TEXT_FIELDS if f in data and (project is None or getattr(project, f) != getattr(candidate, f))
    ])

    if "sage_job_id" in data and (text(data["sage_job_id"]) or None) != getattr(project, "sage_job_id", None):
        add_error(errors, "sage_job_id", SAGE_JOB_ID_IS_READ_ONLY)

    if candidate.number and "number" not in errors:
        others = Project.objects.exclude(pk=getattr(project, "pk", None))
        if others.filter(number__iexact=candidate.number).exists():
            add_error(errors, "number", f"Project number {candidate.number} is already used by another project.")

    if "cost_code_list" in data:
        new_list: CostCodeList | None = data["cost_code_list"]
        current_list_id = getattr(project, "cost_code_list_id", None)
        changing = project is None or (new_list.pk if new_list else None) != current_list_id
        if changing and new_list is not None and not new_list.available_for_new_projects and project is None:
            add_error(
                errors,
                "cost_code_list",
                f"The list {new_list.name!r} is not available for new projects; switch on "
                "'Available for use on new projects' on the list first.",
            )
        if project is not None and changing:
            if project.sage_job_id and (new_list is None or new_list.source != CostCodeList.Source.ERP):
                add_error(
                    errors,
                    "cost_code_list",
                    f"Project {project.number} is integrated with Sage 300 CRE and must keep the Sage 300 CRE "
                    "standard cost code list.",
                )
            elif project.cost_codes.exists():
                add_error(
                    errors,
                    "cost_code_list",
                    f"Project {project.number} already has cost codes from its list; the list cannot change.",
                )
    return errors


@transaction.atomic
def project_create(
    *,
    number: str,
    name: str,
    address: str = "",
    city: str = "",
    state: str = "",
    zip: str = "",  # noqa: A002 - the model's field name
    stage: str = Project.Stage.PRE_CONSTRUCTION,
    is_active: bool = True,
    cost_code_list: CostCodeList | None = None,
    actor=None,
) -> Project:
    """Create a project. Without ``cost_code_list`` it uses the ERP standard list when there is one
    (and it is available for new projects), so that the project can be integrated later."""
    require_actor(actor, Resource.PROJECT, Operation.ADD)
    if cost_code_list is None:
        erp_list = erp_cost_code_list()
        if erp_list is not None and erp_list.available_for_new_projects:
            cost_code_list = erp_list
    data = {
        "number": number,
        "name": name,
        "address": address,
        "city": city,
        "state": state,
        "zip": zip,
        "stage": stage,
        "is_active": is_active,
        "cost_code_list": cost_code_list,
    }
    raise_if_errors(project_validate(data=data))
    project = Project(**{field: _clean(field, value) for field, value in data.items()})
    _set_actor(project, actor)
    project.save()
    project_creator_joins_team(project=project, user=actor)
    return project


def project_creator_joins_team(*, project: Project, user) -> None:
    """Whoever creates a project can see it: they join its team with the creator template, if one is set.

    Also for a project added from an ERP job: the importer is its creator.
    """
    actor = user
    if actor is None or getattr(actor, "is_superuser", False):
        return
    from apps.access.models import PermissionTemplate
    from apps.access.services import project_membership_set

    template = PermissionTemplate.objects.filter(scope="project", assign_to_project_creator=True).order_by("pk").first()
    if template is not None:
        project_membership_set(user=actor, project=project, template=template)


@transaction.atomic
def project_update(*, project: Project, data: Mapping[str, Any], actor=None) -> Project:
    """Change a project's own fields. The Sage Job ID cannot be changed here."""
    require_actor(actor, Resource.PROJECT, Operation.CHANGE, obj=project)
    # A locked field is refused for being locked, whatever else would be wrong with the change.
    raise_if_errors(guards.locked_field_errors(project, [
        field for field in PROJECT_EDITABLE_FIELDS if field in data and getattr(project, field) != _clean(field, data[field])
    ]))
    errors: ErrorDict = {}
    for field in set(data) - set(PROJECT_EDITABLE_FIELDS) - {"sage_job_id"}:
        add_error(errors, field, "This field cannot be changed here.")
    for field, messages in project_validate(data=data, project=project).items():
        for message in messages:
            add_error(errors, field, message)
    raise_if_errors(errors)
    changed = [
        field
        for field in PROJECT_EDITABLE_FIELDS
        if field in data and getattr(project, field) != _clean(field, data[field])
    ]
    if changed:
        for field in changed:
            setattr(project, field, _clean(field, data[field]))
        _set_actor(project, actor)
        project.save(update_fields=[*changed, "updated_at"])
    return project


def project_delete_problem(*, project: Project) -> str | None:
    """Why the project cannot be deleted, or ``None``. A project Sage knows about is kept (set it inactive)."""
    if project.sage_job_id:
        return (
            f"Project {project.number} is integrated with Sage 300 CRE (job {project.sage_job_id}) and cannot be "
            "deleted; set it inactive instead."
        )
    return guards.delete_refusal(project)


@transaction.atomic
def project_delete(*, project: Project, actor=None) -> None:
    """Delete a project that Sage 300 CRE never saw, with its sub jobs and cost codes."""
    require_actor(actor, Resource.PROJECT, Operation.DELETE, obj=project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    problem = project_delete_problem(project=project)
    if problem:
        raise Conflict(problem, code="project_in_erp")
    # Cost codes first: a sub job's cost codes protect the sub job (R51), not the whole project.
    project.cost_codes.all().delete()
    _set_actor(project, actor)
    try:
        project.delete()
    except ProtectedError as exc:
        kinds = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
        raise Conflict(
            f"Project {project.number} cannot be deleted while {', '.join(kinds)} refer to it.",
            code="project_in_use",
        ) from exc


def sub_job_validate(*, project: Project, data: Mapping[str, Any], sub_job: SubJob | None = None) -> ErrorDict:
    candidate = SubJob(
        project=project,
        code=text(data.get("code", getattr(sub_job, "code", ""))),
        name=text(data.get("name", getattr(sub_job, "name", ""))),
    )
    errors = model_field_errors(candidate, fields=["code", "name"])
    errors = _with_limit_errors(errors, candidate, [
        f for f in ("code", "name") if sub_job is None or getattr(sub_job, f) != getattr(candidate, f)
    ])
    if sub_job is not None and candidate.code != sub_job.code and sub_job.cost_codes.exists():
        add_error(errors, "code", f"Sub job {sub_job.code} has cost codes tied to it; its code cannot change.")
    if candidate.code and "code" not in errors:
        others = SubJob.objects.filter(project=project, code__iexact=candidate.code).exclude(pk=getattr(sub_job, "pk", None))
        if others.exists():
            add_error(errors, "code", f"Project {project.number} already has a sub job {candidate.code}.")
    return errors


@transaction.atomic
def sub_job_create(*, project: Project, code: str, name: str, actor=None) -> SubJob:
    require_actor(actor, Resource.SUB_JOB, Operation.ADD, project=project)
    raise_if_errors(sub_job_validate(project=project, data={"code": code, "name": name}))
    sub_job = SubJob(project=project, code=text(code), name=text(name))
    _set_actor(sub_job, actor)
    sub_job.save()
    return sub_job


@transaction.atomic
def sub_job_update(*, sub_job: SubJob, data: Mapping[str, Any], actor=None) -> SubJob:
    require_actor(actor, Resource.SUB_JOB, Operation.CHANGE, obj=sub_job)
    raise_if_errors(guards.locked_field_errors(sub_job, [
        field for field in ("code", "name") if field in data and getattr(sub_job, field) != text(data[field])
    ]))
    errors: ErrorDict = {}
    for field in set(data) - {"code", "name"}:
        add_error(errors, field, "This field cannot be changed here.")
    for field, messages in sub_job_validate(project=sub_job.project, data=data, sub_job=sub_job).items():
        for message in messages:
            add_error(errors, field, message)
    raise_if_errors(errors)
    changed = [field for field in ("code", "name") if field in data and getattr(sub_job, field) != text(data[field])]
    if changed:
        for field in changed:
            setattr(sub_job, field, text(data[field]))
        _set_actor(sub_job, actor)
        sub_job.save(update_fields=[*changed, "updated_at"])
    return sub_job


def sub_job_delete_problem(*, sub_job: SubJob) -> str | None:
    """Why the sub job cannot be deleted (in the ERP workflow, or cost codes tied to it, R51), or ``None``."""
    refusal = guards.delete_refusal(sub_job)
    if refusal:
        return refusal
    codes = list(sub_job.cost_codes.order_by("code").values_list("code", flat=True)[:6])
    if not codes:
        return None
    shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
    return (
        f"Sub job {sub_job.code} ({sub_job.name}) of project {sub_job.project.number} cannot be deleted while "
        f"cost codes are tied to it ({shown}); remove those cost codes from the sub job first."
    )


@transaction.atomic
def sub_job_delete(*, sub_job: SubJob, actor=None) -> None:
    require_actor(actor, Resource.SUB_JOB, Operation.DELETE, obj=sub_job)
    sub_job = SubJob.objects.select_for_update().select_related("project").get(pk=sub_job.pk)
    refusal = guards.delete_refusal(sub_job)
    if refusal:
        raise Conflict(refusal, code="sub_job_in_erp")
    problem = sub_job_delete_problem(sub_job=sub_job)
    if problem:
        raise ApplicationError(problem, code="sub_job_has_cost_codes", field="sub_job")
    _set_actor(sub_job, actor)
    sub_job.delete()
