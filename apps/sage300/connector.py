"""The Sage 300 CRE connector: Trestle's side of the hh2-style bridge to the embedded Sage.

Hub code reaches Sage only through this class (via ``apps.erp.connector.get_connector``), and it
is the only module of the embedded Sage that imports the hub's engine. Each method is one request
to Sage — counted against the hourly limit and exposed to injected faults (``apps.sage300.faults``)
— and answers with neutral records (``apps.erp.records``), a page at a time. Cursors are opaque
strings; pass ``next_cursor`` back unchanged. Sage's refusals leave the connector as ``ErpError``s
of the hub's catalogue, still in Sage's exact words.

Where a real Sage keeps the evidence that a write happened — what ``find_written`` reads:

| record | evidence in Sage | "the same record" when |
|---|---|---|
| job (``JobExport``) | ``JCM_MASTER__JOB.Job`` (unique; also unique without punctuation) | same Job and Description |
| extra (``ExtraExport``) | ``JCM_MASTER__EXTRA`` (Job, Extra) | same Description |
| job cost codes (``JobCostCodesExport``) | ``JCM_MASTER__COST_CODE`` (Job, Extra, Cost_Code) and ``JCM_MASTER__CATEGORY`` | every code and category is there |
| vendor (``VendorExport``) | ``APM_MASTER__VENDOR.Vendor`` (unique) | same Name, ignoring case and Inc./LLC |
| JC entries (``OriginalEstimateExport``, ``EstimateChangeExport``, ``ForecastExport``) | ``JCT_CURRENT__TRANSACTION`` rows of the job whose ``Ref_1`` is the record's ``reference`` | the same entries (type, extra, cost code, category, amount, description) |

JC entries, the contract the budget export builds on:

* ``add_original_estimate(OriginalEstimateExport)`` → one "Original estimate" entry per line;
  ``add_estimate_changes(EstimateChangeExport)`` → one "Approved estimate change" entry per line, dated the
  export date, the change's number in ``Chg_Mgt_Ref_1``; ``add_cost_forecast(ForecastExport)`` → per line a
  "Misc worksheet 1" entry described "Estimated Cost at Complete" and a "Misc worksheet 2" entry described
  "Forecast to Complete", both Replace. Units are never sent (R69).
* Each is one request writing all its entries into the unposted batch, or none; the answer is
  ``WriteResult(erp_id="<job>/<reference>", data={"batch": <batch number>, "entries": <count>})``.
* The same reference on the same job again is refused as ``transaction_reference_exists`` (``means_exists``):
  ``find_written`` then answers ``Found(erp_id="<job>/<reference>", same=<entries match>,
  data={"batch", "entries", "posted"})``.
* Nothing moves on the category until the accountant posts the batch; ``job_estimates`` reads posted totals.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db.models import Q

from apps.erp.connector import ConnectorLimits, FieldLimit
from apps.erp.errors import ErpError
from apps.erp.records import (
    CompanyRecord,
    CostTypeRecord,
    EstimateChangeExport,
    EstimateRecord,
    ExtraExport,
    ExtraRecord,
    ForecastExport,
    Found,
    JobCostCodeRecord,
    JobCostCodesExport,
    JobExport,
    JobRecord,
    OriginalEstimateExport,
    Page,
    StandardCostCodeRecord,
    VendorExport,
    VendorInsuranceRecord,
    VendorRecord,
    WriteResult,
)
from apps.sage300 import selectors
from apps.sage300.company import get_company
from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.limits import (
    CATEGORY_FIELDS,
    COST_CODE_FIELDS,
    EXTRA_FIELDS,
    JOB_FIELDS,
    TRANSACTION_FIELDS,
    VENDOR_FIELDS,
    ColumnLimit,
)
from apps.sage300.models import (
    Category,
    CostCode,
    Extra,
    Job,
    JobStatus,
    StandardCategory,
    TransactionType,
    Vendor,
    VendorInsurance,
    WorksheetAction,
)
from apps.sage300.rules import normalized_job
from apps.sage300.services import (
    JcEntry,
    extra_create,
    jc_entries_add,
    job_add_cost_codes,
    job_import,
    job_import_many,
    vendor_create,
    vendor_create_many,
)

DEFAULT_PAGE_SIZE = selectors.DEFAULT_PAGE_SIZE


def _limit(column: ColumnLimit) -> FieldLimit:
    return FieldLimit(column.max_length, column.label, pattern=column.pattern, rule=column.rule)


def _limits(columns: dict[str, ColumnLimit], fields: dict[str, str]) -> dict[str, FieldLimit]:
    """A record's limits: record field → the Sage column it is written to."""
    return {record_field: _limit(columns[column]) for record_field, column in fields.items()}


