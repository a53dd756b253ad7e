"""The demo company as frozen records, read from fixtures/demo/ at import time (no Django, no database)."""

# The files and their conventions are described in fixtures/demo/README.md. Amounts and unit
# quantities stay Decimal *strings* with two places ("125000.00"); dates become ``datetime.date``.
# Run ``validate()`` (or ``python -m apps.demo.data``) to check the files against the Sage 300 CRE
# field limits and the shape the loader expects.

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo"

# --------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoVendor:
    vendor_id: str
    name: str
    vendor_type: str  # "Subcontractor" | "Supplier" | "Equipment Rental" | "Service"
    address: str
    city: str
    state: str
    zip: str
    telephone: str
    fax: str  # may be "" (no fax line)
    inactive: bool = False


@dataclass(frozen=True)
class DemoHubCompany:
    name: str
    address: str
    city: str
    state: str
    zip: str
    business_phone: str


@dataclass(frozen=True)
class DemoInsurance:
    vendor_id: str
    insurance_type: str  # "General Liability" | "Automobile" | "Umbrella" | "Worker's"
    policy_number: str
    insurance_company: str
    limit: str  # Decimal string
    effective_date: date
    expiration_date: date


@dataclass(frozen=True)
class DemoExtra:
    extra: str
    description: str


@dataclass(frozen=True)
class DemoEstimate:
    category: str  # one of the STANDARD_CATEGORIES codes
    original_estimate: str  # Decimal string, dollars
    original_estimate_units: str  # Decimal string, quantity
    unit_description: str  # e.g. "HRS", "CY", "SF", "LS"; "" when units are 0


@dataclass(frozen=True)
class DemoJobCostCode:
    extra: str  # "" or one of the job's extras
    code: str
    description: str
    categories: tuple[DemoEstimate, ...]


@dataclass(frozen=True)
class DemoJob:
    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    status: str  # "In progress" | "Unstarted"
    billing_method: str  # "Contracts" | "Quickbill"
    billing_level: str  # "Job" | "Division" | "Section" when Quickbill, else ""
    extras: tuple[DemoExtra, ...]
    cost_codes: tuple[DemoJobCostCode, ...]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str  # "company_admin" | "accounting_approver" | "project_manager" | "read_only"


@dataclass(frozen=True)
class DemoProject:
    number: str
    name: str
    address: str
    city: str
    state: str
    zip: str


# --------------------------------------------------------------------------------------
# Reading the files
# --------------------------------------------------------------------------------------


def _names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


