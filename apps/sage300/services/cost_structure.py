"""A job's cost structure: its extras, cost codes and categories.

The ``CostCode`` and ``Category`` records of a Job Cost import file are checked together by
``plan_cost_structure`` (reads only) and then written in bulk by ``write_cost_structure``:
a file is all or nothing, and a big file costs a handful of queries, not one per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from apps.sage300.errors import SageError, not_found_in_where_clause
from apps.sage300.faults import sage_call
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord
from apps.sage300.limits import CATEGORY_FIELDS, COST_CODE_FIELDS, EXTRA_FIELDS
from apps.sage300.models import Category, CostCode, Extra, Job, StandardCategory
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import (
    check_amount,
    check_cost_code_format,
    check_length,
    check_lengths,
    is_group_cost_code,
    require,
    text,
)
from apps.sage300.services.common import assert_job_writable, atomic_write, lock_job

CostCodeKey = tuple[str, str]  # (extra, cost code); extra "" for the job itself, as in Sage's key


@dataclass
class CostStructurePlan:
    """What a set of CostCode/Category records will add, checked and ready to write."""

    existing_cost_codes: dict[CostCodeKey, CostCode] = field(default_factory=dict)
    new_cost_codes: dict[CostCodeKey, CostCode] = field(default_factory=dict)
    new_categories: list[tuple[CostCodeKey, Category]] = field(default_factory=list)


@dataclass
class CostCodesAdded:
    cost_codes: list[CostCode]
    categories: list[Category]


@dataclass
class _JobStructure:
    """What the job already has, loaded in three queries."""

    extras: dict[str, Extra]
    cost_codes: dict[CostCodeKey, CostCode]
    categories: set[tuple[CostCodeKey, str]]

    @classmethod
    def load(cls, job: Job | None) -> _JobStructure:
        if job is None or job.pk is None:
            return cls({}, {}, set())
        extras = {extra.extra: extra for extra in Extra.objects.filter(job=job)}
        extra_codes = {extra.pk: code for code, extra in extras.items()}
        cost_codes = {
            (extra_codes.get(cost_code.extra_id, ""), cost_code.cost_code): cost_code
            for cost_code in CostCode.objects.filter(job=job)
        }
        key_of = {cost_code.pk: key for key, cost_code in cost_codes.items()}
        categories = {
            (key_of[cost_code_id], category)
            for cost_code_id, category in Category.objects.filter(cost_code__job=job).values_list("cost_code_id", "category")
        }
        return cls(extras, cost_codes, categories)


def _check_job_and_extra(record, *, job_code: str, extras: Mapping[str, Extra], default_extra: str, row: int) -> str:
    """The record's extra code, after checking that its job and extra are the ones being written."""
    if text(record.job) and text(record.job) != job_code:
        raise not_found_in_where_clause("Job", field="job", row=row)
    extra = text(record.extra) or default_extra
    if extra and extra not in extras:
        raise not_found_in_where_clause("Extra", field="extra", row=row)
    return extra


