"""Writes to the work breakdown structure.

Standard cost codes and cost types come from Sage 300 CRE (the ERP sync and CSV/XLSX imports call
the bulk upserts below); Trestle never invents a code (R26, R32). Project cost codes are added
from the project's standard list, under the rules of R29–R30 and R52.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.access.rules import Operation, Resource, require_actor
from apps.core.deletion import delete_or_refuse
from apps.core.exceptions import Conflict
from apps.core.validation import (
    ErrorDict,
    RowsInvalid,
    add_error,
    duplicate_in_batch_message,
    merge_errors,
    model_field_errors,
    raise_if_errors,
    text,
)
from apps.core.bulk import upsert
from apps.erp import guards
from apps.erp.connector import get_connector
from apps.erp.records import CostTypeRecord, StandardCostCodeRecord
from apps.projects.models import Project, SubJob
from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.selectors import erp_cost_code_list

ERP_LIST_NAME = "Sage 300 CRE Standard Cost Codes"
NEW_CODES_COME_FROM_SAGE = (
    "New cost codes must be created in Sage 300 CRE and imported; Trestle cannot create them."
)
ERP_LIST_CODES_COME_FROM_SAGE = (
    "Codes on the Sage 300 CRE standard cost code list are kept in step with Sage; "
    "change them in Sage 300 CRE and run the cost code sync."
)
BULK_BATCH_SIZE = 500


@dataclass(frozen=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: frozenset = dataclasses.field(default=frozenset(), compare=False)  # the codes created or updated


def _set_actor(instance, actor) -> None:
    # simple-history reads ``_history_user`` when the model keeps history; harmless otherwise.
    if actor is not None:
        instance._history_user = actor


# --- Cost code lists --------------------------------------------------------------------


def cost_code_list_validate(*, data: Mapping[str, Any], cost_code_list: CostCodeList | None = None) -> ErrorDict:
    candidate = CostCodeList(
        name=text(data.get("name", getattr(cost_code_list, "name", ""))),
        source=data.get("source", getattr(cost_code_list, "source", CostCodeList.Source.CUSTOM)),
        available_for_new_projects=data.get(
            "available_for_new_projects", getattr(cost_code_list, "available_for_new_projects", True)
        ),
    )
    errors = model_field_errors(candidate, fields=["name", "source", "available_for_new_projects"])
    others = CostCodeList.objects.exclude(pk=getattr(cost_code_list, "pk", None))
    if candidate.name and others.filter(name__iexact=candidate.name).exists():
        add_error(errors, "name", f"A cost code list named {candidate.name!r} already exists.")
    if cost_code_list is not None and candidate.source != cost_code_list.source:
        add_error(errors, "source", "The source of a cost code list cannot change.")
    elif candidate.source == CostCodeList.Source.ERP and others.filter(source=CostCodeList.Source.ERP).exists():
        add_error(
            errors,
            "source",
            "There is already an ERP standard cost code list; Trestle keeps exactly one, filled by the Sage 300 CRE sync.",
        )
    return errors


@transaction.atomic
def cost_code_list_create(
    *,
    name: str,
    source: str = CostCodeList.Source.CUSTOM,
    available_for_new_projects: bool = True,
    actor=None,
) -> CostCodeList:
    require_actor(actor, Resource.COST_CODE_LIST, Operation.ADD)
    data = {"name": name, "source": source, "available_for_new_projects": available_for_new_projects}
    raise_if_errors(cost_code_list_validate(data=data))
    cost_code_list = CostCodeList(
        name=text(name), source=source, available_for_new_projects=available_for_new_projects
    )
    cost_code_list.save()
    return cost_code_list


@transaction.atomic
def cost_code_list_update(*, cost_code_list: CostCodeList, data: Mapping[str, Any], actor=None) -> CostCodeList:
    require_actor(actor, Resource.COST_CODE_LIST, Operation.CHANGE)
    allowed = {"name", "available_for_new_projects"}
    errors: ErrorDict = {}
    for field in set(data) - allowed:
        add_error(errors, field, "This field cannot be changed.")
    errors = merge_errors(errors, cost_code_list_validate(data=data, cost_code_list=cost_code_list))
    raise_if_errors(errors)
    changed = []
    for field in allowed & set(data):
        value = text(data[field]) if field == "name" else data[field]
        if getattr(cost_code_list, field) != value:
            setattr(cost_code_list, field, value)
            changed.append(field)
    if changed:
        cost_code_list.save(update_fields=[*changed, "updated_at"])
    return cost_code_list


@transaction.atomic
def cost_code_list_get_or_create_erp(*, actor=None) -> CostCodeList:
    """The ERP standard cost code list, created (empty) the first time the sync or an import needs it."""
    existing = erp_cost_code_list()
    if existing is not None:
        return existing
    return cost_code_list_create(name=ERP_LIST_NAME, source=CostCodeList.Source.ERP, actor=actor)


# --- Cost types -------------------------------------------------------------------------


def _limit_errors(record_type: type, values: Mapping[str, Any]) -> ErrorDict:
    return {field: [message] for field, message in get_connector().limits.violations(record_type, values).items()}


def cost_type_row_errors(values: Mapping[str, Any]) -> ErrorDict:
    """One cost type row (``code``, ``description``, optional ``is_active``), as Sage would accept it."""
    code, description = text(values.get("code")), text(values.get("description"))
    errors: ErrorDict = {}
    if not code:
        add_error(errors, "code", "A cost type code is required.")
    if not description:
        add_error(errors, "description", "A description is required.")
    if "is_active" in values and not isinstance(values["is_active"], bool):
        add_error(errors, "is_active", f"{values['is_active']!r} is not true or false.")
    limit_errors = _limit_errors(CostTypeRecord, {"code": code, "description": description})
    model_errors = model_field_errors(CostType(code=code, description=description), fields=["code", "description"])
    for field, messages in model_errors.items():
        if field not in limit_errors and field not in errors:
            for message in messages:
                add_error(errors, field, message)
    return merge_errors(errors, limit_errors)


@transaction.atomic
def cost_types_upsert(
    *, rows: Iterable[Mapping[str, Any]], synced_at: datetime | None = None, actor=None
) -> UpsertCounts:
    """Create or update cost types by code, in bulk; rows that match what is stored are not written.

    Each row: ``code``, ``description`` and optionally ``is_active``. Any bad row → ``RowsInvalid``
    and nothing is written. ``synced_at`` (the ERP sync's clock) is stamped on written rows.
    """
    require_actor(actor, Resource.COST_TYPE, Operation.CHANGE)
    prepared = [_prepare_row(row, text_fields=("code", "description")) for row in rows]
    row_errors: dict[int, ErrorDict] = {}
    first_row_of: dict[str, int] = {}
    for number, values in enumerate(prepared, 1):
        errors = cost_type_row_errors(values)
        _check_duplicate(errors, first_row_of, label="Cost type", value=values["code"], number=number)
        if errors:
            row_errors[number] = errors
    if row_errors:
        raise RowsInvalid(row_errors)

    return _upsert_by_code(CostType, prepared, key=["code"], optional=("is_active",), synced_at=synced_at,
                           defaults={"is_active": True})


# --- Standard cost codes ----------------------------------------------------------------


def division_of(code: str) -> str:
    """A code's first section (``01`` for ``01-100``), which is its CSI division by convention."""
    return code.split("-", 1)[0] if "-" in code else ""


def standard_cost_code_row_errors(
    values: Mapping[str, Any], *, cost_code_list: CostCodeList, cost_types_by_code: Mapping[str, CostType]
) -> ErrorDict:
    """One standard cost code row (``code``, ``description``, optional ``division``, ``is_active``,
    ``default_cost_types`` as cost type codes), checked against the model and, on the ERP list,
    against Sage's field limits."""
    code, description = text(values.get("code")), text(values.get("description"))
    errors: ErrorDict = {}
    if not code:
        add_error(errors, "code", "A cost code is required.")
    if not description:
        add_error(errors, "description", "A description is required.")
    if "is_active" in values and not isinstance(values["is_active"], bool):
        add_error(errors, "is_active", f"{values['is_active']!r} is not true or false.")
    limit_errors: ErrorDict = {}
    if cost_code_list.source == CostCodeList.Source.ERP:
        limit_errors = _limit_errors(StandardCostCodeRecord, {"code": code, "description": description})
    candidate = StandardCostCode(code=code, description=description, division=text(values.get("division")))
    for field, messages in model_field_errors(candidate, fields=["code", "description", "division"]).items():
        if field not in limit_errors and field not in errors:
            for message in messages:
                add_error(errors, field, message)
    if values.get("default_cost_types") is not None:
        unknown = [c for c in values["default_cost_types"] if c not in cost_types_by_code]
        if unknown:
            known = ", ".join(sorted(cost_types_by_code)) or "none yet"
            add_error(
                errors,
                "default_cost_types",
                f"Unknown cost type {', '.join(unknown)}; import it first (known cost types: {known}).",
            )
    return merge_errors(errors, limit_errors)


@transaction.atomic
def standard_cost_codes_upsert(
    *,
    cost_code_list: CostCodeList,
    rows: Iterable[Mapping[str, Any]],
    synced_at: datetime | None = None,
    actor=None,
) -> UpsertCounts:
    """Create or update the standard cost codes of one list by code, in bulk.

    Each row: ``code``, ``description`` and optionally ``division`` (derived from the code for a new
    code when absent), ``is_active`` and ``default_cost_types`` (cost type codes; when present the
    code's defaults become exactly these). Queries do not grow with the number of rows; rows that
    match what is stored are not written. Any bad row → ``RowsInvalid`` and nothing is written.
    """
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.CHANGE)
    prepared = [_prepare_row(row, text_fields=("code", "description", "division")) for row in rows]
    for values in prepared:
        if values.get("default_cost_types") is not None:
            values["default_cost_types"] = [text(c) for c in values["default_cost_types"] if text(c)]
    cost_types_by_code = {cost_type.code: cost_type for cost_type in CostType.objects.all()}

    row_errors: dict[int, ErrorDict] = {}
    first_row_of: dict[str, int] = {}
    for number, values in enumerate(prepared, 1):
        errors = standard_cost_code_row_errors(
            values, cost_code_list=cost_code_list, cost_types_by_code=cost_types_by_code
        )
        _check_duplicate(errors, first_row_of, label="Cost code", value=values["code"], number=number)
        if errors:
            row_errors[number] = errors
    if row_errors:
        raise RowsInvalid(row_errors)

    for values in prepared:
        values["cost_code_list_id"] = cost_code_list.pk
        values.setdefault("new_division", division_of(values["code"]))  # a new code's division, when none is given
    counts = _upsert_by_code(
        StandardCostCode, prepared, key=["cost_code_list_id", "code"], optional=("division", "is_active"),
        synced_at=synced_at, defaults={"is_active": True}, insert_only={"division": "new_division"},
    )
    wanted = {values["code"]: {cost_types_by_code[c].pk for c in values["default_cost_types"]}
              for values in prepared if values.get("default_cost_types") is not None}
    if not wanted:
        return counts
    # The default cost types are a set per code: links added and removed to match the row.
    through = StandardCostCode.default_cost_types.through
    ids = dict(StandardCostCode.objects.filter(cost_code_list=cost_code_list, code__in=wanted).values_list("code", "pk"))
    links: dict[int, dict[int, int]] = {}  # standard cost code id → {cost type id: link id}
    for link_id, code_id, cost_type_id in through.objects.filter(standardcostcode_id__in=ids.values()).values_list(
        "pk", "standardcostcode_id", "costtype_id"
    ):
        links.setdefault(code_id, {})[cost_type_id] = link_id
    new_links, stale_link_ids, types_changed = [], [], []
    for code, cost_type_ids in wanted.items():
        current = links.get(ids[code], {})
        if set(current) == cost_type_ids:
            continue
        types_changed.append(code)
        new_links.extend(through(standardcostcode_id=ids[code], costtype_id=pk) for pk in sorted(cost_type_ids - set(current)))
        stale_link_ids.extend(link_id for pk, link_id in current.items() if pk not in cost_type_ids)
    if stale_link_ids:
        through.objects.filter(pk__in=stale_link_ids).delete()
    through.objects.bulk_create(new_links, batch_size=BULK_BATCH_SIZE)
    # A code whose only change is its default cost types counts as updated.
    only_types = [code for code in types_changed if code not in counts.written]
    if only_types:
        update = {"updated_at": timezone.now(), **({"erp_synced_at": synced_at} if synced_at is not None else {})}
        StandardCostCode.objects.filter(pk__in=[ids[code] for code in only_types]).update(**update)
    return UpsertCounts(created=counts.created, updated=counts.updated + len(only_types),
                        unchanged=counts.unchanged - len(only_types))