def _csv(filename: str, columns: list[str]) -> list[dict[str, str]]:
    """The rows of a fixture CSV whose header must be exactly ``columns``."""
    path = FIXTURES_DIR / filename
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise ValueError(f"{path}: header {reader.fieldnames} is not {columns}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            raise ValueError(f"{path}, line {number}: expected {len(columns)} columns")
    return rows


def _json(filename: str):
    return json.loads((FIXTURES_DIR / filename).read_text(encoding="utf-8"))


def _bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, not {value!r}")
    return value == "true"


def _exact(record: dict, cls) -> dict:
    """``record`` with exactly the fields of ``cls`` (a typo in a fixture must not pass silently)."""
    if sorted(record) != sorted(_names(cls)):
        raise ValueError(f"{cls.__name__}: keys {sorted(record)} are not {sorted(_names(cls))}")
    return record


def _vendor(row: dict[str, str]) -> DemoVendor:
    return DemoVendor(**{**row, "inactive": _bool(row["inactive"])})


def _insurance(row: dict[str, str]) -> DemoInsurance:
    return DemoInsurance(**{
        **row,
        "effective_date": date.fromisoformat(row["effective_date"]),
        "expiration_date": date.fromisoformat(row["expiration_date"]),
    })


def _job(record: dict) -> DemoJob:
    record = _exact(record, DemoJob)
    return DemoJob(**{
        **record,
        "extras": tuple(DemoExtra(**_exact(extra, DemoExtra)) for extra in record["extras"]),
        "cost_codes": tuple(
            DemoJobCostCode(**{
                **_exact(code, DemoJobCostCode),
                "categories": tuple(DemoEstimate(**_exact(est, DemoEstimate)) for est in code["categories"]),
            })
            for code in record["cost_codes"]
        ),
    })


# --------------------------------------------------------------------------------------
# Company (company.json)
# --------------------------------------------------------------------------------------

_COMPANY = _json("company.json")

COMPANY_NAME: str = _COMPANY["company_name"]
FISCAL_YEAR: int = _COMPANY["fiscal_year"]
# FY periods are generated by code; only these (fiscal year, period) pairs are closed.
CLOSED_GL_PERIODS: tuple[tuple[int, int], ...] = tuple(
    (int(year), int(period)) for year, period in _COMPANY["closed_gl_periods"]
)
# The one project-specific cost code (not on the standard list): (job, code, description).
PROJECT_SPECIFIC_COST_CODE: tuple[str, str, str] = tuple(
    _COMPANY["project_specific_cost_code"][key] for key in ("job", "code", "description")
)

# --------------------------------------------------------------------------------------
# Categories and the standard (CSI MasterFormat-style) cost code list
# --------------------------------------------------------------------------------------

# (category, description, accumulate_as)
STANDARD_CATEGORIES: tuple[tuple[str, str, str], ...] = tuple(
    (row["category"], row["description"], row["accumulate_as"])
    for row in _csv("standard_categories.csv", ["category", "description", "accumulate_as"])
)

# (code, description, default_categories). "-000" codes are division summary codes.
STANDARD_COST_CODES: tuple[tuple[str, str, str], ...] = tuple(
    (row["cost_code"], row["description"], row["default_categories"])
    for row in _csv("standard_cost_codes.csv", ["cost_code", "description", "default_categories"])
)

# --------------------------------------------------------------------------------------
# AP vendors, their insurance, and the hub-side directory
# --------------------------------------------------------------------------------------

VENDORS: tuple[DemoVendor, ...] = tuple(_vendor(row) for row in _csv("vendors.csv", _names(DemoVendor)))

# One policy per vendor per type; "today" in the demo is late 2026.
VENDOR_INSURANCE: tuple[DemoInsurance, ...] = tuple(
    _insurance(row) for row in _csv("vendor_insurance.csv", _names(DemoInsurance))
)

# Hub-side directory entries that are NOT Sage vendors: the first three are near matches of
# Sage vendors (for "suggested matches"); the last three exist only in Trestle.
HUB_ONLY_COMPANIES: tuple[DemoHubCompany, ...] = tuple(
    DemoHubCompany(**row) for row in _csv("hub_companies.csv", _names(DemoHubCompany))
)

# (hub company name, Sage vendor id) for the three near matches above.
NEAR_MATCH_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (row["hub_company_name"], row["vendor_id"])
    for row in _csv("near_match_pairs.csv", ["hub_company_name", "vendor_id"])
)

# --------------------------------------------------------------------------------------
# Jobs, with their extras and cost codes with estimates
# --------------------------------------------------------------------------------------

JOBS: tuple[DemoJob, ...] = tuple(_job(record) for record in _json("jobs.json"))

# --------------------------------------------------------------------------------------
# Trestle hub side
# --------------------------------------------------------------------------------------

HUB_USERS: tuple[DemoUser, ...] = tuple(DemoUser(**row) for row in _csv("users.csv", _names(DemoUser)))

# Projects that exist only in Trestle (not yet in Sage); the second one's city is too long for Sage.
HUB_PROJECTS: tuple[DemoProject, ...] = tuple(
    DemoProject(**row) for row in _csv("hub_projects.csv", _names(DemoProject))
)

# Budget lines of the demo projects (a line is skipped when the project has no such cost code / cost type).
BUDGET_LINES: tuple[dict[str, str], ...] = tuple(_csv("budget_lines.csv", [
    "project", "cost_code", "cost_type", "original_budget", "estimated_cost_at_completion", "forecast_to_complete",
    "units", "unit_of_measure",
]))

