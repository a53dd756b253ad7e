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
import re
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


@dataclass(frozen=True)
class FieldLimit:
    """A limit the ERP imposes on one field of a record, with the ERP's own label for it.

    ``max_length`` is inclusive. ``pattern`` (a regular expression the value must contain a match of)
    and ``rule`` (that rule in words, for a person) describe the characters the ERP needs, e.g. a
    Sage Job ID needs at least one letter or digit.
    """

    max_length: int
    erp_label: str
    pattern: str = ""
    rule: str = ""

    def message(self) -> str:
        # Sage's wording: "[Name] is too long, maximum length is 30 characters."
        return f"[{self.erp_label}] is too long, maximum length is {self.max_length} characters."

    def problem(self, value: object) -> str | None:
        """The ERP's message for ``value``, or None when it fits."""
        if value is None:
            return None
        value = str(value)
        if len(value) > self.max_length:
            return self.message()
        if value and self.pattern and not re.search(self.pattern, value):
            # Sage's wording for a value it cannot take, then what it needs.
            return f"[{self.erp_label}] has an invalid value: {value}. {self.rule}".strip()
        return None

    def explained(self, value: object, what: str) -> str | None:
        """The problem said for a person filling in a form ("Sage 300 CRE holds at most 4 characters for a
        state; …"), then the ERP's own message. ``what`` names the field ("state", "ERP Company ID")."""
        problem = self.problem(value)
        if problem is None:
            return None
        article = "an" if what[:1].lower() in "aeiou" else "a"
        if len(str(value)) > self.max_length:
            return (f"Sage 300 CRE holds at most {self.max_length} characters for {article} {what}; shorten it. "
                    f"Sage says: {problem}")
        return f"Sage 300 CRE cannot take this {what}. Sage says: {problem}"


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
            message = limit.problem(values.get(name))
            if message:
                problems[name] = message
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

    def job_estimates(
        self, *, job_id: str | None = None, cursor: str | None = None, limit: int = 500
    ) -> Page[EstimateRecord]:
        """The posted estimate of every job cost line (of one job, or of all): budget import and reconcile."""
        ...

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

    # Job Cost entries for one job, into the ERP's unposted batch, all or none. Each is found again by
    # ``find_written`` under (job, ``record.reference``); a second write of one reference is refused with a
    # catalogue code that ``means_exists`` (``transaction_reference_exists``). ``WriteResult.data`` holds the
    # batch and the number of entries written.
    def add_original_estimate(self, record: OriginalEstimateExport, *, idempotency_key: str) -> WriteResult: ...

    def add_estimate_changes(self, record: EstimateChangeExport, *, idempotency_key: str) -> WriteResult: ...

    def add_cost_forecast(self, record: ForecastExport, *, idempotency_key: str) -> WriteResult: ...

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
