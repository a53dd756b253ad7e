"""The ERP connector contract: what every connector must do, written once and run against each connector.

A connector's test module subclasses ``ConnectorContract`` (as ``Test<Connector>``) and provides two
fixtures:

``connector``
    The connector under test.

``erp``
    The ERP's own side: the accountant at the ERP's desktop. It puts the ERP into a known state without
    going through the connector and without counting requests. It answers to:

    ``add_standard_cost_code(code, description)``, ``add_category(code, description)``
        A standard cost code / a standard cost type (category).
    ``add_vendor(vendor_id, name, **fields)``
        ``fields`` are ``VendorExport``'s (address, city, state, zip, telephone, fax).
    ``add_vendor_insurance(vendor_id, policy_number)``
        One insurance policy of a type the ERP knows.
    ``add_job(job_id, name, cost_codes=())``, ``add_extra(job_id, extra, description, cost_codes=())``
        ``cost_codes`` are ``JobCostCodeRecord``s (code, description, category codes).
    ``delete_job(job_id)``, ``close_job(job_id)``, ``inactivate_vendor(vendor_id)``
    ``touch_vendor(vendor_id, **changes)``
        A change that moves the vendor's change stamp; returns the new stamp.
    ``touch_vendors(vendor_ids, **changes)``
        One bulk change: every vendor gets the same change stamp, which it returns.
    ``post_entries()``
        The accountant posts the ERP's unposted Job Cost entries (Sage: Post Entries); only then do estimate
        totals move.
    ``close_period(year, month)``
        The accountant closes the general ledger period of that month.
    ``request_count()``
        Requests to the ERP counted so far ("one request" checks look at its difference).
    ``down()``
        A context manager under which every request times out before anything is written.
    ``answer_lost()``
        A context manager under which every request is carried out but its answer is lost (a timeout).
    ``limit_reached()``
        A context manager under which every request meets the ERP's request limit.

At the start of every test the ERP holds the standard lists ``CATEGORIES`` and ``COST_CODES`` and no jobs,
extras or vendors. This module knows no ERP: it speaks only the neutral records of ``apps.erp.records``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from apps.erp.connector import ConnectorLimits, ErpConnector, FieldLimit
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.records import (
    CompanyRecord,
    CostTypeRecord,
    EstimateChangeExport,
    EstimateLine,
    EstimateRecord,
    ExtraExport,
    ExtraRecord,
    ForecastExport,
    ForecastLine,
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

# What the ``erp`` fixture holds when a test starts.
CATEGORIES = (("L", "Labor"), ("M", "Material"), ("S", "Subcontract"))
COST_CODES = (("01-000", "General conditions"), ("01-100", "Supervision"), ("03-300", "Concrete"))

# Before every change stamp the ERP can hold.
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
TOO_LONG_CODES = {"name_too_long", "city_too_long", "zip_too_long", "field_too_long"}
MAX_PAGES = 200

JOBS = (("24-101", "Main Street Clinic"), ("24-102", "Oak Park Library"), ("24-103", "River Road Bridge"))
VENDORS = (("ACME", "Acme Concrete, Inc."), ("BRIGHT", "Brightline Electric"), ("CASCADE", "Cascade Plumbing LLC"))


# --- records the suite writes -------------------------------------------------------------------


def cost_code(job_id: str, code: str, description: str, categories: tuple[str, ...] = (), *, extra: str = ""):
    return JobCostCodeRecord(job_id=job_id, extra=extra, code=code, description=description, category_codes=categories)


def job_export(job_id: str = "25-101", name: str = "Contract Street Clinic", **fields) -> JobExport:
    values = {
        "address": "100 Main St",
        "city": "Austin",
        "state": "TX",
        "zip": "78701",
        "cost_codes": (
            cost_code(job_id, "01-100", "Supervision", ("L",)),
            cost_code(job_id, "03-300", "Concrete", ("M", "S")),
        ),
        **fields,
    }
    return JobExport(job_id=job_id, name=name, **values)


def vendor_export(vendor_id: str = "NORTH", name: str = "Northwind Electric, Inc.", **fields) -> VendorExport:
    values = {"address": "5 Elm St", "city": "Dallas", "state": "TX", "zip": "75201", "telephone": "214-555-0100",
              "fax": "214-555-0101", **fields}
    return VendorExport(vendor_id=vendor_id, name=name, **values)


def write(connector, record, *, key: str = "contract-key"):
    """Send an export record through the connector method that writes it."""
    return getattr(connector, record.write_method)(record, idempotency_key=key)


# --- reading -----------------------------------------------------------------------------------------


def read_pages(read: Callable[..., Page], **kwargs) -> list[Page]:
    """Every page of a read, from the first to the one whose ``next_cursor`` is None."""
    pages, cursor = [], None
    while True:
        page = read(cursor=cursor, **kwargs)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        assert len(pages) < MAX_PAGES, "the read never ends"
        cursor = page.next_cursor


def read_records(read: Callable[..., Page], **kwargs) -> list:
    return [record for page in read_pages(read, **kwargs) for record in page.records]


def high_water(read: Callable[..., Page]) -> datetime.datetime:
    """The newest change stamp of a dataset: where an incremental read that has seen everything stands."""
    stamps = [page.high_water for page in read_pages(read, changed_since=EPOCH) if page.high_water is not None]
    assert stamps, "an incremental read of a dataset that has records reports their high water"
    return max(stamps)


def everything(connector) -> dict[str, list]:
    """All the connector reads, to prove that a refused or failed write changed nothing."""
    return {dataset.name: read_records(getattr(connector, dataset.method)) for dataset in DATASETS}


def vendor_fields(record: VendorRecord | VendorExport) -> tuple:
    return (record.vendor_id, record.name, record.address, record.city, record.state, record.zip, record.telephone,
            record.fax)


def job_fields(record: JobRecord | JobExport) -> tuple:
    return record.job_id, record.name, record.address, record.city, record.state, record.zip


def cost_code_fields(record: JobCostCodeRecord) -> tuple:
    return record.job_id, record.extra, record.code, record.description, tuple(sorted(record.category_codes))


# --- the paged datasets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """One paged read: what to put in the ERP, how to read it, and what identifies one of its records."""

    name: str
    method: str
    record_type: type
    given: Callable[[Any], set]  # fills the ERP; the keys a full read must visit
    key: Callable[[Any], Hashable]
    arguments: tuple = ()  # fixed keyword arguments of the read, e.g. (("job_id", "24-101"),)

    def read(self, connector) -> Callable[..., Page]:
        method = getattr(connector, self.method)
        return lambda **kwargs: method(**dict(self.arguments), **kwargs)

    def __str__(self) -> str:
        return self.name


def _given_standard_cost_codes(erp) -> set:
    erp.add_standard_cost_code("05-100", "Structural steel")
    return {code for code, _ in COST_CODES} | {"05-100"}


def _given_cost_types(erp) -> set:
    erp.add_category("E", "Equipment")
    return {code for code, _ in CATEGORIES} | {"E"}


def _given_vendors(erp) -> set:
    for vendor_id, name in VENDORS:
        erp.add_vendor(vendor_id, name)
    return {vendor_id for vendor_id, _ in VENDORS}


def _given_vendor_insurance(erp) -> set:
    _given_vendors(erp)
    for vendor_id, _ in VENDORS:
        erp.add_vendor_insurance(vendor_id, f"GL-{vendor_id}")
    return {(vendor_id, f"GL-{vendor_id}") for vendor_id, _ in VENDORS}


def _given_jobs(erp) -> set:
    for job_id, name in JOBS:
        erp.add_job(job_id, name)
    return {job_id for job_id, _ in JOBS}


def _given_extras(erp) -> set:
    erp.add_job("24-101", "Main Street Clinic")
    erp.add_job("24-102", "Oak Park Library")
    for extra, description in (("A", "Phase A"), ("B", "Phase B"), ("C", "Phase C")):
        erp.add_extra("24-101", extra, description)
    erp.add_extra("24-102", "Z", "Another job's phase")  # not read: the read is of job 24-101
    return {("24-101", extra) for extra in "ABC"}


def _given_job_cost_codes(erp) -> set:
    erp.add_job("24-101", "Main Street Clinic", cost_codes=(
        cost_code("24-101", "01-000", "General conditions"),
        cost_code("24-101", "01-100", "Supervision", ("L",)),
        cost_code("24-101", "03-300", "Concrete", ("M", "S")),
    ))
    erp.add_extra("24-101", "A", "Phase A", cost_codes=(cost_code("24-101", "03-300", "Concrete", ("M",), extra="A"),))
    erp.add_job("24-102", "Oak Park Library", cost_codes=(cost_code("24-102", "01-100", "Supervision", ("L",)),))
    return {("24-101", "", "01-000"), ("24-101", "", "01-100"), ("24-101", "", "03-300"), ("24-101", "A", "03-300")}


def _given_job_estimates(erp) -> set:
    _given_job_cost_codes(erp)
    return {("24-101", "", "01-100", "L"), ("24-101", "", "03-300", "M"), ("24-101", "", "03-300", "S"),
            ("24-101", "A", "03-300", "M")}


DATASETS = (
    Dataset("standard_cost_codes", "standard_cost_codes", StandardCostCodeRecord, _given_standard_cost_codes,
            key=lambda r: r.code),
    Dataset("cost_types", "cost_types", CostTypeRecord, _given_cost_types, key=lambda r: r.code),
    Dataset("vendors", "vendors", VendorRecord, _given_vendors, key=lambda r: r.vendor_id),
    Dataset("vendor_insurance", "vendor_insurance", VendorInsuranceRecord, _given_vendor_insurance,
            key=lambda r: (r.vendor_id, r.policy_number)),
    Dataset("jobs", "jobs", JobRecord, _given_jobs, key=lambda r: r.job_id),
    Dataset("extras", "extras", ExtraRecord, _given_extras, key=lambda r: (r.job_id, r.extra),
            arguments=(("job_id", "24-101"),)),
    Dataset("job_cost_codes", "job_cost_codes", JobCostCodeRecord, _given_job_cost_codes,
            key=lambda r: (r.job_id, r.extra, r.code), arguments=(("job_id", "24-101"),)),
    Dataset("job_estimates", "job_estimates", EstimateRecord, _given_job_estimates,
            key=lambda r: (r.job_id, r.extra, r.cost_code, r.category), arguments=(("job_id", "24-101"),)),
)


# --- the writes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One write: what the ERP must already hold, and the export record sent."""

    name: str
    given: Callable[[Any], None]
    record: object

    def __str__(self) -> str:
        return self.name


