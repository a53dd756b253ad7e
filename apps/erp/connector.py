"""The boundary between Trestle and an ERP: one contract every connector fulfils.

Hub code never imports an ERP's own models; it asks ``get_connector()`` for an object that
satisfies ``ErpConnector``. The Sage 300 CRE connector (``apps.sage300.connector``) is the one
shipped; another ERP is another connector named by ``settings.TRESTLE_ERP_CONNECTOR``. The
contract test suite (``tests/erp/contract.py``) is what a connector must pass.

Every method is one request to the ERP (counted against its request limit) unless it says
otherwise. Reads are paged and resumable; writes take an idempotency key the connector may stamp
where the ERP keeps one; ``find_written`` answers, for many export records in one request, what
the ERP holds under each record's identity — its natural id (job, extra, vendor …) or a stamped
reference — so that a retry links what an earlier try wrote instead of writing it again.
Refusals come back as ``apps.erp.errors.ErpError`` with a catalogue code.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from apps.erp.errors import ErpError
from apps.erp.records import (
    CompanyRecord,
    CostTypeRecord,
    ExtraExport,
    ExtraRecord,
    Found,
    JobCostCodeRecord,
    JobCostCodesExport,
    JobExport,
    JobRecord,
    Page,
    StandardCostCodeRecord,
    VendorExport,
    VendorInsuranceRecord,
    VendorRecord,
    WriteResult,
)


@dataclass(frozen=True)
class FieldLimit:
    """A length limit the ERP imposes on one field of a record, with the ERP's own label for it."""

    max_length: int
    erp_label: str

    def message(self) -> str:
        # Sage's wording: "[Name] is too long, maximum length is 30 characters."
        return f"[{self.erp_label}] is too long, maximum length is {self.max_length} characters."


@dataclass(frozen=True)
class ConnectorLimits:
    """Field limits per neutral record type, keyed by the record's own field names (DESIGN §4).

    Checked at *Send to ERP*, at Accept and when a form or an import is saved, so that a person
    hears about a too-long name before the ERP refuses it.
    """

    by_record: Mapping[type, Mapping[str, FieldLimit]] = field(default_factory=dict)

    def of(self, record_type: type) -> Mapping[str, FieldLimit]:
        return self.by_record.get(record_type, {})

    def violations(self, record_type: type, values: Mapping[str, object]) -> dict[str, str]:
        """Map each field of ``values`` (record field names) that breaks a limit to the ERP's message."""
        problems = {}
        for name, limit in self.of(record_type).items():
            value = values.get(name)
            if value is not None and len(str(value)) > limit.max_length:
                problems[name] = limit.message()
        return problems


@runtime_checkable
class ErpConnector(Protocol):
    """Every member the hub uses. ``tests/erp/contract.py`` checks a connector against it."""

    name: str
    limits: ConnectorLimits

    # --- who is there ----------------------------------------------------------------------
    def company(self) -> CompanyRecord: ...

    # --- reads: paged; ``changed_since`` reads only records changed after that moment ------
    def standard_cost_codes(
        self, *, cursor: str | None = None, limit: int = 500, changed_since: datetime.datetime | None = None
    ) -> Page[StandardCostCodeRecord]: ...

    def cost_types(
        self, *, cursor: str | None = None, limit: int = 500, changed_since: datetime.datetime | None = None
    ) -> Page[CostTypeRecord]: ...

    def vendors(
        self, *, cursor: str | None = None, limit: int = 500, changed_since: datetime.datetime | None = None
    ) -> Page[VendorRecord]: ...

    def vendor_insurance(self, *, cursor: str | None = None, limit: int = 500) -> Page[VendorInsuranceRecord]: ...

    def jobs(
        self, *, cursor: str | None = None, limit: int = 500, changed_since: datetime.datetime | None = None
    ) -> Page[JobRecord]: ...

    def extras(
        self,
        *,
        job_id: str | None = None,
        cursor: str | None = None,
        limit: int = 500,
        changed_since: datetime.datetime | None = None,
    ) -> Page[ExtraRecord]: ...

    def job_cost_codes(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = 500
    ) -> Page[JobCostCodeRecord]: ...

    # --- evidence and identity ---------------------------------------------------------------
    def find_written(self, records: Sequence[object]) -> list[Found | None]:
        """For each export record, what the ERP holds under its identity (one request for all)."""
        ...

    def identity(self, record: object) -> str:
        """The ERP's identity of an export record, as the ERP compares them (no request).

        Two records with one identity cannot both exist in the ERP (Sage: a job id without its
        punctuation, an extra within its job, a vendor id); Trestle reserves it at Accept.
        """
        ...

    def same_vendor_name(self, first: str, second: str) -> bool:
        """Whether two vendor names are the same vendor to the ERP (no request)."""
        ...

    # --- writes --------------------------------------------------------------------------------
    def create_job(self, record: JobExport, *, idempotency_key: str) -> WriteResult: ...

    def create_extra(self, record: ExtraExport, *, idempotency_key: str) -> WriteResult: ...

    def add_job_cost_codes(self, record: JobCostCodesExport, *, idempotency_key: str) -> WriteResult: ...

    def create_vendor(self, record: VendorExport, *, idempotency_key: str) -> WriteResult: ...

    # --- writes of many records in one request: each record's answer, or its own refusal ---------------
    def create_jobs(
        self, records: Sequence[JobExport], *, idempotency_keys: Sequence[str]
    ) -> list[WriteResult | ErpError]: ...

    def create_vendors(
        self, records: Sequence[VendorExport], *, idempotency_keys: Sequence[str]
    ) -> list[WriteResult | ErpError]: ...


@lru_cache(maxsize=1)
def get_connector() -> ErpConnector:
    return import_string(settings.TRESTLE_ERP_CONNECTOR)()
