"""The Job Cost import file: render, parse, round trip."""

from decimal import Decimal

import pytest

from apps.sage300.errors import SageError
from apps.sage300.import_files import (
    CategoryImportRecord,
    CostCodeImportRecord,
    JobImportRecord,
    parse_job_import_file,
    render_job_import_file,
)
from tests.sage300.helpers import job_records


def test_render_writes_quoted_text_bare_numbers_and_crlf_line_ends():
    # given
    records = [
        JobImportRecord(job="24-101", description='The "Annex"', city="Austin", uses_extras=True),
        CostCodeImportRecord(job="24-101", cost_code="01-100", description="Supervision"),
        CategoryImportRecord(
            job="24-101",
            cost_code="01-100",
            category="L",
            original_estimate=Decimal("1200.5"),
            original_estimate_units=Decimal("40"),
            cost_unit_description="hr",
        ),
    ]

    # when
    text = render_job_import_file(records)

    # then
    assert text == (
        '"Job","24-101","The ""Annex""","Unstarted","","","Austin","","","Contracts","","Y",0.00\r\n'
        '"CostCode","24-101","","01-100","Supervision"\r\n'
        '"Category","24-101","","01-100","L","",1200.50,40.0000,"hr"\r\n'
    )


def test_parse_gives_back_the_rendered_records():
    # given
    records = job_records(city="Austin", state="TX", zip_code="78701", original_contract_amount=Decimal("250000.00"))

    # when
    parsed = parse_job_import_file(render_job_import_file(records))

    # then
    assert parsed == records


def test_parse_joins_continuation_lines_and_skips_blank_lines():
    # given
    text = '"Job","24-101",+\r\n"Main Street Clinic"\r\n\r\n"CostCode","24-101","",  "01-100"\r\n'

    # when
    records = parse_job_import_file(text)

    # then
    assert records == [
        JobImportRecord(job="24-101", description="Main Street Clinic"),
        CostCodeImportRecord(job="24-101", cost_code="01-100"),
    ]


def test_parse_accepts_plain_lf_line_ends_and_left_off_trailing_fields():
    # when
    records = parse_job_import_file('"Category","24-101","","01-100","L"\n')

    # then
    assert records == [CategoryImportRecord(job="24-101", cost_code="01-100", category="L")]
    assert records[0].original_estimate == Decimal("0.00")


def test_an_unknown_record_type_is_refused_with_its_line():
    # when
    with pytest.raises(SageError) as refused:
        parse_job_import_file('"Job","24-101","Clinic"\r\n"Phase","24-101"\r\n')

    # then
    assert (refused.value.message, refused.value.row) == ("Unknown record type Phase.", 2)


def test_a_record_with_too_many_fields_is_refused():
    # when
    with pytest.raises(SageError) as refused:
        parse_job_import_file('"CostCode","24-101","","01-100","Supervision","extra field"\r\n')

    # then
    assert refused.value.message == "[CostCode] record has 6 fields; at most 5 are allowed."
    assert refused.value.row == 1


def test_a_number_with_a_thousands_separator_is_refused():
    # when
    with pytest.raises(SageError) as refused:
        parse_job_import_file('"Category","24-101","","01-100","L","","1,200.00"\r\n')

    # then
    assert refused.value.message == "[OriginalEstimate] has an invalid value: 1,200.00."
    assert (refused.value.field, refused.value.row) == ("original_estimate", 1)