_COST_CODE_LIMITS = _limits(COST_CODE_FIELDS, {"code": "cost_code", "description": "description"})
# What the connector declares to the hub, under the neutral records' own field names.
SAGE_LIMITS = ConnectorLimits(by_record={
    JobExport: _limits(JOB_FIELDS, {"job_id": "job", "name": "description", "address": "address_1", "city": "city",
                                    "state": "state", "zip": "zip_code"}),
    ExtraExport: _limits(EXTRA_FIELDS, {"extra": "extra", "description": "description"}),
    VendorExport: _limits(VENDOR_FIELDS, {"vendor_id": "vendor", "name": "name", "address": "address_1",
                                          "city": "city", "state": "state", "zip": "zip_code",
                                          "telephone": "telephone", "fax": "fax_number"}),
    StandardCostCodeRecord: _COST_CODE_LIMITS,
    JobCostCodeRecord: _COST_CODE_LIMITS,
    CostTypeRecord: _limits(CATEGORY_FIELDS, {"code": "category", "description": "description"}),
    OriginalEstimateExport: _limits(TRANSACTION_FIELDS, {"reference": "ref_1", "description": "description"}),
    EstimateChangeExport: {
        **_limits(JOB_FIELDS, {"job_id": "job", "name": "description", "address": "address_1", "city": "city",
                               "state": "state", "zip": "zip_code"}),
        **_limits(TRANSACTION_FIELDS, {"reference": "ref_1", "description": "description",
                                       "change_reference": "chg_mgt_ref_1"}),
    },
    ForecastExport: _limits(TRANSACTION_FIELDS, {"reference": "ref_1"}),
})

# The mapping's fixed descriptions of the cost forecast entries (Cost Forecast Data, R81).
ECAC_DESCRIPTION = "Estimated Cost at Complete"
FTC_DESCRIPTION = "Forecast to Complete"
ENTRY_RECORDS = (OriginalEstimateExport, EstimateChangeExport, ForecastExport)

# Sage's message code → the hub's error catalogue (apps/erp/errors.py). Codes not listed are
# input the hub should have prevented; they reach the catalogue as "invalid_format".
CATALOGUE_CODES = {
    "job_id_exists": "job_id_exists",
    "job_code_exists": "job_code_exists",
    "too_long": "field_too_long",
    "job_closed": "job_closed",
    "vendor_inactive": "vendor_inactive",
    "entity_not_found": "entity_not_found",
    "blank": "blank",
    "hourly_limit": "rate_limited",
    "import_timeout": "timeout",
    "vendor_id_exists": "vendor_id_exists",
    "extra_id_exists": "extra_id_exists",
    "gl_period_closed": "jc_period_closed",
    "reference_exists": "transaction_reference_exists",
}
# Posting's refusal of one entry ("entry_not_postable") by the rule it broke: how Trestle explains it.
POSTING_CATALOGUE_CODES = {
    "job_closed": "job_closed",
    "not_in_where_clause": "category_not_on_job",
    "gl_period_closed": "jc_period_closed",
}

# Sage's label of a too-long field → the seed's own row for it (R214–R216); others are generic.
TOO_LONG_CODES = {"Name": "name_too_long", "AddressCity": "city_too_long", "AddressZip": "zip_too_long"}
# What restores a missing entity (R209's resolution names the action).
RESTORE_ACTION = {
    "Job": "Run the Jobs sync; if the job was deleted in Sage, unlink the project or export it again.",
    "Vendor": "Run the Vendors sync; if the vendor was deleted in Sage, link the company again or export it.",
    "Extra": "Run the Sub Jobs sync; if the extra was deleted in Sage, export the sub job again.",
}


