"""Jobs: created from a Job Cost import file, updated, closed and reopened, deleted while still empty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.import_files import ImportRecord, JobImportRecord
from apps.sage300.limits import JOB_FIELDS
from apps.sage300.models import BillingLevel, BillingMethod, Job, JobStatus
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import check_amount, check_choice, check_length, check_lengths, normalized_job, require, text
from apps.sage300.services.common import UNCHANGED, assert_job_writable, atomic_write, each_atomic, given, lock_job
from apps.sage300.services.cost_structure import CostStructurePlan, plan_cost_structure, write_cost_structure

_TEXT_FIELDS = ("description", "address_1", "address_2", "city", "state", "zip_code", "billing_method", "billing_level")


def _clean_job_fields(values: Mapping[str, object], *, current: Job | None = None, row: int | None = None) -> dict:
    """Check a job's descriptive fields (all of them on create, the given ones on update)."""
    cleaned: dict[str, object] = {name: text(values[name]) for name in _TEXT_FIELDS if name in values}
    if "description" in cleaned:
        require(cleaned["description"], field="description", row=row)
    check_lengths(cleaned, JOB_FIELDS, row=row)
    if "status" in values:
        cleaned["status"] = text(values["status"])
        check_choice(cleaned["status"], JobStatus.values, field="status", row=row)
    method = cleaned.get("billing_method", current.billing_method if current else BillingMethod.CONTRACTS)
    level = cleaned.get("billing_level", current.billing_level if current else "")
    if "billing_method" in cleaned or "billing_level" in cleaned:
        check_choice(method, BillingMethod.values, field="billing_method", row=row)
        # Sage asks for a billing level only on Quickbill jobs.
        if method == BillingMethod.QUICKBILL:
            require(level, field="billing_level", row=row)
            check_choice(level, BillingLevel.values, field="billing_level", row=row)
        elif level:
            raise SageError("invalid_value", field="billing_level", row=row, label="BillingLevel", value=level)
    if "uses_extras" in values:
        cleaned["uses_extras"] = bool(values["uses_extras"])
        if current is not None and not cleaned["uses_extras"] and current.extras.exists():
            raise SageError("invalid_value", field="uses_extras", row=row, label="Extras", value="N")
    if "original_contract_amount" in values:
        cleaned["original_contract_amount"] = check_amount(
            values["original_contract_amount"], field="original_contract_amount", row=row
        )
    return cleaned


def _check_job_id_free(job: str, *, row: int | None = None) -> str:
    """The job id, checked: required, short enough, and neither the same id nor the same code as a job in Sage."""
    job_id = require(job, field="job", row=row)
    check_length(job_id, JOB_FIELDS["job"], field="job", row=row)
    code = normalized_job(job_id)
    if not code:
        raise SageError("invalid_value", field="job", row=row, label="Job", value=job_id)
    if Job.objects.filter(job=job_id).exists():
        raise SageError("job_id_exists", field="job", row=row)
    if Job.objects.filter(normalized_job=code).exists():
        raise SageError("job_code_exists", field="job", row=row)
    return job_id


@dataclass
class JobImportPlan:
    job: Job
    cost_structure: CostStructurePlan


def validate_job_import(records: Sequence[ImportRecord]) -> JobImportPlan:
    """Everything ``job_import`` checks, in file order, without writing; the first problem raises."""
    job_rows = [(row, record) for row, record in enumerate(records, start=1) if isinstance(record, JobImportRecord)]
    if len(job_rows) != 1:
        raise SageError("one_job_record", row=job_rows[1][0] if len(job_rows) > 1 else None)
    job_row, job_record = job_rows[0]
    job_id = _check_job_id_free(job_record.job, row=job_row)
    values = {name: getattr(job_record, name) for name in (*_TEXT_FIELDS, "status", "uses_extras", "original_contract_amount")}
    cleaned = _clean_job_fields(values, row=job_row)
    job = Job(job=job_id, normalized_job=normalized_job(job_id), **cleaned)
    others = [(row, record) for row, record in enumerate(records, start=1) if row != job_row]
    return JobImportPlan(job=job, cost_structure=plan_cost_structure(job=job, numbered_records=others))


