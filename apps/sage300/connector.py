"""The Sage 300 CRE connector: Trestle's side of the hh2-style bridge to the embedded Sage.

Hub code reaches Sage only through this class (via ``apps.erp.connector.get_connector``). Each
read is one request to Sage — counted against the hourly limit and exposed to injected faults
(``apps.sage300.faults``) — and answers with neutral records (``apps.erp.records``), a page at
a time. Cursors are opaque strings; pass ``next_cursor`` back unchanged. Sage's refusals leave
the connector as ``ErpError``s of the hub's catalogue, still in Sage's exact words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from apps.erp.records import (
    ExtraExport,
    JobExport,
    VendorExport,
    WriteResult,
    CostTypeRecord,
    ExtraRecord,
    JobCostCodeRecord,
    JobRecord,
    Page,
    StandardCostCodeRecord,
    VendorInsuranceRecord,
    VendorRecord,
)
from apps.erp.errors import ErpError
from apps.sage300 import selectors
from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.limits import SAGE_LIMITS  # noqa: F401 - declared here for the hub, defined beside the tables
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.models import (
    CostCode,
    Extra,
    Job,
    JobStatus,
    SageApiRequest,
    StandardCategory,
    Vendor,
    VendorInsurance,
)
from apps.sage300.rules import normalized_job
from apps.sage300.services import extra_create, job_import, vendor_create

DEFAULT_PAGE_SIZE = selectors.DEFAULT_PAGE_SIZE

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
    if error.code == "not_in_where_clause" and "[Category]" in error.message:
        code = "category_not_on_job"
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


def _row_cursor(cursor: str | None) -> int | None:
    """Row-ordered datasets page by row id; a cursor that is not one is a caller's mistake."""
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise SageError("invalid_value", field="cursor", label="Cursor", value=cursor)
    return int(cursor)


def _next(value: str | int | None) -> str | None:
    return None if value is None else str(value)


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


# --- writes and the lookups that guard them ----------------------------------------------------

_NAME_NOISE = re.compile(r"\b(inc|llc|co|corp|corporation|company|ltd|the)\b|[^a-z0-9 ]")


def _same_name(first: str, second: str) -> bool:
    def normal(value: str) -> str:
        return " ".join(_NAME_NOISE.sub(" ", value.lower()).split())

    return normal(first) == normal(second)


def _translated(call: Callable, **kwargs):
    """Call a Sage service (already a counted, faultable request) and report refusals as ErpErrors."""
    try:
        return call(**kwargs)
    except SageError as error:
        raise as_erp_error(error) from error


def _cost_structure_records(job_id: str, cost_codes, *, extra: str = "") -> list:
    categories = dict(StandardCategory.objects.values_list("category", "description"))
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