def as_erp_error(error: SageError) -> ErpError:
    """The catalogue's error for a Sage refusal, keeping Sage's wording, retryability and details."""
    params = dict(error.params)
    if error.code == "entry_not_postable":
        code = POSTING_CATALOGUE_CODES.get(str(params.get("rule")), "invalid_format")
    elif error.code == "not_in_where_clause" and "[Category]" in error.message:
        code = "category_not_on_job"
    elif error.code == "not_in_where_clause" and params.get("entity") in RESTORE_ACTION:
        code = "entity_not_found"  # a job, vendor or extra the record refers to is not in Sage (any more)
    elif error.code == "too_long":
        code = TOO_LONG_CODES.get(str(params.get("label")), "field_too_long")
    else:
        code = CATALOGUE_CODES.get(error.code, "invalid_format")
    entity = str(params.get("entity") or (error.field or "record").replace("_", " ").capitalize())
    context = {
        "detail": error.message,
        "resolution": "Correct the value in Trestle (or in Sage) and send the item again.",
        "field": (error.field or "").replace("_", " "),
        "entity": entity,
        "action": RESTORE_ACTION.get(entity, "Refresh the data from Sage and try again."),
        **{key: value for key, value in params.items() if value is not None},
    }
    return ErpError(code, message=error.message, retryable=error.retryable, **context)


def sage_request(operation: str) -> Callable:
    """One request to Sage (``sage_call``) whose refusal is reported as an ``ErpError``."""

    def decorate(method: Callable) -> Callable:
        counted = sage_call(operation)(method)

        @functools.wraps(method)
        def request(*args, **kwargs):
            try:
                return counted(*args, **kwargs)
            except SageError as error:
                raise as_erp_error(error) from error

        return request

    return decorate


def _translated(call: Callable, **kwargs):
    """Call a Sage service (already a counted, faultable request) and report refusals as ErpErrors."""
    try:
        return call(**kwargs)
    except SageError as error:
        raise as_erp_error(error) from error


def _row_cursor(cursor: str | None) -> int | None:
    """Row-ordered datasets page by row id; a cursor that is not one is a caller's mistake."""
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise SageError("invalid_value", field="cursor", label="Cursor", value=cursor)
    return int(cursor)


def _page(page: selectors.KeysetPage, to_record: Callable) -> Page:
    return Page(
        records=[to_record(row) for row in page.rows],
        next_cursor=None if page.next_after is None else str(page.next_after),
        high_water=page.high_water,
        as_of=page.as_of,
    )


def _insurance_record(insurance: VendorInsurance) -> VendorInsuranceRecord:
    return VendorInsuranceRecord(
        vendor_id=insurance.vendor_id,
        insurance_type=insurance.insurance_type,
        policy_number=insurance.policy_number,
        insurance_company=insurance.insurance_company,
        limit=insurance.limit,
        effective_date=insurance.effective_date,
        expiration_date=insurance.expiration_date,
    )


def _vendor_record(vendor: Vendor) -> VendorRecord:
    return VendorRecord(
        vendor_id=vendor.vendor,
        name=vendor.name,
        address=vendor.address_1,
        city=vendor.city,
        state=vendor.state,
        zip=vendor.zip_code,
        telephone=vendor.telephone,
        fax=vendor.fax_number,
        inactive=vendor.inactive,
        vendor_type=vendor.vendor_type,
        address_2=vendor.address_2,
        insurance=tuple(
            _insurance_record(insurance)
            for insurance in (
                vendor.insurance_rows if hasattr(vendor, "insurance_rows") else vendor.insurance.order_by("insurance_type")
            )
        ),
    )


def _job_record(job: Job) -> JobRecord:
    return JobRecord(
        job_id=job.job,
        name=job.description,
        address=job.address_1,
        city=job.city,
        state=job.state,
        zip=job.zip_code,
        status=job.status,
        address_2=job.address_2,
        is_closed=job.status == JobStatus.CLOSED,
        uses_extras=job.uses_extras,
    )