@sage_call("job_import")
def job_import(*, records: Sequence[ImportRecord]) -> Job:
    """Create a job from the records of a Job Cost import file: one Job, its CostCodes and Categories.

    The file is all or nothing: the first bad record refuses the whole file and nothing is written.
    """
    records = list(records)
    return atomic_write(lambda: _import(records))


def _import(records: list) -> Job:
    plan = validate_job_import(records)
    plan.job.save()
    write_cost_structure(plan.cost_structure)
    return plan.job


@sage_call("job_import_many")
def job_import_many(*, files: Sequence[Sequence[ImportRecord]]) -> list[Job | SageError]:
    """Several Job Cost import files in one request: each file is all or nothing on its own, and the answer
    for each is its job or Sage's refusal of that file."""
    return each_atomic([list(records) for records in files], _import, validate_job_import)


def validate_job_update(*, job: str, changes: Mapping[str, object]) -> tuple[Job, dict]:
    found = lock_job(job)
    assert_job_writable(found)
    return found, _clean_job_fields(changes, current=found)


@sage_call("job_update")
@transaction.atomic(using=SAGE_ALIAS)
def job_update(
    *,
    job: str,
    description: object = UNCHANGED,
    address_1: object = UNCHANGED,
    address_2: object = UNCHANGED,
    city: object = UNCHANGED,
    state: object = UNCHANGED,
    zip_code: object = UNCHANGED,
    billing_method: object = UNCHANGED,
    billing_level: object = UNCHANGED,
    uses_extras: object = UNCHANGED,
    original_contract_amount: object = UNCHANGED,
) -> Job:
    """Change an open job's details; the job id never changes and the status has its own services."""
    found, cleaned = validate_job_update(
        job=job,
        changes=given(
            description=description,
            address_1=address_1,
            address_2=address_2,
            city=city,
            state=state,
            zip_code=zip_code,
            billing_method=billing_method,
            billing_level=billing_level,
            uses_extras=uses_extras,
            original_contract_amount=original_contract_amount,
        ),
    )
    for name, value in cleaned.items():
        setattr(found, name, value)
    found.save(update_fields=[*cleaned, "date_stamp"])
    return found


def _set_status(job: str, status: str) -> Job:
    check_choice(text(status), JobStatus.values, field="status")
    found = lock_job(job)
    if found.status != status:
        found.status = status
        found.save(update_fields=["status", "date_stamp"])
    return found


@sage_call("job_set_status")
@transaction.atomic(using=SAGE_ALIAS)
def job_set_status(*, job: str, status: str) -> Job:
    return _set_status(job, text(status))


@sage_call("job_close")
@transaction.atomic(using=SAGE_ALIAS)
def job_close(*, job: str) -> Job:
    """Close the job: from now on Sage refuses every write under it with "Job has been closed."."""
    return _set_status(job, JobStatus.CLOSED)


@sage_call("job_reopen")
@transaction.atomic(using=SAGE_ALIAS)
def job_reopen(*, job: str) -> Job:
    """Reopen a closed job (In Progress), the seed's resolution for R194."""
    return _set_status(job, JobStatus.IN_PROGRESS)


def validate_job_delete(*, job: str) -> Job:
    """Sage deletes a job only while nothing hangs under it."""
    found = lock_job(job)
    if found.cost_codes.exists():
        raise SageError("job_has_cost_codes", field="job", job=found.job)
    if found.extras.exists():
        raise SageError("job_has_extras", field="job", job=found.job)
    return found


@sage_call("job_delete")
@transaction.atomic(using=SAGE_ALIAS)
def job_delete(*, job: str) -> None:
    validate_job_delete(job=job).delete()
