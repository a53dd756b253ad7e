"""Keyset pages: ordered, complete, and a fixed number of queries whatever the page size."""

import pytest

from apps.sage300 import selectors, services
from apps.sage300.faults import at_sage_desktop
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord


def read_all(page_function, **kwargs) -> list:
    rows, after = [], None
    while True:
        page = page_function(after=after, **kwargs)
        rows += page.rows
        if page.next_after is None:
            return rows
        after = page.next_after


@pytest.fixture
def vendors():
    with at_sage_desktop():
        for number in range(7):
            services.vendor_create(vendor=f"V{number:02d}", name=f"Vendor {number}")
            services.vendor_insurance_set(vendor=f"V{number:02d}", insurance_type="Umbrella")
            services.vendor_insurance_set(vendor=f"V{number:02d}", insurance_type="Automobile")


def test_vendor_pages_are_ordered_by_id_and_end_without_an_empty_page(vendors):
    # when
    first = selectors.vendors_page(limit=3)
    second = selectors.vendors_page(after=first.next_after, limit=3)
    last = selectors.vendors_page(after=second.next_after, limit=3)

    # then
    assert [v.vendor for v in first.rows] == ["V00", "V01", "V02"]
    assert (first.next_after, second.next_after) == ("V02", "V05")
    assert ([v.vendor for v in last.rows], last.next_after) == (["V06"], None)


def test_an_exactly_full_last_page_has_no_next_key(vendors):
    # when
    page = selectors.vendors_page(limit=7)

    # then
    assert (len(page.rows), page.next_after) == (7, None)


def test_a_vendor_page_brings_its_insurance_in_one_more_query(vendors, sage_queries):
    # when
    with sage_queries(2):
        page = selectors.vendors_page(limit=5)
        insurance = [[i.insurance_type for i in vendor.insurance_rows] for vendor in page.rows]

    # then
    assert insurance == [["Automobile", "Umbrella"]] * 5


def test_active_only_leaves_inactive_vendors_out(vendors):
    # given
    with at_sage_desktop():
        services.vendor_inactivate(vendor="V01")

    # when
    page = selectors.vendors_page(active_only=True)

    # then
    assert "V01" not in [vendor.vendor for vendor in page.rows]
    assert len(page.rows) == 6


def test_vendor_insurance_pages_by_row(vendors):
    # when
    rows = read_all(selectors.vendor_insurance_page, limit=4)

    # then
    assert len(rows) == 14
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)


def test_standard_lists_page_by_code(standard_lists):
    # when
    codes = read_all(selectors.standard_cost_codes_page, limit=2)
    categories = read_all(selectors.standard_categories_page, limit=2)

    # then
    assert [row.cost_code for row in codes] == ["01-000", "01-100", "03-300"]
    assert [row.category for row in categories] == ["L", "M", "S"]


@pytest.fixture
def two_jobs(standard_lists):
    with at_sage_desktop():
        for job in ("24-102", "24-101"):
            services.job_import(
                records=[
                    JobImportRecord(job=job, description=f"Job {job}"),
                    CostCodeImportRecord(job=job, cost_code="01-100"),
                    CostCodeImportRecord(job=job, cost_code="03-300"),
                    CategoryImportRecord(job=job, cost_code="01-100", category="S"),
                    CategoryImportRecord(job=job, cost_code="01-100", category="L"),
                ]
            )
        services.extra_create(job="24-101", extra="2", records=[CostCodeImportRecord(job="24-101", cost_code="01-100")])
        services.extra_create(job="24-101", extra="1")
        services.job_close(job="24-102")


def test_jobs_page_by_job_id_and_filters_by_status(two_jobs):
    # when
    all_jobs = read_all(selectors.jobs_page, limit=1)
    closed = selectors.jobs_page(status="Closed")

    # then
    assert [job.job for job in all_jobs] == ["24-101", "24-102"]
    assert [job.job for job in closed.rows] == ["24-102"]


def test_extras_page_for_one_job(two_jobs):
    # when
    page = selectors.extras_page(job="24-101")

    # then
    assert [(extra.job_id, extra.extra) for extra in page.rows] == [("24-101", "2"), ("24-101", "1")]


def test_job_cost_codes_page_with_extras_and_categories_in_two_queries(two_jobs, sage_queries):
    # when
    with sage_queries(2):
        page = selectors.job_cost_codes_page(job="24-101", limit=10)
        rows = [
            (row.extra.extra if row.extra_id else "", row.cost_code, [c.category for c in row.categories.all()])
            for row in page.rows
        ]

    # then
    assert rows == [("", "01-100", ["L", "S"]), ("", "03-300", []), ("2", "01-100", [])]


def test_job_cost_codes_page_across_jobs_is_complete(two_jobs):
    # when
    rows = read_all(selectors.job_cost_codes_page, limit=2)

    # then
    assert len(rows) == 5


def test_a_page_size_outside_the_bounds_is_a_programming_error():
    # when
    with pytest.raises(ValueError) as error:
        selectors.jobs_page(limit=0)

    # then
    assert str(error.value) == "limit must be between 1 and 5000, not 0."