def _upsert_by_code(model, rows: list[dict], *, key: list[str], optional: tuple[str, ...], synced_at, defaults: dict,
                    insert_only: dict[str, str] | None = None) -> UpsertCounts:
    """Create or update rows by ``key`` through the one bulk path; a row's optional fields change only if given.

    Rows are grouped by the optional fields they carry, so a row without ``is_active`` leaves it as it is (and
    a new code takes ``defaults``). ``insert_only`` maps a field to the row value it takes on new rows only.
    """
    now = timezone.now()
    insert_only = insert_only or {}
    groups: dict[tuple[str, ...], list[dict]] = {}
    for values in rows:
        groups.setdefault(tuple(name for name in optional if name in values), []).append(values)
    created = updated = unchanged = 0
    written: set[str] = set()
    for present, group in groups.items():
        fields = ["description", *present]
        extra_insert = {name: source for name, source in insert_only.items() if name not in present}
        data = [{**{name: values[name] for name in [*key, *fields]},
                 **{name: values[source] for name, source in extra_insert.items()}} for values in group]
        stamps = {"updated_at": now, **({"erp_synced_at": synced_at} if synced_at is not None else {})}
        result = upsert(
            model, data, key=key, fields=fields, insert_only=list(extra_insert),
            insert_values={"created_at": now, **{name: value for name, value in defaults.items() if name not in present}},
            update_values=stamps,
        )
        created, updated, unchanged = created + result.created, updated + result.updated, unchanged + result.unchanged
        written.update(row[-1] for row in result.created_rows + result.updated_rows)
    return UpsertCounts(created=created, updated=updated, unchanged=unchanged, written=frozenset(written))