def plan_cost_structure(
    *,
    job: Job,
    numbered_records: Iterable[tuple[int, object]],
    new_extras: Mapping[str, Extra] | None = None,
    default_extra: str = "",
) -> CostStructurePlan:
    """Check ``(row, record)`` pairs against ``job`` (saved or about to be) and the standard categories.

    ``new_extras`` are extras written in the same request; records with a blank extra belong
    to ``default_extra``. Raises the first ``SageError`` met, naming the record's row.
    """
    existing = _JobStructure.load(job)
    extras = {**existing.extras, **(new_extras or {})}
    plan = CostStructurePlan(existing_cost_codes=existing.cost_codes)
    planned_categories: set[tuple[CostCodeKey, str]] = set()
    standard_categories = None  # loaded once, only if a Category record is present
    for row, record in numbered_records:
        if isinstance(record, CostCodeImportRecord):
            extra = _check_job_and_extra(record, job_code=job.job, extras=extras, default_extra=default_extra, row=row)
            code = require(record.cost_code, field="cost_code", row=row)
            check_length(code, COST_CODE_FIELDS["cost_code"], field="cost_code", row=row)
            check_cost_code_format(code, row=row)
            check_length(text(record.description), COST_CODE_FIELDS["description"], field="description", row=row)
            key = (extra, code)
            if key in existing.cost_codes or key in plan.new_cost_codes:
                raise SageError("cost_code_exists", field="cost_code", row=row)
            plan.new_cost_codes[key] = CostCode(
                job_id=job.job,
                extra=extras.get(extra),
                cost_code=code,
                description=text(record.description),
                group_cost_code=is_group_cost_code(code),
            )
        elif isinstance(record, CategoryImportRecord):
            extra = _check_job_and_extra(record, job_code=job.job, extras=extras, default_extra=default_extra, row=row)
            code = require(record.cost_code, field="cost_code", row=row)
            key = (extra, code)
            if key not in existing.cost_codes and key not in plan.new_cost_codes:
                raise not_found_in_where_clause("CostCode", field="cost_code", row=row)
            if is_group_cost_code(code):
                raise SageError("summary_cost_code", field="cost_code", row=row, code=code)
            category = require(record.category, field="category", row=row)
            check_length(category, CATEGORY_FIELDS["category"], field="category", row=row)
            if standard_categories is None:
                standard_categories = {standard.category: standard for standard in StandardCategory.objects.all()}
            if category not in standard_categories:
                raise not_found_in_where_clause("Category", field="category", row=row)
            check_lengths(
                {"description": record.description, "cost_unit_description": record.cost_unit_description},
                CATEGORY_FIELDS,
                row=row,
            )
            original_estimate = check_amount(record.original_estimate, field="original_estimate", row=row)
            units = check_amount(record.original_estimate_units, field="original_estimate_units", places=4, row=row)
            if (key, category) in existing.categories or (key, category) in planned_categories:
                raise SageError("category_exists", field="category", row=row)
            planned_categories.add((key, category))
            plan.new_categories.append(
                (
                    key,
                    Category(
                        category=category,
                        # A blank description takes the standard category's.
                        description=text(record.description) or standard_categories[category].description,
                        original_estimate=original_estimate,
                        original_estimate_units=units,
                        total_estimate=original_estimate,  # bulk_create skips save(): keep the total in step
                        cost_unit_description=text(record.cost_unit_description),
                    ),
                )
            )
        else:
            raise TypeError(f"Not a CostCode or Category record: {record!r}")
    return plan


def write_cost_structure(plan: CostStructurePlan) -> CostCodesAdded:
    """Write a checked plan: two bulk inserts. The job and any new extras are already saved."""
    cost_codes = CostCode.objects.bulk_create(list(plan.new_cost_codes.values()))
    by_key = {**plan.existing_cost_codes, **plan.new_cost_codes}
    for key, category in plan.new_categories:
        category.cost_code = by_key[key]
    categories = Category.objects.bulk_create([category for _, category in plan.new_categories])
    return CostCodesAdded(cost_codes=cost_codes, categories=categories)


# --- Adding cost codes and categories to a job ------------------------------------------------


def validate_job_add_cost_codes(*, job: str, records: Sequence[object], if_missing: bool = False) -> CostStructurePlan:
    """Everything ``job_add_cost_codes`` checks, without writing (the admin's forms use it)."""
    found = lock_job(job, referenced=True)
    assert_job_writable(found)
    records = list(records)
    if if_missing:
        records = _missing_only(found, records)
    return plan_cost_structure(job=found, numbered_records=enumerate(records, start=1))


def _missing_only(job: Job, records: list) -> list:
    """The records whose cost code or category the job does not have yet."""
    existing = _JobStructure.load(job)
    kept = []
    for record in records:
        extra = text(getattr(record, "extra", ""))
        key = (extra, text(record.cost_code))
        if isinstance(record, CostCodeImportRecord) and key in existing.cost_codes:
            continue
        if isinstance(record, CategoryImportRecord) and (key, text(record.category)) in existing.categories:
            continue
        kept.append(record)
    return kept


@sage_call("job_add_cost_codes")
def job_add_cost_codes(*, job: str, records: Sequence[object], if_missing: bool = False) -> CostCodesAdded:
    """Add CostCode and Category records to an existing, open job, all or nothing.

    ``if_missing``: records the job already has are passed over instead of refused (the bridge's
    "add what is missing", which makes a repeated request harmless).
    """
    records = list(records)

    def write() -> CostCodesAdded:
        plan = validate_job_add_cost_codes(job=job, records=records, if_missing=if_missing)
        return write_cost_structure(plan)

    return atomic_write(write)


