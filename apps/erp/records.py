"""Neutral records that cross the ERP boundary (DESIGN §4).

An ERP connector reads its own tables and answers with these; hub code maps them onto its own
models. Nothing here knows which ERP is on the other side. Codes are the ERP's as shown to its
users (e.g. Sage's punctuated cost code ``01-100``); money is ``Decimal``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

Record = TypeVar("Record")


@dataclass(frozen=True)
class Page(Generic[Record]):
    """One page of a dataset; pass ``next_cursor`` back to read the next, ``None`` after the last."""

    records: list[Record]
    next_cursor: str | None


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


# --- writes: what Trestle sends, and what the ERP answers --------------------------------------


@dataclass(frozen=True)
class JobExport:
    """A job with its cost codes and categories: the three record types of a Job Cost import (R44)."""

    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    cost_codes: tuple[JobCostCodeRecord, ...] = ()


@dataclass(frozen=True)
class ExtraExport:
    job_id: str
    extra: str
    description: str
    cost_codes: tuple[JobCostCodeRecord, ...] = ()


@dataclass(frozen=True)
class VendorExport:
    vendor_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    telephone: str
    fax: str
    vendor_type: str = ""


@dataclass(frozen=True)
class WriteResult:
    """The ERP's answer to a write: the record's id, and whether an identical record was linked instead."""

    erp_id: str
    linked_existing: bool = False
    data: dict = field(default_factory=dict)
