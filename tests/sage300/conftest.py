"""Fixtures for the embedded Sage: a small company with standard lists, a job and a vendor."""

from __future__ import annotations

import pytest
from django.db import connections

from apps.sage300 import services
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import Job, Vendor
from tests.sage300.helpers import job_records


@pytest.fixture
def standard_lists():
    """Standard categories L/M/S and a few standard cost codes, entered at the Sage desktop."""
    with at_sage_desktop():
        for category, description, accumulate_as in (
            ("L", "Labor", "Labor"),
            ("M", "Material", "Material"),
            ("S", "Subcontract", "Subcontract"),
        ):
            services.standard_category_create(category=category, description=description, accumulate_as=accumulate_as)
        for code, description in (("01-000", "General conditions"), ("01-100", "Supervision"), ("03-300", "Concrete")):
            services.standard_cost_code_create(cost_code=code, description=description)


@pytest.fixture
def job(standard_lists) -> Job:
    with at_sage_desktop():
        return services.job_import(records=job_records(city="Austin", state="TX", zip_code="78701"))


@pytest.fixture
def vendor() -> Vendor:
    with at_sage_desktop():
        return services.vendor_create(vendor="ACME", name="Acme Concrete", city="Austin", state="TX", zip_code="78701")


@pytest.fixture
def sage_queries(django_assert_num_queries):
    """``with sage_queries(n):`` asserts the number of queries on the Sage database."""

    def assert_sage_queries(count: int):
        return django_assert_num_queries(count, connection=connections["sage"])

    return assert_sage_queries