class _Sage300Writes:
    @sage_request("lookup_requests")
    def find_by_idempotency_keys(self, keys: list[str]) -> WriteResult | None:
        """The write made under any of ``keys``, if Sage has one (hh2's request log)."""
        row = SageApiRequest.objects.filter(idempotency_key__in=keys).order_by("created_at").first()
        if row is None:
            return None
        response = row.response or {}
        erp_id = response.get("extra") or response.get("vendor") or response.get("job") or row.entity_key
        return WriteResult(erp_id=erp_id, data={"operation": row.operation, **response})

    @sage_request("lookup_job")
    def job_id_taken(self, job_id: str) -> str | None:
        """``"job_id_exists"`` for the same id, ``"job_code_exists"`` for the same code ignoring punctuation."""
        if Job.objects.filter(job=job_id).exists():
            return "job_id_exists"
        if Job.objects.filter(normalized_job=normalized_job(job_id)).exists():
            return "job_code_exists"
        return None

    @sage_request("lookup_extra")
    def extra_exists(self, job_id: str, extra: str) -> bool:
        return Extra.objects.filter(job_id=job_id, extra=extra).exists()

    @sage_request("lookup_vendor")
    def vendor(self, vendor_id: str) -> VendorRecord | None:
        found = Vendor.objects.filter(vendor=vendor_id).prefetch_related("insurance").first()
        return _vendor_record(found) if found else None

    def same_vendor(self, record: VendorRecord, *, name: str) -> bool:
        """Whether a Sage vendor is the company being exported (same name, ignoring case and Inc./LLC)."""
        return _same_name(record.name, name)

    def create_job(self, export: JobExport, *, idempotency_key: str) -> WriteResult:
        """Create the job from a Job Cost import file's three record types (R44)."""
        records = [
            JobImportRecord(
                job=export.job_id,
                description=export.name,
                address_1=export.address,
                city=export.city,
                state=export.state,
                zip_code=export.zip,
            ),
            *_cost_structure_records(export.job_id, export.cost_codes),
        ]
        job = _translated(job_import, records=records, idempotency_key=idempotency_key)
        return WriteResult(erp_id=job.job, data={"cost_codes": len(export.cost_codes)})

    def create_extra(self, export: ExtraExport, *, idempotency_key: str) -> WriteResult:
        records = _cost_structure_records(export.job_id, export.cost_codes, extra=export.extra)
        extra = _translated(
            extra_create,
            job=export.job_id,
            extra=export.extra,
            description=export.description,
            records=records,
            idempotency_key=idempotency_key,
        )
        return WriteResult(erp_id=extra.extra, data={"job": export.job_id})

    def create_vendor(self, export: VendorExport, *, idempotency_key: str) -> WriteResult:
        """Create the vendor; if Sage already has this very vendor (same id and name), link it instead."""
        existing = self.vendor(export.vendor_id)
        if existing is not None:
            if self.same_vendor(existing, name=export.name):
                return WriteResult(erp_id=existing.vendor_id, linked_existing=True)
            raise ErpError("vendor_id_exists", vendor=export.vendor_id)
        vendor = _translated(
            vendor_create,
            vendor=export.vendor_id,
            name=export.name,
            vendor_type=export.vendor_type or "Subcontractor",
            address_1=export.address,
            city=export.city,
            state=export.state,
            zip_code=export.zip,
            telephone=export.telephone,
            fax_number=export.fax,
            idempotency_key=idempotency_key,
        )
        return WriteResult(erp_id=vendor.vendor)


class Sage300Connector(_Sage300Writes):
    name = "Sage 300 CRE"
    limits = SAGE_LIMITS

    @sage_request("read_standard_cost_codes")
    def standard_cost_codes(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[StandardCostCodeRecord]:
        page = selectors.standard_cost_codes_page(after=cursor, limit=limit)
        records = [
            StandardCostCodeRecord(code=row.cost_code, description=row.description, is_summary=row.group_cost_code)
            for row in page.rows
        ]
        return Page(records=records, next_cursor=_next(page.next_after))

    @sage_request("read_standard_categories")
    def cost_types(self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE) -> Page[CostTypeRecord]:
        page = selectors.standard_categories_page(after=cursor, limit=limit)
        records = [
            CostTypeRecord(code=row.category, description=row.description, accumulate_as=row.accumulate_as)
            for row in page.rows
        ]
        return Page(records=records, next_cursor=_next(page.next_after))

    @sage_request("read_vendors")
    def vendors(self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE) -> Page[VendorRecord]:
        page = selectors.vendors_page(after=cursor, limit=limit)
        return Page(records=[_vendor_record(row) for row in page.rows], next_cursor=_next(page.next_after))

    @sage_request("read_vendor_insurance")
    def vendor_insurance(
        self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[VendorInsuranceRecord]:
        page = selectors.vendor_insurance_page(after=_row_cursor(cursor), limit=limit)
        return Page(records=[_insurance_record(row) for row in page.rows], next_cursor=_next(page.next_after))

    @sage_request("read_jobs")
    def jobs(self, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE) -> Page[JobRecord]:
        page = selectors.jobs_page(after=cursor, limit=limit)
        return Page(records=[_job_record(row) for row in page.rows], next_cursor=_next(page.next_after))

    @sage_request("read_extras")
    def extras(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[ExtraRecord]:
        page = selectors.extras_page(job=job_id, after=_row_cursor(cursor), limit=limit)
        records = [ExtraRecord(job_id=row.job_id, extra=row.extra, description=row.description) for row in page.rows]
        return Page(records=records, next_cursor=_next(page.next_after))

    @sage_request("read_job_cost_codes")
    def job_cost_codes(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[JobCostCodeRecord]:
        page = selectors.job_cost_codes_page(job=job_id, after=_row_cursor(cursor), limit=limit)
        return Page(records=[_job_cost_code_record(row) for row in page.rows], next_cursor=_next(page.next_after))