def standard_cost_code_validate(
    *, data: Mapping[str, Any], standard_cost_code: StandardCostCode | None = None
) -> ErrorDict:
    """A manual create (``standard_cost_code=None``) or edit of a standard cost code."""
    cost_code_list = data.get("cost_code_list") or getattr(standard_cost_code, "cost_code_list", None)
    errors: ErrorDict = {}
    if cost_code_list is None:
        add_error(errors, "cost_code_list", "Choose the cost code list the code belongs to.")
        return errors
    if cost_code_list.source == CostCodeList.Source.ERP:
        if standard_cost_code is None:
            add_error(errors, "cost_code_list", NEW_CODES_COME_FROM_SAGE)
        else:
            for field in ("description", "division"):
                if field in data and text(data[field]) != getattr(standard_cost_code, field):
                    add_error(errors, field, ERP_LIST_CODES_COME_FROM_SAGE)
        return errors
    if standard_cost_code is not None and "code" in data and text(data["code"]) != standard_cost_code.code:
        add_error(errors, "code", "A cost code cannot be renamed; add the new code and deactivate this one.")
    values = {
        "code": data.get("code", getattr(standard_cost_code, "code", "")),
        "description": data.get("description", getattr(standard_cost_code, "description", "")),
        "division": data.get("division", getattr(standard_cost_code, "division", "")),
    }
    errors = merge_errors(
        errors, standard_cost_code_row_errors(values, cost_code_list=cost_code_list, cost_types_by_code={})
    )
    if standard_cost_code is None and text(values["code"]):
        if StandardCostCode.objects.filter(cost_code_list=cost_code_list, code=text(values["code"])).exists():
            add_error(errors, "code", f"Cost code {text(values['code'])} is already on the list {cost_code_list}.")
    return errors