# --- Extras ------------------------------------------------------------------------------------


def validate_extra_create(
    *, job: str, extra: str, description: str = "", records: Sequence[object] = ()
) -> tuple[Job, Extra, CostStructurePlan]:
    found = lock_job(job, referenced=True)
    assert_job_writable(found)
    code = require(extra, field="extra")
    check_lengths({"extra": code, "description": description}, EXTRA_FIELDS)
    if Extra.objects.filter(job=found, extra=code).exists():
        raise SageError("extra_id_exists", field="extra")
    new_extra = Extra(job=found, extra=code, description=text(description))
    plan = plan_cost_structure(
        job=found, numbered_records=enumerate(records, start=1), new_extras={code: new_extra}, default_extra=code
    )
    return found, new_extra, plan


@sage_call("extra_create")
def extra_create(*, job: str, extra: str, description: str = "", records: Sequence[object] = ()) -> Extra:
    """Add an extra (Trestle's sub job) to an open job, with its own cost codes and categories.

    Records with a blank extra belong to the new extra. The job is marked as using extras.
    """
    records = list(records)

    def write() -> Extra:
        found, new_extra, plan = validate_extra_create(job=job, extra=extra, description=description, records=records)
        new_extra.save()
        if not found.uses_extras:
            found.uses_extras = True
            found.save(update_fields=["uses_extras", "date_stamp"])
        write_cost_structure(plan)
        return new_extra

    return atomic_write(write)


# --- Deleting (the Sage-side accountant's work; R51, R202) -------------------------------------


def _extra_of(job: Job, extra: str) -> Extra | None:
    code = text(extra)
    if not code:
        return None
    found = Extra.objects.filter(job=job, extra=code).first()
    if found is None:
        raise SageError("entity_not_found", field="extra")
    return found


def _cost_code_of(job: Job, extra: str, cost_code: str) -> CostCode:
    found = CostCode.objects.filter(job=job, extra=_extra_of(job, extra), cost_code=text(cost_code)).first()
    if found is None:
        raise SageError("entity_not_found", field="cost_code")
    return found


def validate_extra_delete(*, job: str, extra: str) -> Extra:
    found_job = lock_job(job)
    assert_job_writable(found_job)
    found = _extra_of(found_job, extra)
    if found is None:
        raise SageError("blank", field="extra")
    if found.cost_codes.exists():
        raise SageError("extra_has_cost_codes", field="extra", extra=found.extra)
    return found


@sage_call("extra_delete")
@transaction.atomic(using=SAGE_ALIAS)
def extra_delete(*, job: str, extra: str) -> None:
    validate_extra_delete(job=job, extra=extra).delete()


def validate_job_cost_code_delete(*, job: str, cost_code: str, extra: str = "") -> CostCode:
    found_job = lock_job(job)
    assert_job_writable(found_job)
    found = _cost_code_of(found_job, extra, cost_code)
    if found.categories.exists():
        raise SageError("cost_code_has_categories", field="cost_code", code=found.cost_code)
    return found


@sage_call("job_cost_code_delete")
@transaction.atomic(using=SAGE_ALIAS)
def job_cost_code_delete(*, job: str, cost_code: str, extra: str = "") -> None:
    validate_job_cost_code_delete(job=job, cost_code=cost_code, extra=extra).delete()


def validate_job_category_delete(*, job: str, cost_code: str, category: str, extra: str = "") -> Category:
    found_job = lock_job(job)
    assert_job_writable(found_job)
    found = _cost_code_of(found_job, extra, cost_code).categories.filter(category=text(category)).first()
    if found is None:
        raise SageError("entity_not_found", field="category")
    return found


@sage_call("job_category_delete")
@transaction.atomic(using=SAGE_ALIAS)
def job_category_delete(*, job: str, cost_code: str, category: str, extra: str = "") -> None:
    """Remove a category from a job: later documents coded to it fail Sage's where clause (R202)."""
    validate_job_category_delete(job=job, cost_code=cost_code, category=category, extra=extra).delete()