def _job_cost_code_record(cost_code: CostCode) -> JobCostCodeRecord:
    return JobCostCodeRecord(
        job_id=cost_code.job_id,
        extra=cost_code.extra.extra if cost_code.extra_id else "",
        code=cost_code.cost_code,
        description=cost_code.description,
        category_codes=tuple(category.category for category in cost_code.categories.all()),
        is_summary=cost_code.group_cost_code,
    )


def _estimate_record(category: Category) -> EstimateRecord:
    cost_code = category.cost_code
    return EstimateRecord(
        job_id=cost_code.job_id,
        extra=cost_code.extra.extra if cost_code.extra_id else "",
        cost_code=cost_code.cost_code,
        category=category.category,
        original_estimate=category.original_estimate,
        approved_changes=category.approved_estimate_changes,
        revised_estimate=category.total_estimate,
        estimated_cost_at_completion=category.msc_cat_amt_1,
        forecast_to_complete=category.msc_cat_amt_2,
    )


def _entries(record) -> list[JcEntry]:
    """The JC entries an entries record writes (see the module's contract)."""
    if isinstance(record, OriginalEstimateExport):
        return [JcEntry(TransactionType.ORIGINAL_ESTIMATE, line.cost_code, line.category, line.amount,
                        extra=line.extra, description=record.description) for line in record.lines]
    if isinstance(record, EstimateChangeExport):
        return [JcEntry(TransactionType.APPROVED_ESTIMATE_CHANGE, line.cost_code, line.category, line.amount,
                        extra=line.extra, description=record.description, chg_mgt_ref_1=record.change_reference)
                for line in record.lines]
    entries = []
    for line in record.lines:
        entries.append(JcEntry(TransactionType.MISC_WORKSHEET_1, line.cost_code, line.category,
                               line.estimated_cost_at_completion, extra=line.extra, description=ECAC_DESCRIPTION,
                               action=WorksheetAction.REPLACE))
        entries.append(JcEntry(TransactionType.MISC_WORKSHEET_2, line.cost_code, line.category,
                               line.forecast_to_complete, extra=line.extra, description=FTC_DESCRIPTION,
                               action=WorksheetAction.REPLACE))
    return entries


def _entry_signature(kind, extra, cost_code, category, amount, description) -> tuple:
    return str(kind), extra or "", cost_code, category, Decimal(amount).quantize(Decimal("0.01")), description or ""


def _entries_id(record) -> str:
    return f"{record.job_id}/{record.reference}"


# --- writes and the evidence of writes ------------------------------------------------------------

_NAME_NOISE = re.compile(r"\b(inc|llc|co|corp|corporation|company|ltd|the)\b|[^a-z0-9 ]")