@transaction.atomic
def standard_cost_code_create(
    *, cost_code_list: CostCodeList, code: str, description: str, division: str | None = None, actor=None
) -> StandardCostCode:
    """Add a code by hand to a Trestle (non-ERP) list. Codes on the ERP list come only from Sage (R26)."""
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.ADD)
    data = {"cost_code_list": cost_code_list, "code": code, "description": description, "division": division or ""}
    raise_if_errors(standard_cost_code_validate(data=data))
    standard_cost_code = StandardCostCode(
        cost_code_list=cost_code_list,
        code=text(code),
        description=text(description),
        division=text(division) if division is not None else division_of(text(code)),
    )
    standard_cost_code.save()
    return standard_cost_code


@transaction.atomic
def standard_cost_code_update(
    *, standard_cost_code: StandardCostCode, data: Mapping[str, Any], actor=None
) -> StandardCostCode:
    """Edit the description or division of a code on a Trestle (non-ERP) list."""
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.CHANGE)
    errors: ErrorDict = {}
    for field in set(data) - {"code", "description", "division"}:
        add_error(errors, field, "This field cannot be changed here.")
    errors = merge_errors(errors, standard_cost_code_validate(data=data, standard_cost_code=standard_cost_code))
    raise_if_errors(errors)
    cleaned = {field: text(data[field]) for field in ("description", "division") if field in data}
    changes = _changes(standard_cost_code, cleaned, fields=("description", "division"))
    if changes:
        for field, value in changes.items():
            setattr(standard_cost_code, field, value)
        standard_cost_code.save(update_fields=[*changes, "updated_at"])
    return standard_cost_code


