"""Neutral records that cross the ERP boundary (DESIGN §4).

An ERP connector reads its own tables and answers with these; hub code maps them onto its own
models. Nothing here knows which ERP is on the other side. Codes are the ERP's as shown to its
users (e.g. Sage's punctuated cost code ``01-100``); money is ``Decimal``.

Export records (``JobExport``, ``VendorExport`` …) are what one step of an export writes. Each
names the connector method that writes it (``write_method``) and, where the ERP takes many in one
request (an import file of many jobs or vendors), the method that does (``write_many_method``); an
export attempt stores its steps' records as JSON (``record_to_json``), so that every try of the
attempt sends the same request.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Generic, TypeVar

Record = TypeVar("Record")


@dataclass(frozen=True)
class Page(Generic[Record]):
    """One page of a dataset; pass ``next_cursor`` back to read the next, ``None`` after the last.

    ``high_water`` is the newest change stamp among the page's records and ``as_of`` the ERP's clock
    when the page was read: the next incremental run reads what changed after the older of the two
    (less a margin), so a change stamped before a read but committed after it is not lost.
    """

    records: list[Record]
    next_cursor: str | None
    high_water: datetime.datetime | None = None
    as_of: datetime.datetime | None = None


@dataclass(frozen=True)
class CompanyRecord:
    """Who is on the other side: the ERP company Trestle is connected to."""

    name: str
    product: str
    version: str


@dataclass(frozen=True)
class StandardCostCodeRecord:
    code: str
    description: str
    is_summary: bool = False


@dataclass(frozen=True)
class CostTypeRecord:
    """A standard cost type (Sage: standard category)."""

    code: str
    description: str
    accumulate_as: str = ""


@dataclass(frozen=True)
class VendorInsuranceRecord:
    vendor_id: str
    insurance_type: str
    policy_number: str
    insurance_company: str
    limit: Decimal
    effective_date: datetime.date | None
    expiration_date: datetime.date | None


@dataclass(frozen=True)
class VendorRecord:
    vendor_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    telephone: str
    fax: str
    inactive: bool
    vendor_type: str
    address_2: str = ""
    insurance: tuple[VendorInsuranceRecord, ...] = field(default=())


@dataclass(frozen=True)
class JobRecord:
    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    status: str
    address_2: str = ""
    is_closed: bool = False
    uses_extras: bool = False


@dataclass(frozen=True)
class ExtraRecord:
    """A sub job (Sage: extra) of a job."""

    job_id: str
    extra: str
    description: str


@dataclass(frozen=True)
class JobCostCodeRecord:
    """A cost code on a job (or on one of its extras) with the cost types (categories) it carries."""

    job_id: str
    extra: str  # "" when the cost code belongs to the job itself
    code: str
    description: str
    category_codes: tuple[str, ...]
    is_summary: bool = False


@dataclass(frozen=True)
class EstimateRecord:
    """The estimate of one job cost line (job / extra / cost code / cost type) as the ERP holds it: what was
    posted, never what waits unposted. Amounts only — units are not synced (R69).

    ``original_estimate`` is what a budget import takes (R65, R66); ``approved_changes`` (budget changes
    posted), ``revised_estimate`` (their sum with the original) and the two forecast amounts (Sage's
    misc worksheet 1 and 2 totals, R81) are what reconcile compares with Trestle's budget.
    """

    job_id: str
    extra: str  # "" for the job's own cost codes
    cost_code: str
    category: str
    original_estimate: Decimal
    approved_changes: Decimal
    revised_estimate: Decimal
    estimated_cost_at_completion: Decimal
    forecast_to_complete: Decimal


# --- writes: what one step of an export sends -------------------------------------------------


@dataclass(frozen=True)
class JobExport:
    """A job with its cost codes and categories: the three record types of a Job Cost import (R44)."""

    write_method: ClassVar[str] = "create_job"
    write_many_method: ClassVar[str] = "create_jobs"

    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    cost_codes: tuple[JobCostCodeRecord, ...] = ()


@dataclass(frozen=True)
class ExtraExport:
    """An extra (sub job) on an existing job."""

    write_method: ClassVar[str] = "create_extra"

    job_id: str
    extra: str
    description: str


@dataclass(frozen=True)
class JobCostCodesExport:
    """Cost codes and categories that a job (or one of its extras) must carry; those already there are kept."""

    write_method: ClassVar[str] = "add_job_cost_codes"

    job_id: str
    extra: str
    cost_codes: tuple[JobCostCodeRecord, ...]


@dataclass(frozen=True)
class VendorExport:
    write_method: ClassVar[str] = "create_vendor"
    write_many_method: ClassVar[str] = "create_vendors"

    vendor_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    telephone: str
    fax: str
    vendor_type: str = ""


# Job Cost entries: a budget's original estimate, a budget change, a cost forecast. Each export record is one
# request that writes entries for one job, stamped with ``reference``: the document fills it with a value that is
# unique for that write and the same on every try (e.g. "budget-12:original"), and the ERP keeps it on every
# entry, which is how ``find_written`` finds the write again. Entries wait in the ERP's unposted batch until an
# accountant posts them; only then do the estimate totals (``EstimateRecord``) move.


@dataclass(frozen=True)
class EstimateLine:
    """One job cost line of an estimate write; ``amount`` is signed (a transfer's From line is negative)."""

    extra: str
    cost_code: str
    category: str
    amount: Decimal


@dataclass(frozen=True)
class OriginalEstimateExport:
    """A budget's original amounts (Sage: Original estimate entries), amounts only (R65, R69). Posting adds each
    line's amount to the line's original estimate."""

    write_method: ClassVar[str] = "add_original_estimate"

    job_id: str
    reference: str
    transaction_date: datetime.date
    lines: tuple[EstimateLine, ...]
    description: str = ""


@dataclass(frozen=True)
class EstimateChangeExport:
    """A budget change (Sage: Approved estimate change entries, R74–R76): the job header the Budget
    Modifications import file carries, and the From/To lines (signed; zero sum is typical, not required, R77).
    ``transaction_date`` is the export date. Posting adds each amount to the line's approved changes."""

    write_method: ClassVar[str] = "add_estimate_changes"

    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    reference: str
    transaction_date: datetime.date
    lines: tuple[EstimateLine, ...]
    description: str = ""
    change_reference: str = ""  # the change's own number, for people (Sage: Chg Mgt Ref 1)


@dataclass(frozen=True)
class ForecastLine:
    """One budget line's cost forecast (R80, R81)."""

    extra: str
    cost_code: str
    category: str
    estimated_cost_at_completion: Decimal
    forecast_to_complete: Decimal


@dataclass(frozen=True)
class ForecastExport:
    """A budget's cost forecast (Sage: Misc worksheet 1 "Estimated Cost at Complete" and 2 "Forecast to
    Complete" per line, R81). Posting replaces the line's forecast amounts with these."""

    write_method: ClassVar[str] = "add_cost_forecast"

    job_id: str
    reference: str
    transaction_date: datetime.date
    lines: tuple[ForecastLine, ...]


EXPORT_RECORDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (JobExport, ExtraExport, JobCostCodesExport, VendorExport, OriginalEstimateExport,
                EstimateChangeExport, ForecastExport)
}