def _normal_name(value: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", value.lower()).split())


def _categories() -> dict[str, str]:
    return dict(StandardCategory.objects.values_list("category", "description"))


def _job_file(record: JobExport, categories: dict[str, str]) -> list:
    """The Job Cost import file of one job: the job, its cost codes, their categories (R44)."""
    return [
        JobImportRecord(job=record.job_id, description=record.name, address_1=record.address, city=record.city,
                        state=record.state, zip_code=record.zip),
        *_cost_structure_records(record.job_id, record.cost_codes, categories=categories),
    ]


def _vendor_fields(record: VendorExport) -> dict:
    return {
        "vendor": record.vendor_id, "name": record.name, "vendor_type": record.vendor_type or "Subcontractor",
        "address_1": record.address, "city": record.city, "state": record.state, "zip_code": record.zip,
        "telephone": record.telephone, "fax_number": record.fax,
    }


def _cost_structure_records(job_id: str, cost_codes: Sequence[JobCostCodeRecord], *, extra: str = "",
                            categories: dict[str, str] | None = None) -> list:
    categories = _categories() if categories is None else categories
    records: list = []
    for code in cost_codes:
        records.append(CostCodeImportRecord(job=job_id, cost_code=code.code, description=code.description, extra=extra))
        records.extend(
            CategoryImportRecord(
                job=job_id, cost_code=code.code, category=category, description=categories.get(category, ""), extra=extra
            )
            for category in code.category_codes
        )
    return records


class Sage300Connector:
    name = "Sage 300 CRE"
    limits = SAGE_LIMITS

    @sage_request("company")
    def company(self) -> CompanyRecord:
        company = get_company()
        return CompanyRecord(name=company.company_name, product="Sage 300 CRE", version=company.sage_version)

    # --- identity and evidence ---------------------------------------------------------------------

    def identity(self, record) -> str:
        if isinstance(record, JobExport):
            return f"job:{normalized_job(record.job_id)}"
        # Sage compares extra and vendor ids exactly (case included); job ids without their punctuation.
        if isinstance(record, ExtraExport):
            return f"extra:{record.job_id}/{record.extra}"
        if isinstance(record, JobCostCodesExport):
            return f"cost-codes:{record.job_id}/{record.extra}"
        if isinstance(record, VendorExport):
            return f"vendor:{record.vendor_id}"
        if isinstance(record, ENTRY_RECORDS):
            return f"jc-entries:{record.job_id}/{record.reference}"
        raise TypeError(f"Sage 300 CRE does not know {type(record).__name__} records.")

    def same_vendor_name(self, first: str, second: str) -> bool:
        return _normal_name(first) == _normal_name(second)

    @sage_request("lookup")
    def find_written(self, records: Sequence[object]) -> list[Found | None]:
        """What Sage holds under each record's natural id (see the table above): one request for all."""
        jobs = self._jobs_for([r for r in records if isinstance(r, JobExport)])
        extras = self._extras_for([r for r in records if isinstance(r, ExtraExport)])
        vendors = {
            v.vendor: v for v in Vendor.objects.filter(
                vendor__in={r.vendor_id for r in records if isinstance(r, VendorExport)}
            ).only("vendor", "name")
        }
        structures = self._structures_for([r for r in records if isinstance(r, JobCostCodesExport)])
        entries = self._entries_for([r for r in records if isinstance(r, ENTRY_RECORDS)])
        answers: list[Found | None] = []
        for record in records:
            if isinstance(record, JobExport):
                answers.append(jobs(record))
            elif isinstance(record, ExtraExport):
                answers.append(extras(record))
            elif isinstance(record, VendorExport):
                vendor = vendors.get(record.vendor_id)
                answers.append(None if vendor is None else Found(
                    erp_id=vendor.vendor, same=self.same_vendor_name(vendor.name, record.name),
                    conflict="vendor_id_exists", data={"name": vendor.name},
                ))
            elif isinstance(record, JobCostCodesExport):
                answers.append(structures(record))
            elif isinstance(record, ENTRY_RECORDS):
                answers.append(entries(record))
            else:
                raise TypeError(f"Sage 300 CRE does not know {type(record).__name__} records.")
        return answers

    @staticmethod
    def _jobs_for(records: list[JobExport]):
        codes = {normalized_job(r.job_id) for r in records}
        by_code = {job.normalized_job: job for job in Job.objects.filter(normalized_job__in=codes).only(
            "job", "normalized_job", "description")} if codes else {}

        def answer(record: JobExport) -> Found | None:
            job = by_code.get(normalized_job(record.job_id))
            if job is None:
                return None
            if job.job != record.job_id:
                return Found(erp_id=job.job, same=False, conflict="job_code_exists", data={"job": job.job})
            return Found(erp_id=job.job, same=job.description == record.name, conflict="job_id_exists",
                         data={"job": job.job, "name": job.description})

        return answer

    @staticmethod
    def _extras_for(records: list[ExtraExport]):
        query = Q()
        for record in records:
            query |= Q(job_id=record.job_id, extra=record.extra)
        found = {(e.job_id, e.extra): e for e in Extra.objects.filter(query).only("job_id", "extra", "description")} if (
            records) else {}

        def answer(record: ExtraExport) -> Found | None:
            extra = found.get((record.job_id, record.extra))
            if extra is None:
                return None
            return Found(erp_id=extra.extra, same=extra.description == record.description, conflict="extra_id_exists",
                         data={"job": extra.job_id})

        return answer

    @staticmethod
    def _structures_for(records: list[JobCostCodesExport]):
        jobs = {record.job_id for record in records}
        have_codes, have_categories = set(), set()
        if jobs:
            for job_id, extra, code in CostCode.objects.filter(job_id__in=jobs).values_list(
                "job_id", "extra__extra", "cost_code"
            ):
                have_codes.add((job_id, extra or "", code))
            for job_id, extra, code, category in Category.objects.filter(cost_code__job_id__in=jobs).values_list(
                "cost_code__job_id", "cost_code__extra__extra", "cost_code__cost_code", "category"
            ):
                have_categories.add((job_id, extra or "", code, category))

        def answer(record: JobCostCodesExport) -> Found | None:
            for code in record.cost_codes:
                if (record.job_id, record.extra, code.code) not in have_codes:
                    return None
                if any((record.job_id, record.extra, code.code, c) not in have_categories for c in code.category_codes):
                    return None
            return Found(erp_id=f"{record.job_id}/{record.extra}".rstrip("/"), same=True)

        return answer

    @staticmethod
    def _entries_for(records: list):
        found = selectors.jc_transactions_by_reference({(r.job_id, r.reference) for r in records})

        def answer(record) -> Found | None:
            rows = found.get((record.job_id, record.reference))
            if not rows:
                return None
            have = sorted(_entry_signature(row.transaction_type, row.extra, row.cost_code, row.category, row.amount,
                                           row.description) for row in rows)
            want = sorted(_entry_signature(entry.transaction_type, entry.extra, entry.cost_code, entry.category,
                                           entry.amount, entry.description) for entry in _entries(record))
            return Found(erp_id=_entries_id(record), same=have == want, conflict="transaction_reference_exists",
                         data={"batch": rows[0].batch_id, "entries": len(rows),
                               "posted": all(row.posted for row in rows)})

        return answer

    # --- writes ----------------------------------------------------------------------------------------

    def _add_entries(self, record) -> WriteResult:
        """One request: the record's JC entries into the unposted batch, stamped with its reference."""
        if not record.reference.strip():
            raise as_erp_error(SageError("blank", field="ref_1"))
        added = _translated(jc_entries_add, job=record.job_id, entries=_entries(record), reference=record.reference,
                            transaction_date=record.transaction_date)
        return WriteResult(erp_id=_entries_id(record),
                           data={"batch": added.batch.batch, "entries": len(added.transactions)})

    def add_original_estimate(self, record: OriginalEstimateExport, *, idempotency_key: str) -> WriteResult:
        """The budget's original amounts as "Original estimate" entries (posting adds them to Original_Estimate)."""
        return self._add_entries(record)

    def add_estimate_changes(self, record: EstimateChangeExport, *, idempotency_key: str) -> WriteResult:
        """A budget change as "Approved estimate change" entries dated the export date. The header names the
        job (which must be in Sage); Sage keeps its own job name and address."""
        return self._add_entries(record)

    def add_cost_forecast(self, record: ForecastExport, *, idempotency_key: str) -> WriteResult:
        """Misc worksheet 1 (ECAC) and 2 (FTC) entries per line, replacing Msc cat amt 1 and 2 when posted."""
        return self._add_entries(record)

    def create_job(self, record: JobExport, *, idempotency_key: str) -> WriteResult:
        """Create the job from a Job Cost import file's three record types (R44)."""
        job = _translated(job_import, records=_job_file(record, _categories()))
        return WriteResult(erp_id=job.job, data={"cost_codes": len(record.cost_codes)})

    def create_jobs(self, records: Sequence[JobExport], *, idempotency_keys: Sequence[str]) -> list:
        """Many Job Cost import files in one request; each job's answer, or Sage's refusal of its file."""
        categories = _categories()
        answers = _translated(job_import_many, files=[_job_file(record, categories) for record in records])
        return [
            as_erp_error(answer) if isinstance(answer, SageError)
            else WriteResult(erp_id=answer.job, data={"cost_codes": len(record.cost_codes)})
            for record, answer in zip(records, answers)
        ]

    def create_extra(self, record: ExtraExport, *, idempotency_key: str) -> WriteResult:
        extra = _translated(extra_create, job=record.job_id, extra=record.extra, description=record.description)
        return WriteResult(erp_id=extra.extra, data={"job": record.job_id})

    def add_job_cost_codes(self, record: JobCostCodesExport, *, idempotency_key: str) -> WriteResult:
        """Add the cost codes and categories the job (or extra) does not have yet; those it has are kept."""
        records = _cost_structure_records(record.job_id, record.cost_codes, extra=record.extra)
        added = _translated(job_add_cost_codes, job=record.job_id, records=records, if_missing=True)
        return WriteResult(
            erp_id=f"{record.job_id}/{record.extra}".rstrip("/"),
            data={"cost_codes": len(added.cost_codes), "categories": len(added.categories)},
        )

    def create_vendor(self, record: VendorExport, *, idempotency_key: str) -> WriteResult:
        vendor = _translated(vendor_create, **_vendor_fields(record))
        return WriteResult(erp_id=vendor.vendor)

    def create_vendors(self, records: Sequence[VendorExport], *, idempotency_keys: Sequence[str]) -> list:
        """Many vendors in one request (an AP vendor import); each vendor's answer, or Sage's refusal of it."""
        answers = _translated(vendor_create_many, vendors=[_vendor_fields(record) for record in records])
        return [as_erp_error(answer) if isinstance(answer, SageError) else WriteResult(erp_id=answer.vendor)
                for answer in answers]

    # --- reads -----------------------------------------------------------------------------------------

    @sage_request("read_standard_cost_codes")
    def standard_cost_codes(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since: datetime.datetime | None = None
    ) -> Page[StandardCostCodeRecord]:
        page = selectors.standard_cost_codes_page(after=cursor, limit=limit, changed_since=changed_since)
        return _page(page, lambda row: StandardCostCodeRecord(code=row.cost_code, description=row.description,
                                                              is_summary=row.group_cost_code))

    @sage_request("read_standard_categories")
    def cost_types(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since: datetime.datetime | None = None
    ) -> Page[CostTypeRecord]:
        page = selectors.standard_categories_page(after=cursor, limit=limit, changed_since=changed_since)
        return _page(page, lambda row: CostTypeRecord(code=row.category, description=row.description,
                                                      accumulate_as=row.accumulate_as))

    @sage_request("read_vendors")
    def vendors(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since: datetime.datetime | None = None
    ) -> Page[VendorRecord]:
        return _page(selectors.vendors_page(after=cursor, limit=limit, changed_since=changed_since), _vendor_record)

    @sage_request("read_vendor_insurance")
    def vendor_insurance(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[VendorInsuranceRecord]:
        return _page(selectors.vendor_insurance_page(after=_row_cursor(cursor), limit=limit), _insurance_record)

    @sage_request("read_jobs")
    def jobs(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since: datetime.datetime | None = None
    ) -> Page[JobRecord]:
        return _page(selectors.jobs_page(after=cursor, limit=limit, changed_since=changed_since), _job_record)

    @sage_request("read_extras")
    def extras(
        self,
        *,
        job_id: str | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        changed_since: datetime.datetime | None = None,
    ) -> Page[ExtraRecord]:
        after = cursor if changed_since is not None else _row_cursor(cursor)
        page = selectors.extras_page(job=job_id, after=after, limit=limit, changed_since=changed_since)
        return _page(page, lambda row: ExtraRecord(job_id=row.job_id, extra=row.extra, description=row.description))

    @sage_request("read_job_estimates")
    def job_estimates(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[EstimateRecord]:
        """Posted estimate totals per job / extra / cost code / category, in row order."""
        page = selectors.job_categories_page(job=job_id, after=_row_cursor(cursor), limit=limit)
        return _page(page, _estimate_record)

    @sage_request("read_job_cost_codes")
    def job_cost_codes(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[JobCostCodeRecord]:
        page = selectors.job_cost_codes_page(job=job_id, after=_row_cursor(cursor), limit=limit)
        return _page(page, _job_cost_code_record)