def standard_cost_code_default_cost_types_validate(*, cost_types: Iterable[CostType]) -> ErrorDict:
    inactive = sorted(cost_type.code for cost_type in cost_types if not cost_type.is_active)
    if inactive:
        return {
            "default_cost_types": [
                f"Cost type {', '.join(inactive)} is inactive; activate it before making it a default."
            ]
        }
    return {}


@transaction.atomic
def standard_cost_code_set_default_cost_types(
    *, standard_cost_code: StandardCostCode, cost_types: Iterable[CostType], actor=None
) -> StandardCostCode:
    """Make ``cost_types`` exactly the code's default cost types (R31). No write when nothing changes."""
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.ASSIGN_DEFAULT_COST_TYPES)
    cost_types = list(cost_types)
    raise_if_errors(standard_cost_code_default_cost_types_validate(cost_types=cost_types))
    wanted = {cost_type.pk for cost_type in cost_types}
    current = set(standard_cost_code.default_cost_types.values_list("pk", flat=True))
    if wanted != current:
        standard_cost_code.default_cost_types.set(cost_types)
        standard_cost_code.save(update_fields=["updated_at"])
    return standard_cost_code


@transaction.atomic
def standard_cost_code_deactivate(*, standard_cost_code: StandardCostCode, actor=None) -> StandardCostCode:
    """A deactivated code cannot be added to projects until it is reactivated (R29)."""
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.ACTIVATE)
    if not standard_cost_code.is_active:
        raise Conflict(f"Cost code {standard_cost_code.code} is already deactivated.", code="already_inactive")
    standard_cost_code.is_active = False
    standard_cost_code.save(update_fields=["is_active", "updated_at"])
    return standard_cost_code


@transaction.atomic
def standard_cost_code_activate(*, standard_cost_code: StandardCostCode, actor=None) -> StandardCostCode:
    require_actor(actor, Resource.STANDARD_COST_CODE, Operation.ACTIVATE)
    if standard_cost_code.is_active:
        raise Conflict(f"Cost code {standard_cost_code.code} is already active.", code="already_active")
    standard_cost_code.is_active = True
    standard_cost_code.save(update_fields=["is_active", "updated_at"])
    return standard_cost_code


# --- Project cost codes -----------------------------------------------------------------


def _is_integrated(project: Project) -> bool:
    return bool(project.sage_job_id)


def _cost_types_errors(cost_types: Iterable[CostType]) -> ErrorDict:
    inactive = sorted(cost_type.code for cost_type in cost_types if not cost_type.is_active)
    if inactive:
        return {"cost_types": [f"Cost type {', '.join(inactive)} is inactive and cannot be assigned."]}
    return {}


def _sub_job_maintained_in_sage(sub_job: SubJob) -> str:
    return (
        f"Cost codes and categories on sub job {sub_job.code} are maintained in Sage 300 CRE, "
        f"because project {sub_job.project.number} is integrated; add them to the Extra in Sage 300 CRE "
        "and press Refresh Cost Codes on the project's page."
    )


