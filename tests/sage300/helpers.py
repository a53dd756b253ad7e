"""Helpers for the embedded Sage's tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.sage300.company import get_company
from apps.sage300.errors import SageError
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.models import (
    Category,
    CostCode,
    Extra,
    GLPeriod,
    JCBatch,
    JCTransaction,
    Job,
    SageCompany,
    StandardCategory,
    StandardCostCode,
    Vendor,
    VendorInsurance,
)

SAGE_TABLES = (
    StandardCostCode,
    StandardCategory,
    Job,
    Extra,
    CostCode,
    Category,
    Vendor,
    VendorInsurance,
    GLPeriod,
    JCBatch,
    JCTransaction,
    SageCompany,
)


def sage_state() -> dict[str, list[dict]]:
    """Every row of every Sage table (except the request counter), to prove a refusal changed nothing."""
    return {model._meta.db_table: list(model.objects.order_by("pk").values()) for model in SAGE_TABLES}


def job_records(job: str = "24-101", **job_fields) -> list:
    """A job import: one job, a summary code, two cost codes and three categories."""
    return [
        JobImportRecord(job=job, description=job_fields.pop("description", "Main Street Clinic"), **job_fields),
        CostCodeImportRecord(job=job, cost_code="01-000", description="General conditions"),
        CostCodeImportRecord(job=job, cost_code="01-100", description="Supervision"),
        CostCodeImportRecord(job=job, cost_code="03-300", description="Concrete"),
        CategoryImportRecord(job=job, cost_code="01-100", category="L", original_estimate=Decimal("12000.00")),
        CategoryImportRecord(job=job, cost_code="03-300", category="M", original_estimate=Decimal("5000.00")),
        CategoryImportRecord(job=job, cost_code="03-300", category="S", original_estimate=Decimal("40000.00")),
    ]


def refused(call, **kwargs):
    """Call a service expecting Sage's refusal; assert that nothing changed and return the ``SageError``."""
    get_company()  # the company row appears on the first request; it is not a change the refusal made
    before = sage_state()
    with pytest.raises(SageError) as error:
        call(**kwargs)
    assert sage_state() == before
    return error.value