def _nothing(erp) -> None:
    return None


def _a_job(erp) -> None:
    erp.add_job("25-101", "Contract Street Clinic", cost_codes=(cost_code("25-101", "01-100", "Supervision", ("L",)),))


EXPORT_DAY = datetime.date(2026, 3, 14)


def original_estimate(amount: str = "1200.00", *, reference: str = "contract:budget", category: str = "L",
                      **fields) -> OriginalEstimateExport:
    values = {"transaction_date": EXPORT_DAY, "description": "Original budget",
              "lines": (EstimateLine(extra="", cost_code="01-100", category=category, amount=Decimal(amount)),),
              **fields}
    return OriginalEstimateExport(job_id="25-101", reference=reference, **values)


def estimate_change(*amounts: str, reference: str = "contract:change-1", **fields) -> EstimateChangeExport:
    """A budget change on job 25-101: its header (the job as exported) and one line per amount on 01-100 L."""
    values = {"name": "Contract Street Clinic", "address": "100 Main St", "city": "Austin", "state": "TX",
              "zip": "78701", "transaction_date": EXPORT_DAY, "change_reference": "BC-001",
              "lines": tuple(EstimateLine(extra="", cost_code="01-100", category="L", amount=Decimal(amount))
                             for amount in (amounts or ("250.00",))),
              **fields}
    return EstimateChangeExport(job_id="25-101", reference=reference, **values)