# --------------------------------------------------------------------------------------
# Self-check. The vocabularies below are what the loader and Sage accept, so they stay in
# code: the files are checked against them, not the other way round.
# --------------------------------------------------------------------------------------

_CODE_RE = re.compile(r"^(\d{2})-(\d{3})$")
_PHONE_RE = re.compile(r"^\(\d{3}\) 555-01\d{2}$")
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
_STATE_RE = re.compile(r"^[A-Z]{2}$")
_VENDOR_ID_RE = re.compile(r"^[A-Z0-9]{1,10}$")
_AMOUNT_RE = re.compile(r"^\d+\.\d{2}$")

REQUIRED_DIVISIONS = (
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
    "12", "14", "21", "22", "23", "26", "27", "28", "31", "32", "33",
)
VENDOR_TYPES = ("Subcontractor", "Supplier", "Equipment Rental", "Service")
INSURANCE_TYPES = ("General Liability", "Automobile", "Umbrella", "Worker's")
JOB_STATUSES = ("In progress", "Unstarted")
ROLES = ("company_admin", "accounting_approver", "project_manager", "read_only")


def job_total(job: DemoJob) -> Decimal:
    """Sum of the job's original estimates."""
    return sum(
        (Decimal(est.original_estimate) for cc in job.cost_codes for est in cc.categories),
        Decimal("0.00"),
    )


def _normalize_company(name: str) -> str:
    name = name.lower().replace("&", " and ").replace(".", "").replace(",", " ")
    suffixes = {"inc", "llc", "lp", "ltd", "co", "company", "corp"}
    return " ".join(word for word in name.split() if word not in suffixes)


def _check_address(label: str, name: str, address: str, city: str, state: str, zip_code: str) -> None:
    assert 0 < len(name) <= 30, f"{label}: name {name!r} longer than 30"
    assert 0 < len(address) <= 30, f"{label}: address {address!r} longer than 30"
    assert 0 < len(city) <= 15, f"{label}: city {city!r} longer than 15"
    assert _STATE_RE.match(state), f"{label}: bad state {state!r}"
    assert _ZIP_RE.match(zip_code) and len(zip_code) <= 10, f"{label}: bad ZIP {zip_code!r}"