def project_cost_code_add_validate(
    *,
    project: Project,
    standard_cost_code: StandardCostCode | None,
    sub_job: SubJob | None = None,
    cost_types: Iterable[CostType] | None = None,
) -> ErrorDict:
    """Why ``standard_cost_code`` cannot be added to ``project`` (empty when it can)."""
    errors: ErrorDict = {}
    if standard_cost_code is None:  # R26: Trestle never invents a code
        add_error(errors, "standard_cost_code", NEW_CODES_COME_FROM_SAGE)
        return errors
    project_list = project.cost_code_list
    code_list = standard_cost_code.cost_code_list
    if _is_integrated(project):
        if project_list is None or project_list.source != CostCodeList.Source.ERP:  # R30
            add_error(
                errors,
                "project",
                f"Project {project.number} is integrated with Sage 300 CRE but uses "
                f"{'no cost code list' if project_list is None else f'the list {project_list.name!r}'}; "
                "integrated projects must use the Sage 300 CRE standard cost code list.",
            )
            return errors
        if code_list.source != CostCodeList.Source.ERP:  # R26, R32
            add_error(
                errors,
                "standard_cost_code",
                f"Cost code {standard_cost_code.code} is not on the Sage 300 CRE standard cost code list. "
                f"{NEW_CODES_COME_FROM_SAGE}",
            )
            return errors
    if project_list is None:
        add_error(errors, "project", f"Project {project.number} has no cost code list; choose one on the project first.")
        return errors
    if code_list.pk != project_list.pk:  # R32
        add_error(
            errors,
            "standard_cost_code",
            f"Cost code {standard_cost_code.code} is on the list {code_list.name!r}, but project {project.number} "
            f"uses {project_list.name!r}; project cost codes must come from the project's own list.",
        )
        return errors
    if not standard_cost_code.is_active:  # R29
        add_error(
            errors,
            "standard_cost_code",
            f"Cost code {standard_cost_code.code} is deactivated; reactivate it on the standard cost code list "
            "before adding it to a project.",
        )
    if sub_job is not None:
        if sub_job.project_id != project.pk:
            add_error(errors, "sub_job", f"Sub job {sub_job.code} belongs to another project.")
        elif _is_integrated(project):  # R52
            add_error(errors, "sub_job", _sub_job_maintained_in_sage(sub_job))
    refusal = guards.child_refusal(ProjectCostCode(project=project, sub_job=sub_job), done="added")
    if refusal:
        add_error(errors, "project" if sub_job is None else "sub_job", refusal)
    duplicates = ProjectCostCode.objects.filter(project=project, code=standard_cost_code.code)
    duplicates = duplicates.filter(sub_job=sub_job) if sub_job is not None else duplicates.filter(sub_job__isnull=True)
    if duplicates.exists():
        where = f"sub job {sub_job.code} of project {project.number}" if sub_job else f"project {project.number}"
        add_error(errors, "standard_cost_code", f"Cost code {standard_cost_code.code} is already on {where}.")
    if cost_types is not None:
        errors = merge_errors(errors, _cost_types_errors(cost_types))
    return errors


@transaction.atomic
def project_cost_code_add_from_standard(
    *,
    project: Project,
    standard_cost_code: StandardCostCode | None,
    sub_job: SubJob | None = None,
    cost_types: Iterable[CostType] | None = None,
    actor=None,
) -> ProjectCostCode:
    """Add a code from the project's standard list, with ``cost_types`` (default: the code's defaults)."""
    require_actor(actor, Resource.PROJECT_COST_CODE, Operation.ADD, project=project)
    if cost_types is None and standard_cost_code is not None:
        cost_types = [ct for ct in standard_cost_code.default_cost_types.all() if ct.is_active]
    cost_types = list(cost_types or [])
    raise_if_errors(
        project_cost_code_add_validate(
            project=project, standard_cost_code=standard_cost_code, sub_job=sub_job, cost_types=cost_types
        )
    )
    project_cost_code = ProjectCostCode(
        project=project,
        sub_job=sub_job,
        standard_cost_code=standard_cost_code,
        code=standard_cost_code.code,
        description=standard_cost_code.description,
        is_project_specific=False,
    )
    project_cost_code.save()
    ProjectCostType.objects.bulk_create(
        [ProjectCostType(project_cost_code=project_cost_code, cost_type=cost_type) for cost_type in _unique(cost_types)]
    )
    return project_cost_code


def project_cost_types_assign_validate(
    *, project_cost_code: ProjectCostCode, cost_types: Iterable[CostType]
) -> ErrorDict:
    errors = _cost_types_errors(cost_types)
    if project_cost_code.sub_job_id and _is_integrated(project_cost_code.project):
        add_error(errors, "cost_types", _sub_job_maintained_in_sage(project_cost_code.sub_job))
    elif refusal := guards.child_refusal(project_cost_code, done="changed"):
        add_error(errors, "cost_types", refusal)
    return errors