def cost_forecast(ecac: str = "1500.00", ftc: str = "900.00", *, reference: str = "contract:forecast-1",
                  **fields) -> ForecastExport:
    values = {"transaction_date": EXPORT_DAY,
              "lines": (ForecastLine(extra="", cost_code="01-100", category="L",
                                     estimated_cost_at_completion=Decimal(ecac), forecast_to_complete=Decimal(ftc)),),
              **fields}
    return ForecastExport(job_id="25-101", reference=reference, **values)


WRITES = (
    Write("create_job", _nothing, job_export()),
    Write("add_original_estimate", _a_job, original_estimate()),
    Write("add_estimate_changes", _a_job, estimate_change()),
    Write("add_cost_forecast", _a_job, cost_forecast()),
    Write("create_extra", _a_job, ExtraExport(job_id="25-101", extra="A", description="Phase A")),
    Write("add_job_cost_codes", _a_job, JobCostCodesExport(
        job_id="25-101", extra="", cost_codes=(cost_code("25-101", "03-300", "Concrete", ("M", "S")),),
    )),
    Write("create_vendor", _nothing, vendor_export()),
)

# Free-text fields whose declared limit the ERP itself enforces: (record type, field, what must hold first).
NAME_FIELDS = (
    (JobExport, "name", _nothing),
    (VendorExport, "name", _nothing),
    (ExtraExport, "description", _a_job),
)


def _record_with(record_type: type, field: str, value: str):
    record = {JobExport: job_export(), VendorExport: vendor_export(),
              ExtraExport: ExtraExport(job_id="25-101", extra="A", description="Phase A")}[record_type]
    return dataclasses.replace(record, **{field: value})


def assert_catalogue_error(error: ErpError, code: str | None = None) -> None:
    assert error.code in CATALOGUE
    if code is not None:
        assert error.code == code


def assert_found(found, *, same: bool, conflict: str | None = None) -> None:
    assert isinstance(found, Found)
    assert isinstance(found.erp_id, str) and found.erp_id
    assert found.same is same
    assert found.conflict == "" or found.conflict in CATALOGUE
    if conflict is not None:
        assert found.conflict == conflict


