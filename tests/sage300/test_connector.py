"""The connector's reads: neutral records, opaque cursors, one Sage request per page."""

import datetime
from decimal import Decimal

import pytest

from apps.erp.connector import get_connector
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.records import (
    CostTypeRecord,
    ExtraRecord,
    JobCostCodeRecord,
    JobExport,
    JobRecord,
    StandardCostCodeRecord,
    VendorInsuranceRecord,
    VendorRecord,
)
from apps.sage300 import services
from apps.sage300.connector import CATALOGUE_CODES, SAGE_LIMITS, Sage300Connector, as_erp_error
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop, injected_faults, request_counts_flush
from apps.sage300.import_files import CostCodeImportRecord


@pytest.fixture
def connector() -> Sage300Connector:
    return Sage300Connector()


def test_the_configured_connector_is_sages_with_its_limits():
    # when
    connector = get_connector()

    # then
    assert isinstance(connector, Sage300Connector)
    assert connector.limits is SAGE_LIMITS
    assert connector.limits.of(JobExport)["name"].max_length == 30


def test_standard_lists_read_as_neutral_records(standard_lists, connector):
    # when
    codes = connector.standard_cost_codes(limit=2)
    rest = connector.standard_cost_codes(cursor=codes.next_cursor, limit=2)
    cost_types = connector.cost_types()

    # then
    assert (codes.records, codes.next_cursor) == (
        [
            StandardCostCodeRecord(code="01-000", description="General conditions", is_summary=True),
            StandardCostCodeRecord(code="01-100", description="Supervision", is_summary=False),
        ],
        "01-100",
    )
    assert (rest.records, rest.next_cursor) == ([StandardCostCodeRecord("03-300", "Concrete", False)], None)
    assert codes.high_water is not None  # the newest change stamp read: where the next incremental read starts
    assert cost_types.records[0] == CostTypeRecord(code="L", description="Labor", accumulate_as="Labor")


def test_vendors_read_with_their_insurance(vendor, connector):
    # given
    with at_sage_desktop():
        services.vendor_insurance_set(
            vendor="ACME",
            insurance_type="General Liability",
            policy_number="GL-1",
            insurance_company="Lone Star Mutual",
            limit="1000000",
            effective_date=datetime.date(2025, 1, 1),
            expiration_date=datetime.date(2025, 12, 31),
        )

    # when
    page = connector.vendors()
    insurance = connector.vendor_insurance()

    # then
    expected_insurance = VendorInsuranceRecord(
        vendor_id="ACME",
        insurance_type="General Liability",
        policy_number="GL-1",
        insurance_company="Lone Star Mutual",
        limit=Decimal("1000000.00"),
        effective_date=datetime.date(2025, 1, 1),
        expiration_date=datetime.date(2025, 12, 31),
    )
    assert page.records == [
        VendorRecord(
            vendor_id="ACME",
            name="Acme Concrete",
            address="",
            city="Austin",
            state="TX",
            zip="78701",
            telephone="",
            fax="",
            inactive=False,
            vendor_type="Subcontractor",
            insurance=(expected_insurance,),
        )
    ]
    assert (insurance.records, insurance.next_cursor) == ([expected_insurance], None)


def test_jobs_extras_and_job_cost_codes_read_as_neutral_records(job, connector):
    # given
    with at_sage_desktop():
        services.extra_create(
            job="24-101", extra="1", description="Phase 1", records=[CostCodeImportRecord(job="", cost_code="03-300")]
        )
        services.job_close(job="24-101")

    # when
    jobs = connector.jobs()
    extras = connector.extras(job_id="24-101")
    first = connector.job_cost_codes(job_id="24-101", limit=3)
    rest = connector.job_cost_codes(job_id="24-101", cursor=first.next_cursor, limit=3)

    # then
    assert jobs.records == [
        JobRecord(
            job_id="24-101",
            name="Main Street Clinic",
            address="",
            city="Austin",
            state="TX",
            zip="78701",
            status="Closed",
            is_closed=True,
            uses_extras=True,
        )
    ]
    assert extras.records == [ExtraRecord(job_id="24-101", extra="1", description="Phase 1")]
    assert [(r.extra, r.code, r.category_codes, r.is_summary) for r in first.records] == [
        ("", "01-000", (), True),
        ("", "01-100", ("L",), False),
        ("", "03-300", ("M", "S"), False),
    ]
    assert rest.records == [
        JobCostCodeRecord(job_id="24-101", extra="1", code="03-300", description="", category_codes=())
    ]
    assert rest.next_cursor is None


def test_each_page_read_is_one_sage_request(standard_lists, connector):
    # when
    connector.standard_cost_codes(limit=1)
    connector.cost_types()

    # then
    assert request_counts_flush() == 2


def test_reads_meet_injected_faults_and_the_rate_limit_as_catalogue_errors(standard_lists, connector):
    # when
    with injected_faults(failure_rate=1):
        with pytest.raises(ErpError) as timeout:
            connector.jobs()
    with injected_faults(failure_rate=0, hourly_request_limit=0):
        with pytest.raises(ErpError) as limited:
            connector.jobs()

    # then
    assert (timeout.value.code, timeout.value.message, timeout.value.retryable) == (
        "timeout",
        "The Import operation took longer than the set timeout.",
        True,
    )
    assert (limited.value.code, limited.value.retryable) == ("rate_limited", True)
    assert limited.value.message == (
        "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until your limit resets."
    )


def test_a_row_cursor_that_is_not_a_row_id_is_refused(connector):
    # when
    with pytest.raises(ErpError) as error:
        connector.extras(cursor="V02")

    # then
    assert (error.value.code, error.value.message) == ("invalid_format", "[Cursor] has an invalid value: V02.")


def test_every_translated_code_is_in_the_hubs_catalogue():
    assert set(CATALOGUE_CODES.values()) - set(CATALOGUE) == set()


@pytest.mark.parametrize(
    ("sage_error", "catalogue_code"),
    [
        (SageError("not_in_where_clause", entity="Category"), "category_not_on_job"),
        (SageError("not_in_where_clause", entity="CostCode"), "invalid_format"),
        (SageError("too_long", label="AddressCity", max_length=15), "city_too_long"),
        (SageError("too_long", label="Vendor", max_length=10), "field_too_long"),
        (SageError("job_closed"), "job_closed"),
        (SageError("job_code_exists"), "job_code_exists"),
    ],
    ids=lambda value: getattr(value, "code", value),
)
def test_sage_refusals_keep_their_wording_in_the_catalogue_error(sage_error, catalogue_code):
    # when
    error = as_erp_error(sage_error)

    # then
    assert (error.code, error.message, error.retryable) == (catalogue_code, sage_error.message, sage_error.retryable)
