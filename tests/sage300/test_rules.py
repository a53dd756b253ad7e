"""Sage's field rules as pure checks."""

from decimal import Decimal

import pytest

from apps.sage300.errors import SageError
from apps.sage300.rules import check_amount, check_cost_code_format, is_group_cost_code, normalized_job


@pytest.mark.parametrize("code", ["01-100", "12-3456-789", "01.100", "A1-B2-C3-D4", "1-2"])
def test_sectioned_cost_codes_are_accepted(code):
    check_cost_code_format(code)


@pytest.mark.parametrize("code", ["0100", "01--100", "-01", "01-", "01-100-2-3-4", "01 100", "01/100"])
def test_unsectioned_or_malformed_cost_codes_are_refused(code):
    # when
    with pytest.raises(SageError) as refused:
        check_cost_code_format(code)

    # then
    assert refused.value.message == f"Cost code {code} is not in the format set up in Custom Descriptions (e.g. 01-100)."
    assert refused.value.field == "cost_code"


@pytest.mark.parametrize(
    ("code", "is_group"), [("01-000", True), ("01.000", True), ("01-100-000", True), ("01-100", False), ("00-010", False)]
)
def test_summary_codes_end_in_a_section_of_zeros(code, is_group):
    assert is_group_cost_code(code) is is_group


@pytest.mark.parametrize("job", ["24-101", "24.101", "24101", "24 101", "24_101"])
def test_job_codes_compare_without_punctuation(job):
    assert normalized_job(job) == "24101"


def test_job_codes_compare_without_case():
    assert normalized_job("ab-12") == normalized_job("AB12") == "AB12"


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("100", Decimal("100.00")), ("100.5", Decimal("100.50")), ("-3.25", Decimal("-3.25")), ("", Decimal("0.00"))],
)
def test_amounts_parse_to_two_places(raw, amount):
    assert check_amount(raw, field="original_estimate") == amount


@pytest.mark.parametrize("raw", ["abc", "1,000.00", "1.005", "1000000000000.00", 1.5])
def test_bad_amounts_are_refused_with_the_field_label(raw):
    # when
    with pytest.raises(SageError) as refused:
        check_amount(raw, field="original_estimate")

    # then
    assert refused.value.message == f"[OriginalEstimate] has an invalid value: {raw}."


def test_units_take_four_places():
    assert check_amount("2.1234", field="original_estimate_units", places=4) == Decimal("2.1234")