@dataclass(frozen=True)
class WriteResult:
    """The ERP's answer to a write: the record's id, and whether an identical record was linked instead."""

    erp_id: str
    linked_existing: bool = False
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """What the ERP holds under an export record's identity (its natural id, or a stamped reference).

    ``same`` says whether it is that very record (same identity and content, e.g. a vendor's name);
    when it is not, ``conflict`` is the catalogue code of the clash ("job_id_exists" …).
    """

    erp_id: str
    same: bool
    conflict: str = ""
    data: dict = field(default_factory=dict)


# --- records as JSON (an export attempt keeps its requests) -------------------------------------


def record_to_json(record) -> dict:
    """A plain dict of an export record, tagged with its type, that ``record_from_json`` turns back."""
    return {"type": type(record).__name__, "fields": _plain(record)}


def record_from_json(data: dict):
    cls = EXPORT_RECORDS[data["type"]]
    return _build(cls, data["fields"])


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _build(cls, values: dict):
    hints = typing.get_type_hints(cls)
    kwargs = {f.name: _value(hints[f.name], values[f.name]) for f in dataclasses.fields(cls) if f.name in values}
    return cls(**kwargs)


def _value(hint, value):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_value(item, element) for element in value)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value)
    if hint is Decimal:
        return Decimal(value)
    if hint is datetime.date:
        return datetime.date.fromisoformat(value)
    if hint is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    return value
