"""The connector contract (tests/erp/contract.py), run against the Sage 300 CRE connector and the embedded Sage.

The ``erp`` fixture plays the accountant at the Sage desktop (``at_sage_desktop()``: no API requests
counted, no faults) and sets Sage's fault dials for the "down" and "answer lost" cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

pytest.register_assert_rewrite("tests.erp.contract")

from django.utils import timezone  # noqa: E402

from apps.erp.records import JobCostCodeRecord  # noqa: E402
from apps.sage300 import services  # noqa: E402
from apps.sage300.connector import Sage300Connector  # noqa: E402
from apps.sage300.faults import at_sage_desktop, injected_faults, request_counts_flush  # noqa: E402
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord  # noqa: E402
from apps.sage300.models import Category, CostCode, Extra, Job, JobStatus, Vendor  # noqa: E402
from tests.erp.contract import ConnectorContract  # noqa: E402

# Neutral record field → the Sage service's argument.
_VENDOR_ARGUMENTS = {"address": "address_1", "zip": "zip_code", "fax": "fax_number"}


def _vendor_arguments(fields: dict) -> dict:
    return {_VENDOR_ARGUMENTS.get(name, name): value for name, value in fields.items()}


def _structure(job_id: str, cost_codes: Sequence[JobCostCodeRecord], *, job_on_records: bool = True) -> list:
    job = job_id if job_on_records else ""
    records: list = []
    for code in cost_codes:
        records.append(CostCodeImportRecord(job=job, cost_code=code.code, description=code.description))
        records.extend(CategoryImportRecord(job=job, cost_code=code.code, category=category)
                       for category in code.category_codes)
    return records


class SageDesk:
    """The embedded Sage as its accountant sees it: every change made at the desktop, not through the API."""

    def add_standard_cost_code(self, code: str, description: str) -> None:
        with at_sage_desktop():
            services.standard_cost_code_create(cost_code=code, description=description)

    def add_category(self, code: str, description: str) -> None:
        with at_sage_desktop():
            services.standard_category_create(category=code, description=description)

    def add_vendor(self, vendor_id: str, name: str, **fields) -> None:
        with at_sage_desktop():
            services.vendor_create(vendor=vendor_id, name=name, **_vendor_arguments(fields))

    def add_vendor_insurance(self, vendor_id: str, policy_number: str) -> None:
        with at_sage_desktop():
            services.vendor_insurance_set(vendor=vendor_id, insurance_type="General Liability",
                                          policy_number=policy_number, insurance_company="Lone Star Mutual",
                                          limit="1000000")

    def add_job(self, job_id: str, name: str, cost_codes: Sequence[JobCostCodeRecord] = ()) -> None:
        with at_sage_desktop():
            services.job_import(records=[JobImportRecord(job=job_id, description=name), *_structure(job_id, cost_codes)])

    def add_extra(self, job_id: str, extra: str, description: str,
                  cost_codes: Sequence[JobCostCodeRecord] = ()) -> None:
        with at_sage_desktop():
            # Records with a blank extra belong to the new extra.
            services.extra_create(job=job_id, extra=extra, description=description,
                                  records=_structure(job_id, cost_codes))

    def delete_job(self, job_id: str) -> None:
        """Take the job apart as Sage demands (categories, cost codes, extras), then delete it."""
        with at_sage_desktop():
            if Job.objects.get(job=job_id).status == JobStatus.CLOSED:
                services.job_reopen(job=job_id)
            for category in Category.objects.filter(cost_code__job_id=job_id).select_related("cost_code__extra"):
                code = category.cost_code
                services.job_category_delete(job=job_id, cost_code=code.cost_code, category=category.category,
                                             extra=code.extra.extra if code.extra_id else "")
            for code in CostCode.objects.filter(job_id=job_id).select_related("extra"):
                services.job_cost_code_delete(job=job_id, cost_code=code.cost_code,
                                              extra=code.extra.extra if code.extra_id else "")
            for extra in Extra.objects.filter(job_id=job_id):
                services.extra_delete(job=job_id, extra=extra.extra)
            services.job_delete(job=job_id)

    def close_job(self, job_id: str) -> None:
        with at_sage_desktop():
            services.job_close(job=job_id)

    def inactivate_vendor(self, vendor_id: str) -> datetime.datetime:
        with at_sage_desktop():
            return services.vendor_inactivate(vendor=vendor_id).date_stamp

    def touch_vendor(self, vendor_id: str, **changes) -> datetime.datetime:
        with at_sage_desktop():
            return services.vendor_update(vendor=vendor_id, **_vendor_arguments(changes)).date_stamp

    def touch_vendors(self, vendor_ids: Sequence[str], **changes) -> datetime.datetime:
        """One UPDATE statement (the accountant's bulk change): every vendor gets the same stamp."""
        stamp = timezone.now()
        updated = Vendor.objects.filter(vendor__in=vendor_ids).update(date_stamp=stamp, **_vendor_arguments(changes))
        assert updated == len(vendor_ids)
        return stamp

    def post_entries(self) -> None:
        with at_sage_desktop():
            services.jc_batch_post()

    def close_period(self, year: int, month: int) -> None:
        with at_sage_desktop():
            services.gl_periods_ensure(fiscal_year=year)
            services.gl_period_close(fiscal_year=year, period=month)

    def request_count(self) -> int:
        return request_counts_flush()

    @contextmanager
    def down(self) -> Iterator[None]:
        with injected_faults(failure_rate=1, after_commit_share=0):
            yield

    @contextmanager
    def answer_lost(self) -> Iterator[None]:
        with injected_faults(failure_rate=1, after_commit_share=1):
            yield

    @contextmanager
    def limit_reached(self) -> Iterator[None]:
        with injected_faults(failure_rate=0, hourly_request_limit=0):
            yield


class TestSage300Connector(ConnectorContract):
    @pytest.fixture
    def connector(self) -> Sage300Connector:
        return Sage300Connector()

    @pytest.fixture
    def erp(self, db, standard_lists) -> SageDesk:
        """Sage with the standard lists of tests/sage300/conftest.py, which are the contract's."""
        return SageDesk()