def validate() -> None:
    # Company
    assert COMPANY_NAME and isinstance(FISCAL_YEAR, int)

    # Categories
    assert [c[0] for c in STANDARD_CATEGORIES] == ["L", "M", "S", "E", "O"]
    assert {c[2] for c in STANDARD_CATEGORIES} == {"Labor", "Material", "Subcontract", "Equipment", "Other"}
    for code, description, accumulate_as in STANDARD_CATEGORIES:
        assert len(code) <= 3 and len(description) <= 30
    category_codes = "".join(c[0] for c in STANDARD_CATEGORIES)

    # Standard cost codes
    codes = [c[0] for c in STANDARD_COST_CODES]
    assert len(codes) == len(set(codes)), "duplicate standard cost code"
    assert codes == sorted(codes), "standard cost codes not sorted"
    assert 80 <= len(codes) <= 110, f"{len(codes)} standard cost codes"
    divisions_seen = set()
    for code, description, default_categories in STANDARD_COST_CODES:
        match = _CODE_RE.match(code)
        assert match, f"cost code {code!r} is not sectioned NN-NNN"
        assert 0 < len(description) <= 30, f"{code}: description {description!r} longer than 30"
        divisions_seen.add(match.group(1))
        if match.group(2) == "000":
            assert default_categories == "", f"summary code {code} must have no categories"
        else:
            assert default_categories, f"{code} has no default categories"
            assert len(set(default_categories)) == len(default_categories)
            assert set(default_categories) <= set(category_codes), f"{code}: bad categories"
    assert divisions_seen == set(REQUIRED_DIVISIONS), sorted(divisions_seen ^ set(REQUIRED_DIVISIONS))
    for division in REQUIRED_DIVISIONS:
        assert f"{division}-000" in codes, f"division {division} has no summary code"
        assert any(c.startswith(f"{division}-") and not c.endswith("-000") for c in codes), division
    standard = {code: (description, cats) for code, description, cats in STANDARD_COST_CODES}

    # Vendors
    assert len(VENDORS) == 45, len(VENDORS)
    vendor_ids = [v.vendor_id for v in VENDORS]
    assert len(vendor_ids) == len(set(vendor_ids)), "duplicate vendor id"
    assert len({v.name for v in VENDORS}) == len(VENDORS), "duplicate vendor name"
    for v in VENDORS:
        assert _VENDOR_ID_RE.match(v.vendor_id), f"bad vendor id {v.vendor_id!r}"
        _check_address(v.vendor_id, v.name, v.address, v.city, v.state, v.zip)
        assert v.vendor_type in VENDOR_TYPES, v.vendor_type
        assert _PHONE_RE.match(v.telephone) and len(v.telephone) <= 20, f"{v.vendor_id}: telephone"
        assert v.fax == "" or (_PHONE_RE.match(v.fax) and len(v.fax) <= 20), f"{v.vendor_id}: fax"
        assert v.state in ("TX", "OK")
    assert sum(1 for v in VENDORS if v.inactive) == 1, "exactly one inactive vendor"
    assert set(VENDOR_TYPES) == {v.vendor_type for v in VENDORS}

    # Hub-only companies and near matches
    assert len(HUB_ONLY_COMPANIES) == 6
    vendor_names = {v.name for v in VENDORS}
    vendor_by_id = {v.vendor_id: v for v in VENDORS}
    hub_names = [c.name for c in HUB_ONLY_COMPANIES]
    assert len(set(hub_names)) == 6
    for c in HUB_ONLY_COMPANIES:
        _check_address(f"hub company {c.name}", c.name, c.address, c.city, c.state, c.zip)
        assert _PHONE_RE.match(c.business_phone), c.business_phone
        assert c.name not in vendor_names, f"{c.name} exactly matches a vendor"
    assert len(NEAR_MATCH_PAIRS) == 3
    near_names = set()
    for hub_name, vendor_id in NEAR_MATCH_PAIRS:
        assert hub_name in hub_names and vendor_id in vendor_by_id
        vendor = vendor_by_id[vendor_id]
        assert not vendor.inactive
        assert hub_name != vendor.name
        assert hub_name.lower() != vendor.name.lower()
        assert _normalize_company(hub_name) == _normalize_company(vendor.name), (hub_name, vendor.name)
        near_names.add(hub_name)
    vendor_norms = {_normalize_company(n) for n in vendor_names}
    for name in set(hub_names) - near_names:
        assert _normalize_company(name) not in vendor_norms, f"{name} unexpectedly near-matches a vendor"

    # Insurance
    insured = {i.vendor_id for i in VENDOR_INSURANCE}
    assert 12 <= len(insured) <= 18, len(insured)
    assert len({(i.vendor_id, i.insurance_type) for i in VENDOR_INSURANCE}) == len(VENDOR_INSURANCE), (
        "one policy per vendor per insurance type"
    )
    expired = 0
    for i in VENDOR_INSURANCE:
        assert i.vendor_id in vendor_by_id, i.vendor_id
        assert not vendor_by_id[i.vendor_id].inactive
        assert i.insurance_type in INSURANCE_TYPES, i.insurance_type
        assert 0 < len(i.policy_number) <= 20 and 0 < len(i.insurance_company) <= 30
        assert _AMOUNT_RE.match(i.limit) and Decimal(i.limit) > 0, i.limit
        assert isinstance(i.effective_date, date) and isinstance(i.expiration_date, date)
        assert i.effective_date < i.expiration_date
        if i.expiration_date.year == 2025:
            expired += 1
        else:
            assert 2026 <= i.effective_date.year and i.expiration_date.year <= 2027, i
    assert 1 <= expired <= 3, expired

    # Jobs
    assert len(JOBS) == 3
    assert len({j.job_id for j in JOBS}) == 3
    project_specific = []
    extras_counts = sorted(len(j.extras) for j in JOBS)
    assert extras_counts[0] == 0 and extras_counts[1] >= 2 and all(2 <= n <= 3 for n in extras_counts[1:])
    for job in JOBS:
        label = f"job {job.job_id}"
        assert 0 < len(job.job_id) <= 12, label
        _check_address(label, job.name, job.address, job.city, job.state, job.zip)
        assert job.status in JOB_STATUSES, job.status
        assert job.billing_method in ("Contracts", "Quickbill")
        if job.billing_method == "Quickbill":
            assert job.billing_level in ("Job", "Division", "Section"), job.billing_level
        else:
            assert job.billing_level == ""
        extra_ids = [e.extra for e in job.extras]
        assert len(extra_ids) == len(set(extra_ids))
        for e in job.extras:
            assert 0 < len(e.extra) <= 10 and 0 < len(e.description) <= 30, e
        assert 15 <= len(job.cost_codes) <= 30, f"{label}: {len(job.cost_codes)} cost codes"
        keys = [(cc.extra, cc.code) for cc in job.cost_codes]
        assert len(keys) == len(set(keys)), f"{label}: duplicate cost code"
        for cc in job.cost_codes:
            assert cc.extra == "" or cc.extra in extra_ids, f"{label}: unknown extra {cc.extra!r}"
            if job.extras:
                assert cc.extra, f"{label}: {cc.code} needs an extra"
            match = _CODE_RE.match(cc.code)
            assert match and match.group(2) != "000", f"{label}: {cc.code} not a sectioned detail code"
            assert 0 < len(cc.description) <= 30
            if cc.code in standard:
                std_description, allowed = standard[cc.code]
                assert cc.description == std_description, f"{label}: {cc.code} description"
            else:
                project_specific.append((job.job_id, cc.code, cc.description))
                allowed = category_codes
            assert cc.categories, f"{label}: {cc.code} has no estimates"
            cats = [e.category for e in cc.categories]
            assert len(cats) == len(set(cats)), f"{label}: {cc.code} repeats a category"
            for est in cc.categories:
                assert est.category in allowed, f"{label}: {cc.code} category {est.category}"
                assert _AMOUNT_RE.match(est.original_estimate) and Decimal(est.original_estimate) > 0
                assert _AMOUNT_RE.match(est.original_estimate_units)
                assert len(est.unit_description) <= 6
                if Decimal(est.original_estimate_units) > 0:
                    assert est.unit_description, f"{label}: {cc.code} units without a description"
                else:
                    assert est.unit_description == ""
        total = job_total(job)
        assert Decimal("2000000") <= total <= Decimal("12000000"), f"{label}: total {total}"
    assert project_specific == [PROJECT_SPECIFIC_COST_CODE], project_specific

    # GL
    assert CLOSED_GL_PERIODS == ((2026, 9),)

    # Users
    assert [u.username for u in HUB_USERS] == ["admin", "approver", "pm", "viewer"]
    assert [u.role for u in HUB_USERS] == list(ROLES)
    for u in HUB_USERS:
        assert u.first_name and u.last_name and "@" in u.email

    # Hub projects
    assert len(HUB_PROJECTS) == 2
    assert not {p.number for p in HUB_PROJECTS} & {j.job_id for j in JOBS}
    # Trestle refuses a value Sage cannot hold when a project is saved, so every hub project fits Sage's limits.
    for p in HUB_PROJECTS:
        assert 0 < len(p.number) <= 12 and 0 < len(p.name) <= 30 and len(p.address) <= 30 and len(p.city) <= 15
        assert _STATE_RE.match(p.state) and _ZIP_RE.match(p.zip)
    valid = HUB_PROJECTS[0]
    _check_address(f"hub project {valid.number}", valid.name, valid.address, valid.city, valid.state, valid.zip)


if __name__ == "__main__":
    validate()
    print("ok", len(STANDARD_COST_CODES), len(VENDORS))
