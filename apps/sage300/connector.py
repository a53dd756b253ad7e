"""The Sage 300 CRE connector: Trestle's side of the hh2-style bridge to the embedded Sage.

Hub code reaches Sage only through this class (via ``apps.erp.connector.get_connector``). Each
read is one request to Sage — counted against the hourly limit and exposed to injected faults
(``apps.sage300.faults``) — and answers with neutral records (``apps.erp.records``), a page at
a time. Cursors are opaque strings; pass ``next_cursor`` back unchanged. Sage's refusals leave
the connector as ``ErpError``s of the hub's catalogue, still in Sage's exact words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from apps.erp.records import (
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
from apps.sage300.models import CostCode, Job, JobStatus, Vendor, VendorInsurance

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


def as_erp_error(error: SageError) -> ErpError:
    """The catalogue's error for a Sage refusal, keeping Sage's wording and retryability."""
    if error.code == "not_in_where_clause" and "[Category]" in error.message:
        code = "category_not_on_job"
    else:
        code = CATALOGUE_CODES.get(error.code, "invalid_format")
    return ErpError(code, message=error.message, retryable=error.retryable, detail=error.message, field=error.field)


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
        insurance=tuple(_insurance_record(insurance) for insurance in vendor.insurance.all()),
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


class Sage300Connector:
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