class ConnectorContract:
    """The checks every ERP connector passes. Subclasses provide the ``connector`` and ``erp`` fixtures."""

    @pytest.fixture(autouse=True)
    def _known_state(self, erp):
        """Every check starts from the ERP the ``erp`` fixture sets up (the standard lists, nothing else)."""
        return erp

    # --- who it is -----------------------------------------------------------------------------------

    def test_it_is_an_erp_connector(self, connector):
        assert isinstance(connector, ErpConnector)

    def test_it_has_a_name(self, connector):
        assert isinstance(connector.name, str)
        assert connector.name.strip()

    def test_company_is_who_is_on_the_other_side(self, connector):
        # when
        company = connector.company()

        # then
        assert isinstance(company, CompanyRecord)
        assert all(isinstance(value, str) for value in (company.name, company.product, company.version))
        assert company.name

    # --- limits --------------------------------------------------------------------------------------

    def test_it_declares_limits_for_the_records_it_writes_and_reads(self, connector):
        # then
        assert isinstance(connector.limits, ConnectorLimits)
        for record_type in (JobExport, ExtraExport, VendorExport, StandardCostCodeRecord, CostTypeRecord):
            limits = connector.limits.of(record_type)
            assert limits, f"no limits for {record_type.__name__}"
            assert set(limits) <= {field.name for field in dataclasses.fields(record_type)}
            assert all(isinstance(limit, FieldLimit) and limit.max_length > 0 and limit.erp_label
                       for limit in limits.values())

    @pytest.mark.parametrize("record_type", [JobExport, ExtraExport, VendorExport, StandardCostCodeRecord,
                                             CostTypeRecord], ids=lambda t: t.__name__)
    def test_violations_report_one_over_a_limit_and_accept_one_at_it(self, connector, record_type):
        for field, limit in connector.limits.of(record_type).items():
            # when
            over = connector.limits.violations(record_type, {field: "x" * (limit.max_length + 1)})
            at = connector.limits.violations(record_type, {field: "x" * limit.max_length})

            # then
            assert over == {field: limit.message()}
            assert at == {}

    @pytest.mark.parametrize(("record_type", "field", "given"), NAME_FIELDS,
                             ids=[f"{t.__name__}.{f}" for t, f, _ in NAME_FIELDS])
    def test_a_name_exactly_at_its_declared_limit_is_written(self, connector, erp, record_type, field, given):
        # given
        given(erp)
        limit = connector.limits.of(record_type)[field].max_length
        record = _record_with(record_type, field, "N" * limit)

        # when
        write(connector, record)

        # then
        assert_found(connector.find_written([record])[0], same=True)

    @pytest.mark.parametrize(("record_type", "field", "given"), NAME_FIELDS,
                             ids=[f"{t.__name__}.{f}" for t, f, _ in NAME_FIELDS])
    def test_a_name_one_over_its_declared_limit_is_refused_and_changes_nothing(
        self, connector, erp, record_type, field, given
    ):
        # given
        given(erp)
        limit = connector.limits.of(record_type)[field].max_length
        record = _record_with(record_type, field, "N" * (limit + 1))
        before = everything(connector)

        # when
        with pytest.raises(ErpError) as error:
            write(connector, record)

        # then
        assert error.value.code in TOO_LONG_CODES
        assert everything(connector) == before

    def test_a_too_long_job_name_is_refused_as_name_too_long(self, connector):
        # given
        record = job_export(name="N" * (connector.limits.of(JobExport)["name"].max_length + 1))

        # when
        with pytest.raises(ErpError) as error:
            connector.create_job(record, idempotency_key="too-long")

        # then
        assert error.value.code in {"name_too_long", "field_too_long"}
        assert connector.find_written([record]) == [None]

    # --- paged reads -------------------------------------------------------------------------------------

    def test_the_standard_lists_read_as_set_up(self, connector, erp):
        # when
        cost_types = read_records(connector.cost_types)
        cost_codes = read_records(connector.standard_cost_codes)

        # then
        assert sorted((r.code, r.description) for r in cost_types) == sorted(CATEGORIES)
        assert sorted((r.code, r.description) for r in cost_codes) == sorted(COST_CODES)

    @pytest.mark.parametrize("dataset", DATASETS, ids=str)
    def test_a_read_is_a_page_of_its_record_type(self, connector, erp, dataset):
        # given
        dataset.given(erp)

        # when
        page = dataset.read(connector)()

        # then
        assert isinstance(page, Page)
        assert page.records
        assert all(type(record) is dataset.record_type for record in page.records)
        assert page.next_cursor is None

    @pytest.mark.parametrize("dataset", DATASETS, ids=str)
    def test_paging_visits_every_record_once_in_a_stable_order(self, connector, erp, dataset):
        # given
        keys = dataset.given(erp)
        whole = [dataset.key(record) for record in dataset.read(connector)().records]

        # when
        by_one = read_pages(dataset.read(connector), limit=1)
        by_two = read_pages(dataset.read(connector), limit=2)

        # then
        assert sorted(whole) == sorted(keys)
        assert [dataset.key(r) for page in by_one for r in page.records] == whole
        assert [dataset.key(r) for page in by_two for r in page.records] == whole
        assert all(len(page.records) <= 1 for page in by_one)
        assert all(len(page.records) <= 2 for page in by_two)
        assert by_one[-1].next_cursor is None and by_two[-1].next_cursor is None

    @pytest.mark.parametrize("dataset", DATASETS, ids=str)
    def test_each_page_is_one_request(self, connector, erp, dataset):
        # given
        dataset.given(erp)
        read = dataset.read(connector)
        cursor, counts = None, []

        # when
        while True:
            before = erp.request_count()
            page = read(cursor=cursor, limit=1)
            counts.append(erp.request_count() - before)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor

        # then
        assert len(counts) >= 3
        assert counts == [1] * len(counts)

    # --- incremental reads ---------------------------------------------------------------------------------

    def test_an_incremental_read_from_before_every_change_reads_everything(self, connector, erp):
        # given
        keys = _given_vendors(erp)

        # when
        records = read_records(connector.vendors, changed_since=EPOCH)

        # then
        assert sorted(r.vendor_id for r in records) == sorted(keys)

    def test_an_incremental_read_returns_exactly_the_changed_vendor(self, connector, erp):
        # given
        _given_vendors(erp)
        since = high_water(connector.vendors)
        stamp = erp.touch_vendor("BRIGHT", city="Houston")

        # when
        page = connector.vendors(changed_since=since)

        # then
        assert [(r.vendor_id, r.city) for r in page.records] == [("BRIGHT", "Houston")]
        assert page.next_cursor is None
        assert page.high_water is not None
        assert page.high_water >= stamp > since

    def test_an_incremental_read_after_every_change_returns_nothing(self, connector, erp):
        # given
        _given_vendors(erp)
        erp.touch_vendor("BRIGHT", city="Houston")
        since = high_water(connector.vendors)

        # when
        page = connector.vendors(changed_since=since)

        # then
        assert (page.records, page.next_cursor) == ([], None)

    def test_incremental_paging_visits_each_changed_vendor_once_even_when_stamped_alike(self, connector, erp):
        # given
        _given_vendors(erp)
        erp.add_vendor("DELTA", "Delta Drywall")
        erp.add_vendor("EAGLE", "Eagle Glass")
        since = high_water(connector.vendors)
        bulk = erp.touch_vendors(["BRIGHT", "CASCADE", "DELTA"], city="Waco")  # one stamp for all three
        last = erp.touch_vendor("ACME", city="Austin")

        # when
        pages = read_pages(connector.vendors, changed_since=since, limit=1)

        # then
        visited = [r.vendor_id for page in pages for r in page.records]
        assert sorted(visited) == ["ACME", "BRIGHT", "CASCADE", "DELTA"]
        assert len(visited) == 4
        assert max(page.high_water for page in pages if page.high_water is not None) >= last > bulk > since

    def test_incremental_paging_over_equal_stamps_is_one_request_a_page(self, connector, erp):
        # given
        _given_vendors(erp)
        since = high_water(connector.vendors)
        erp.touch_vendors(["ACME", "BRIGHT", "CASCADE"], city="Waco")
        cursor, counts, visited = None, [], []

        # when
        while True:
            before = erp.request_count()
            page = connector.vendors(changed_since=since, cursor=cursor, limit=1)
            counts.append(erp.request_count() - before)
            visited += [r.vendor_id for r in page.records]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor

        # then
        assert sorted(visited) == ["ACME", "BRIGHT", "CASCADE"]
        assert len(visited) == 3
        assert counts == [1] * len(counts)

    def test_inactivating_a_vendor_is_a_change(self, connector, erp):
        # given
        _given_vendors(erp)
        since = high_water(connector.vendors)
        erp.inactivate_vendor("CASCADE")

        # when
        page = connector.vendors(changed_since=since)

        # then
        assert [(r.vendor_id, r.inactive) for r in page.records] == [("CASCADE", True)]

    def test_closing_a_job_is_a_change(self, connector, erp):
        # given
        _given_jobs(erp)
        since = high_water(connector.jobs)
        erp.close_job("24-102")

        # when
        page = connector.jobs(changed_since=since)

        # then
        assert [(r.job_id, r.is_closed) for r in page.records] == [("24-102", True)]

    def test_an_incremental_read_of_extras_returns_the_new_extra(self, connector, erp):
        # given
        _given_extras(erp)
        since = high_water(connector.extras)
        erp.add_extra("24-101", "D", "Phase D")

        # when
        page = connector.extras(changed_since=since)

        # then
        assert page.records == [ExtraRecord(job_id="24-101", extra="D", description="Phase D")]

    def test_an_incremental_read_of_standard_cost_codes_returns_the_new_code(self, connector, erp):
        # given
        since = high_water(connector.standard_cost_codes)
        erp.add_standard_cost_code("05-100", "Structural steel")

        # when
        page = connector.standard_cost_codes(changed_since=since)

        # then
        assert [(r.code, r.description) for r in page.records] == [("05-100", "Structural steel")]

    # --- writes ---------------------------------------------------------------------------------------------

    def test_create_job_makes_the_job_readable_with_its_fields(self, connector):
        # given
        record = job_export()

        # when
        result = connector.create_job(record, idempotency_key="job-1")

        # then
        assert isinstance(result, WriteResult)
        assert (result.erp_id, result.linked_existing) == ("25-101", False)
        assert [job_fields(r) for r in read_records(connector.jobs)] == [job_fields(record)]

    def test_create_job_writes_its_cost_codes_and_categories(self, connector):
        # when
        connector.create_job(job_export(), idempotency_key="job-1")

        # then
        assert [cost_code_fields(r) for r in read_records(connector.job_cost_codes, job_id="25-101")] == [
            ("25-101", "", "01-100", "Supervision", ("L",)),
            ("25-101", "", "03-300", "Concrete", ("M", "S")),
        ]

    def test_create_extra_makes_the_extra_readable(self, connector, erp):
        # given
        _a_job(erp)

        # when
        result = connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Phase A"),
                                        idempotency_key="extra-1")

        # then
        assert (result.erp_id, result.linked_existing) == ("A", False)
        assert read_records(connector.extras, job_id="25-101") == [
            ExtraRecord(job_id="25-101", extra="A", description="Phase A")
        ]

    def test_add_job_cost_codes_on_a_new_extra(self, connector, erp):
        # given
        _a_job(erp)
        connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Phase A"), idempotency_key="x")
        record = JobCostCodesExport(job_id="25-101", extra="A",
                                    cost_codes=(cost_code("25-101", "03-300", "Concrete", ("M", "S"), extra="A"),))

        # when
        result = connector.add_job_cost_codes(record, idempotency_key="codes-1")

        # then
        assert isinstance(result, WriteResult)
        assert [cost_code_fields(r) for r in read_records(connector.job_cost_codes, job_id="25-101")] == [
            ("25-101", "", "01-100", "Supervision", ("L",)),
            ("25-101", "A", "03-300", "Concrete", ("M", "S")),
        ]

    def test_add_job_cost_codes_again_writes_nothing_new(self, connector, erp):
        # given
        _a_job(erp)
        record = JobCostCodesExport(job_id="25-101", extra="",
                                    cost_codes=(cost_code("25-101", "03-300", "Concrete", ("M",)),))
        connector.add_job_cost_codes(record, idempotency_key="codes-1")
        before = read_records(connector.job_cost_codes, job_id="25-101")

        # when
        result = connector.add_job_cost_codes(record, idempotency_key="codes-1")

        # then
        assert isinstance(result, WriteResult)
        assert read_records(connector.job_cost_codes, job_id="25-101") == before

    def test_add_job_cost_codes_keeps_what_is_there_and_adds_what_is_missing(self, connector, erp):
        # given
        _a_job(erp)  # 01-100 with L
        record = JobCostCodesExport(job_id="25-101", extra="", cost_codes=(
            cost_code("25-101", "01-100", "Supervision", ("L", "M")),
            cost_code("25-101", "03-300", "Concrete", ("S",)),
        ))

        # when
        connector.add_job_cost_codes(record, idempotency_key="codes-1")

        # then
        assert [cost_code_fields(r) for r in read_records(connector.job_cost_codes, job_id="25-101")] == [
            ("25-101", "", "01-100", "Supervision", ("L", "M")),
            ("25-101", "", "03-300", "Concrete", ("S",)),
        ]

    def test_create_vendor_makes_the_vendor_readable(self, connector):
        # given
        record = vendor_export()

        # when
        result = connector.create_vendor(record, idempotency_key="vendor-1")

        # then
        assert (result.erp_id, result.linked_existing) == ("NORTH", False)
        vendors = read_records(connector.vendors)
        assert [vendor_fields(r) for r in vendors] == [vendor_fields(record)]
        assert vendors[0].inactive is False

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_each_write_is_one_request(self, connector, erp, case):
        # given
        case.given(erp)
        before = erp.request_count()

        # when
        write(connector, case.record)

        # then
        assert erp.request_count() - before == 1

    # --- evidence of writes: find_written ---------------------------------------------------------------------

    def test_find_written_is_one_request_for_records_of_every_type(self, connector, erp):
        # given
        _a_job(erp)
        records = [case.record for case in WRITES]
        before = erp.request_count()

        # when
        answers = connector.find_written(records)

        # then
        assert erp.request_count() - before == 1
        assert len(answers) == len(records)

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_find_written_answers_none_for_a_record_the_erp_does_not_hold(self, connector, erp, case):
        # given
        case.given(erp)

        # when
        answers = connector.find_written([case.record])

        # then
        assert answers == [None]

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_find_written_finds_the_record_just_written(self, connector, erp, case):
        # given
        case.given(erp)
        write(connector, case.record)

        # when
        [found] = connector.find_written([case.record])

        # then
        assert_found(found, same=True)

    def test_find_written_answers_each_record_in_order(self, connector, erp):
        # given
        _a_job(erp)
        connector.create_vendor(vendor_export(), idempotency_key="vendor-1")
        records = [job_export("25-999"), vendor_export(), ExtraExport(job_id="25-101", extra="Q", description="Q")]

        # when
        missing, vendor, extra = connector.find_written(records)

        # then
        assert (missing, extra) == (None, None)
        assert_found(vendor, same=True)

    def test_find_written_reports_a_job_id_used_by_another_job(self, connector, erp):
        # given
        erp.add_job("25-101", "Somebody Else's Job")

        # when
        [found] = connector.find_written([job_export("25-101")])

        # then
        assert_found(found, same=False, conflict="job_id_exists")

    def test_find_written_reports_a_job_id_that_differs_only_by_punctuation(self, connector, erp):
        # given
        erp.add_job("24-101", "Main Street Clinic")

        # when
        [found] = connector.find_written([job_export("24101", name="Main Street Clinic")])

        # then
        assert_found(found, same=False, conflict="job_code_exists")

    def test_find_written_reports_a_vendor_id_used_by_another_vendor(self, connector, erp):
        # given
        erp.add_vendor("NORTH", "Northern Lights Landscaping")

        # when
        [found] = connector.find_written([vendor_export("NORTH")])

        # then
        assert_found(found, same=False, conflict="vendor_id_exists")

    def test_find_written_reports_an_extra_used_with_another_description(self, connector, erp):
        # given
        _a_job(erp)
        erp.add_extra("25-101", "A", "Parking garage")

        # when
        [found] = connector.find_written([ExtraExport(job_id="25-101", extra="A", description="Phase A")])

        # then
        assert_found(found, same=False, conflict="extra_id_exists")

    @pytest.mark.parametrize("name", ["NORTHWIND ELECTRIC", "northwind electric inc", "Northwind Electric LLC",
                                      "Northwind Electric, Inc."])
    def test_find_written_takes_a_vendor_name_differing_by_case_or_suffix_as_the_same(self, connector, erp, name):
        # given
        erp.add_vendor("NORTH", "Northwind Electric, Inc.")

        # when
        [found] = connector.find_written([vendor_export("NORTH", name=name)])

        # then
        assert_found(found, same=True)

    def test_find_written_job_cost_codes_are_none_until_every_code_and_category_is_on_the_job(self, connector, erp):
        # given
        erp.add_job("25-101", "Contract Street Clinic", cost_codes=(cost_code("25-101", "01-100", "Supervision", ("L",)),))
        record = JobCostCodesExport(job_id="25-101", extra="", cost_codes=(
            cost_code("25-101", "01-100", "Supervision", ("L", "M")),
            cost_code("25-101", "03-300", "Concrete", ("S",)),
        ))
        before = connector.find_written([record])

        # when
        connector.add_job_cost_codes(record, idempotency_key="codes-1")

        # then
        assert before == [None]
        assert_found(connector.find_written([record])[0], same=True)

    def test_find_written_job_cost_codes_are_none_while_one_category_is_missing(self, connector, erp):
        # given
        erp.add_job("25-101", "Contract Street Clinic", cost_codes=(
            cost_code("25-101", "01-100", "Supervision", ("L",)),
            cost_code("25-101", "03-300", "Concrete", ("S",)),
        ))
        record = JobCostCodesExport(job_id="25-101", extra="", cost_codes=(
            cost_code("25-101", "01-100", "Supervision", ("L",)),
            cost_code("25-101", "03-300", "Concrete", ("M", "S")),
        ))

        # when
        answers = connector.find_written([record])

        # then
        assert answers == [None]

    def test_find_written_answers_none_for_a_deleted_job(self, connector, erp):
        # given
        erp.add_job("25-101", "Contract Street Clinic", cost_codes=(cost_code("25-101", "01-100", "Supervision", ("L",)),))
        erp.delete_job("25-101")

        # when
        answers = connector.find_written([job_export("25-101", name="Contract Street Clinic")])

        # then
        assert answers == [None]
        assert read_records(connector.jobs) == []

    # --- identity -------------------------------------------------------------------------------------------------

    def test_identity_ignores_job_id_punctuation(self, connector):
        assert connector.identity(job_export("24-101")) == connector.identity(job_export("24101", name="Other"))

    def test_identity_differs_for_different_jobs(self, connector):
        assert connector.identity(job_export("24-101")) != connector.identity(job_export("24-102"))

    def test_identity_differs_across_record_types(self, connector):
        # given
        records = [job_export("100"), vendor_export("100"), ExtraExport(job_id="100", extra="100", description=""),
                   JobCostCodesExport(job_id="100", extra="100", cost_codes=())]

        # then
        assert len({connector.identity(record) for record in records}) == len(records)

    def test_identity_and_vendor_names_make_no_request(self, connector, erp):
        # given
        before = erp.request_count()

        # when
        connector.identity(job_export())
        connector.identity(vendor_export())
        connector.same_vendor_name("Acme Concrete, Inc.", "ACME CONCRETE")

        # then
        assert erp.request_count() == before

    @pytest.mark.parametrize(("first", "second"), [
        (job_export("24-101"), job_export("24101", name="Another Clinic")),
        (job_export("AB-1"), job_export("ab-1", name="Another Clinic")),
        (vendor_export("ACME"), vendor_export("acme", name="Another Acme")),
        (ExtraExport(job_id="25-101", extra="A", description="Phase A"),
         ExtraExport(job_id="25-101", extra="a", description="Another phase")),
    ], ids=["job-punctuation", "job-case", "vendor-case", "extra-case"])
    def test_two_records_of_one_identity_cannot_both_be_written(self, connector, erp, first, second):
        """The identity is the ERP's own: when it says two records are one, the ERP holds only one of them."""
        if connector.identity(first) != connector.identity(second):
            return  # two identities: nothing to check
        # given
        if isinstance(first, ExtraExport):
            _a_job(erp)
        write(connector, first)

        # when
        [found] = connector.find_written([second])
        try:
            write(connector, second, key="second")
        except ErpError as error:
            refused_as_existing = CATALOGUE[error.code].means_exists
        else:
            refused_as_existing = False

        # then: the ERP holds something under the second record's identity, and refuses to write it
        assert (found is not None, refused_as_existing) == (True, True)
        assert_found(found, same=False)

    def test_vendor_names_differing_by_case_and_suffix_are_one_vendor(self, connector):
        assert connector.same_vendor_name("Acme Concrete, Inc.", "ACME CONCRETE LLC")
        assert not connector.same_vendor_name("Acme Concrete, Inc.", "Acme Drywall, Inc.")

    # --- refusals ---------------------------------------------------------------------------------------------------

    def test_creating_an_existing_job_id_is_refused_as_existing(self, connector):
        # given
        connector.create_job(job_export("25-101"), idempotency_key="job-1")

        # when
        with pytest.raises(ErpError) as error:
            connector.create_job(job_export("25-101", name="Another Clinic"), idempotency_key="job-2")

        # then
        assert CATALOGUE[error.value.code].means_exists
        assert [r.name for r in read_records(connector.jobs)] == ["Contract Street Clinic"]

    def test_creating_an_existing_vendor_id_is_refused_as_existing(self, connector):
        # given
        connector.create_vendor(vendor_export("NORTH"), idempotency_key="vendor-1")

        # when
        with pytest.raises(ErpError) as error:
            connector.create_vendor(vendor_export("NORTH", name="Northern Lights"), idempotency_key="vendor-2")

        # then
        assert CATALOGUE[error.value.code].means_exists
        assert [r.name for r in read_records(connector.vendors)] == ["Northwind Electric, Inc."]

    def test_creating_an_existing_extra_is_refused_as_existing(self, connector, erp):
        # given
        _a_job(erp)
        connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Phase A"), idempotency_key="x-1")

        # when
        with pytest.raises(ErpError) as error:
            connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Other"), idempotency_key="x-2")

        # then
        assert CATALOGUE[error.value.code].means_exists

    def test_an_extra_on_a_closed_job_is_refused_job_closed(self, connector, erp):
        # given
        _a_job(erp)
        erp.close_job("25-101")

        # when
        with pytest.raises(ErpError) as error:
            connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Phase A"), idempotency_key="x")

        # then
        assert_catalogue_error(error.value, "job_closed")
        assert read_records(connector.extras, job_id="25-101") == []

    def test_cost_codes_on_a_closed_job_are_refused_job_closed(self, connector, erp):
        # given
        _a_job(erp)
        erp.close_job("25-101")
        record = JobCostCodesExport(job_id="25-101", extra="", cost_codes=(cost_code("25-101", "03-300", "Concrete",
                                                                                    ("M",)),))

        # when
        with pytest.raises(ErpError) as error:
            connector.add_job_cost_codes(record, idempotency_key="codes-1")

        # then
        assert_catalogue_error(error.value, "job_closed")
        assert connector.find_written([record]) == [None]

    def test_an_extra_on_a_job_the_erp_does_not_hold_is_refused(self, connector, erp):
        # given
        _a_job(erp)
        erp.delete_job("25-101")

        # when
        with pytest.raises(ErpError) as error:
            connector.create_extra(ExtraExport(job_id="25-101", extra="A", description="Phase A"), idempotency_key="x")

        # then
        assert_catalogue_error(error.value)
        assert error.value.transient is False
        assert CATALOGUE[error.value.code].means_exists is False

    # --- the ERP unreachable -------------------------------------------------------------------------------------------

    @pytest.mark.parametrize("dataset", DATASETS, ids=str)
    def test_reads_time_out_while_the_erp_is_down(self, connector, erp, dataset):
        # given
        dataset.given(erp)

        # when
        with erp.down(), pytest.raises(ErpError) as error:
            dataset.read(connector)()

        # then
        assert_catalogue_error(error.value, "timeout")
        assert error.value.transient is True

    def test_find_written_times_out_while_the_erp_is_down(self, connector, erp):
        # when
        with erp.down(), pytest.raises(ErpError) as error:
            connector.find_written([job_export()])

        # then
        assert_catalogue_error(error.value, "timeout")
        assert error.value.transient is True

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_a_write_that_times_out_before_writing_changes_nothing(self, connector, erp, case):
        # given
        case.given(erp)
        before = everything(connector)

        # when
        with erp.down(), pytest.raises(ErpError) as error:
            write(connector, case.record)

        # then
        assert_catalogue_error(error.value, "timeout")
        assert error.value.transient is True
        assert everything(connector) == before
        assert connector.find_written([case.record]) == [None]

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_a_write_whose_answer_was_lost_is_found_written(self, connector, erp, case):
        # given
        case.given(erp)

        # when
        with erp.answer_lost(), pytest.raises(ErpError) as error:
            write(connector, case.record)

        # then
        assert_catalogue_error(error.value, "timeout")
        assert error.value.transient is True
        assert_found(connector.find_written([case.record])[0], same=True)

    @pytest.mark.parametrize("case", WRITES, ids=str)
    def test_retrying_a_write_whose_answer_was_lost_writes_nothing_twice(self, connector, erp, case):
        # given
        case.given(erp)
        with erp.answer_lost(), pytest.raises(ErpError):
            write(connector, case.record)
        after_first = everything(connector)

        # when
        try:
            result = write(connector, case.record, key="contract-key")
        except ErpError as error:
            refusal, result = error, None
        else:
            refusal = None

        # then
        assert (refusal is None and isinstance(result, WriteResult)) or CATALOGUE[refusal.code].means_exists
        assert everything(connector) == after_first

    def test_requests_over_the_limit_are_refused_rate_limited(self, connector, erp):
        # when
        with erp.limit_reached(), pytest.raises(ErpError) as error:
            connector.jobs()

        # then
        assert_catalogue_error(error.value, "rate_limited")
        assert error.value.transient is True

    # --- many records in one request ---------------------------------------------------------------------------

    @pytest.mark.parametrize("method, make", [("create_jobs", job_export), ("create_vendors", vendor_export)],
                             ids=["jobs", "vendors"])
    def test_a_write_of_many_is_one_request_with_an_answer_for_each_record(self, connector, erp, method, make):
        # given: three new records and one whose id the ERP already holds with other content
        first = make()
        write(connector, first)
        ids = ("26-201", "26-202", "26-203") if method == "create_jobs" else ("MANY1", "MANY2", "MANY3")
        field = "job_id" if method == "create_jobs" else "vendor_id"
        records = [make(**{field: id_}) for id_ in ids] + [make(name="Somebody Else Entirely")]
        before = erp.request_count()

        # when
        answers = getattr(connector, method)(records, idempotency_keys=[f"many-{i}" for i in range(len(records))])

        # then: one request; the new ones written, the clash refused on its own as existing
        assert erp.request_count() - before == 1
        assert [answer.erp_id for answer in answers[:3]] == list(ids)
        assert isinstance(answers[3], ErpError) and CATALOGUE[answers[3].code].means_exists
        assert all(found is not None and found.same for found in connector.find_written(records[:3]))

    def test_a_write_of_many_that_times_out_before_writing_changes_nothing(self, connector, erp):
        # given
        before = everything(connector)

        # when
        with erp.down(), pytest.raises(ErpError) as error:
            connector.create_vendors([vendor_export(vendor_id="MANY1"), vendor_export(vendor_id="MANY2")],
                                     idempotency_keys=["a", "b"])

        # then
        assert_catalogue_error(error.value, "timeout")
        assert everything(connector) == before

    # --- Job Cost entries: original estimate, budget changes, cost forecast (R65, R68, R69, R74–R77, R81) ------

    @staticmethod
    def estimate_of(connector, job_id: str = "25-101", cost_code: str = "01-100", category: str = "L"):
        [line] = [record for record in read_records(connector.job_estimates, job_id=job_id)
                  if (record.extra, record.cost_code, record.category) == ("", cost_code, category)]
        return line

    def test_entries_move_no_estimate_until_they_are_posted(self, connector, erp):
        # given
        _a_job(erp)
        before = everything(connector)

        # when
        for record in (original_estimate(), estimate_change(), cost_forecast()):
            write(connector, record)

        # then R68: the entries wait for the accountant's posting
        assert everything(connector) == before

    def test_a_posted_original_estimate_is_the_lines_original_and_revised_estimate(self, connector, erp):
        # given
        _a_job(erp)
        write(connector, original_estimate("1234.56"))

        # when
        erp.post_entries()

        # then R65
        line = self.estimate_of(connector)
        assert (line.original_estimate, line.approved_changes, line.revised_estimate) == (
            Decimal("1234.56"), Decimal("0.00"), Decimal("1234.56"))

    def test_posted_budget_changes_are_approved_changes_and_revise_the_estimate(self, connector, erp):
        # given
        _a_job(erp)
        write(connector, original_estimate("1000.00"))
        write(connector, estimate_change("250.10", "-0.10", reference="contract:change-1"))
        write(connector, estimate_change("-50.00", reference="contract:change-2"))

        # when
        erp.post_entries()

        # then R74, R76: a separate bucket from the original estimate
        line = self.estimate_of(connector)
        assert (line.original_estimate, line.approved_changes, line.revised_estimate) == (
            Decimal("1000.00"), Decimal("200.00"), Decimal("1200.00"))

    def test_a_posted_cost_forecast_replaces_the_lines_forecast_amounts(self, connector, erp):
        # given
        _a_job(erp)
        write(connector, cost_forecast("1500.00", "900.00", reference="contract:forecast-1"))
        erp.post_entries()

        # when
        write(connector, cost_forecast("1600.25", "400.00", reference="contract:forecast-2"))
        erp.post_entries()

        # then R81: each export carries the whole forecast
        line = self.estimate_of(connector)
        assert (line.estimated_cost_at_completion, line.forecast_to_complete) == (Decimal("1600.25"), Decimal("400.00"))
        assert line.revised_estimate == Decimal("0.00")

    def test_the_estimates_of_a_job_read_every_line_of_that_job_only(self, connector, erp):
        # given
        expected = _given_job_estimates(erp)

        # when
        records = read_records(connector.job_estimates, job_id="24-101")

        # then
        assert {(r.job_id, r.extra, r.cost_code, r.category) for r in records} == expected
        assert all(isinstance(r.original_estimate, Decimal) for r in records)

    @pytest.mark.parametrize("make", [original_estimate, estimate_change, cost_forecast], ids=lambda f: f.__name__)
    def test_entries_written_are_found_with_their_batch_unposted_then_posted(self, connector, erp, make):
        # given
        _a_job(erp)
        result = write(connector, make())

        # when
        [unposted] = connector.find_written([make()])
        erp.post_entries()
        [posted] = connector.find_written([make()])

        # then
        assert_found(unposted, same=True)
        assert unposted.erp_id == result.erp_id
        assert (unposted.data["posted"], posted.data["posted"]) == (False, True)
        assert unposted.data["batch"] == result.data["batch"]

    @pytest.mark.parametrize(("first", "second"), [
        (original_estimate("100.00"), original_estimate("200.00")),
        (estimate_change("100.00"), estimate_change("-100.00")),
        (cost_forecast("1.00", "2.00"), cost_forecast("1.00", "3.00")),
    ], ids=["original", "change", "forecast"])
    def test_a_reference_holding_other_entries_is_found_not_the_same_and_refused_as_existing(
        self, connector, erp, first, second
    ):
        # given
        _a_job(erp)
        write(connector, first)

        # when
        [found] = connector.find_written([second])
        with pytest.raises(ErpError) as error:
            write(connector, second, key="second")

        # then
        assert_found(found, same=False, conflict="transaction_reference_exists")
        assert CATALOGUE[error.value.code].means_exists

    def test_identity_of_entries_is_the_job_and_the_reference(self, connector):
        assert connector.identity(estimate_change(reference="a")) != connector.identity(estimate_change(reference="b"))
        assert connector.identity(original_estimate(reference="a")) == connector.identity(cost_forecast(reference="a"))

    @pytest.mark.parametrize("make", [original_estimate, estimate_change, cost_forecast], ids=lambda f: f.__name__)
    def test_entries_for_a_category_not_on_the_job_are_refused_category_not_on_job(self, connector, erp, make):
        # given: job 25-101 has 01-100 L only
        _a_job(erp)
        record = make()
        record = dataclasses.replace(record, lines=tuple(dataclasses.replace(line, category="M") for line in record.lines))

        # when
        with pytest.raises(ErpError) as error:
            write(connector, record)

        # then
        assert_catalogue_error(error.value, "category_not_on_job")
        assert connector.find_written([record]) == [None]

    def test_entries_on_a_closed_job_are_refused_job_closed(self, connector, erp):
        # given
        _a_job(erp)
        erp.close_job("25-101")

        # when
        with pytest.raises(ErpError) as error:
            write(connector, estimate_change())

        # then
        assert_catalogue_error(error.value, "job_closed")

    def test_entries_dated_in_a_closed_period_are_refused_jc_period_closed(self, connector, erp):
        # given
        _a_job(erp)
        erp.close_period(EXPORT_DAY.year, EXPORT_DAY.month)

        # when
        with pytest.raises(ErpError) as error:
            write(connector, estimate_change())

        # then
        assert_catalogue_error(error.value, "jc_period_closed")
        assert "GL period closed.  Entry not allowed." in error.value.message
        assert connector.find_written([estimate_change()]) == [None]

    def test_entries_for_a_job_the_erp_does_not_hold_are_refused(self, connector, erp):
        # when
        with pytest.raises(ErpError) as error:
            write(connector, original_estimate())

        # then
        assert_catalogue_error(error.value, "entity_not_found")