@transaction.atomic
def project_cost_types_assign(
    *, project_cost_code: ProjectCostCode, cost_types: Iterable[CostType], actor=None
) -> list[ProjectCostType]:
    """Add cost types to a project cost code; ones already assigned are left alone. Returns the new assignments."""
    require_actor(actor, Resource.PROJECT_COST_TYPE, Operation.ADD, project=project_cost_code.project)
    cost_types = _unique(cost_types)
    raise_if_errors(project_cost_types_assign_validate(project_cost_code=project_cost_code, cost_types=cost_types))
    assigned = set(project_cost_code.cost_types.values_list("cost_type_id", flat=True))
    new = [
        ProjectCostType(project_cost_code=project_cost_code, cost_type=cost_type)
        for cost_type in cost_types
        if cost_type.pk not in assigned
    ]
    return ProjectCostType.objects.bulk_create(new)


def project_cost_code_remove_problem(*, project_cost_code: ProjectCostCode) -> str | None:
    refusal = guards.child_refusal(project_cost_code, done="removed")
    if refusal:
        return refusal
    if project_cost_code.erp_synced_at is not None:
        return (
            f"Cost code {project_cost_code.code} of project {project_cost_code.project.number} is on the job in "
            "Sage 300 CRE; it is maintained there and cannot be removed in Trestle."
        )
    if project_cost_code.sub_job_id and _is_integrated(project_cost_code.project):
        return _sub_job_maintained_in_sage(project_cost_code.sub_job)
    return None


@transaction.atomic
def project_cost_code_remove(*, project_cost_code: ProjectCostCode, actor=None) -> None:
    """Remove a code (and its cost types) added by mistake, as long as Sage does not have it yet."""
    require_actor(actor, Resource.PROJECT_COST_CODE, Operation.DELETE, obj=project_cost_code)
    problem = project_cost_code_remove_problem(project_cost_code=project_cost_code)
    if problem:
        raise Conflict(problem, code="project_cost_code_in_erp")
    delete_or_refuse(project_cost_code, label=f"Cost code {project_cost_code.code} of project {project_cost_code.project.number}")


@transaction.atomic
def project_cost_type_remove(*, project_cost_type: ProjectCostType, actor=None) -> None:
    project_cost_code = project_cost_type.project_cost_code
    require_actor(actor, Resource.PROJECT_COST_TYPE, Operation.DELETE, project=project_cost_code.project)
    refusal = guards.child_refusal(project_cost_code, done="changed")
    if refusal:
        raise Conflict(refusal, code="project_cost_code_locked")
    if project_cost_type.erp_synced_at is not None:
        raise Conflict(
            f"Cost type {project_cost_type.cost_type.code} of cost code {project_cost_code.code} is on the job in "
            "Sage 300 CRE; it is maintained there and cannot be removed in Trestle.",
            code="project_cost_type_in_erp",
        )
    if project_cost_code.sub_job_id and _is_integrated(project_cost_code.project):
        raise Conflict(_sub_job_maintained_in_sage(project_cost_code.sub_job), code="sub_job_maintained_in_erp")
    delete_or_refuse(project_cost_type, label=f"Cost type {project_cost_type.cost_type.code} of cost code {project_cost_code.code}")


# --- helpers ----------------------------------------------------------------------------


def _prepare_row(row: Mapping[str, Any], *, text_fields: tuple[str, ...]) -> dict[str, Any]:
    values = dict(row)
    for field in text_fields:
        if field in values or field in ("code", "description"):
            values[field] = text(values.get(field))
    return values


def _check_duplicate(errors: ErrorDict, first_row_of: dict[str, int], *, label: str, value: str, number: int) -> None:
    if not value:
        return
    if value in first_row_of:
        add_error(
            errors,
            "code",
            duplicate_in_batch_message(label=label, value=value, first_row=first_row_of[value], this_row=number),
        )
    else:
        first_row_of[value] = number


def _changes(instance, values: Mapping[str, Any], *, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: values[field] for field in fields if field in values and getattr(instance, field) != values[field]}


def _apply(instance, changes: Mapping[str, Any], *, now: datetime, synced_at: datetime | None) -> None:
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.updated_at = now  # bulk_update does not run auto_now
    if synced_at is not None:
        instance.erp_synced_at = synced_at


def _update_fields(changed: set[str], synced_at: datetime | None) -> list[str]:
    return sorted(changed | {"updated_at"} | ({"erp_synced_at"} if synced_at is not None else set()))


def _unique(cost_types: Iterable[CostType]) -> list[CostType]:
    seen, unique = set(), []
    for cost_type in cost_types:
        if cost_type.pk not in seen:
            seen.add(cost_type.pk)
            unique.append(cost_type)
    return unique

