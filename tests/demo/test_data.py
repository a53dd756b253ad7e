"""The demo data files in fixtures/demo/ load into the frozen records and pass their own self-check."""

from datetime import date

from apps.demo import data


def test_demo_data_validates():
    data.validate()


def test_demo_data_has_the_expected_shape():
    assert len(data.VENDORS) == 45
    assert len(data.JOBS) == 3
    assert len(data.HUB_ONLY_COMPANIES) == 6
    assert data.CLOSED_GL_PERIODS == ((2026, 9),)
    assert data.PROJECT_SPECIFIC_COST_CODE == ("24-101", "01-990", "Owner Allowance")
    assert isinstance(data.VENDOR_INSURANCE[0].effective_date, date)
    assert isinstance(data.JOBS[1].extras, tuple) and isinstance(data.JOBS[1].cost_codes[0].categories, tuple)
    assert sum(vendor.inactive for vendor in data.VENDORS) == 1
