"""Cost code and cost type files: the resources, the shared import plumbing and the commands."""

import pytest
from django.core.management import CommandError, call_command

from apps.core.imports import ImportProblem, read_dataset, run_import
from apps.wbs.models import CostCodeList, CostType, StandardCostCode
from apps.wbs.resources import CostTypeResource, StandardCostCodeResource
from tests.wbs.helpers import cost_types, csv_file, custom_list, erp_list, standard_codes, xlsx_file, xlsx_rows

CODE_HEADER = ["cost_code_list", "code", "description", "division", "is_active", "default_cost_types"]


def import_codes(data: bytes, file_format: str = "csv", dry_run: bool = False, **resource_kwargs):
    return run_import(
        resource=StandardCostCodeResource(**resource_kwargs),
        dataset=read_dataset(data=data, file_format=file_format),
        dry_run=dry_run,
    )


def stored_codes():
    return sorted(
        (code.cost_code_list.name, code.code, code.description, code.division, code.is_active, ",".join(t.code for t in code.default_cost_types.order_by("code")))
        for code in StandardCostCode.objects.select_related("cost_code_list")
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_good_cost_code_file_imports_every_row(file_format):
    # given
    cost_types("L", "M")
    custom_list("Residential")
    rows = [
        CODE_HEADER,
        ["", "01-100", "Supervision", "", "TRUE", "L,M"],
        ["Sage 300 CRE Standard Cost Codes", "03-300", "Concrete", "03", "yes", "M"],
        ["residential", "09-900", "Painting", "09", "no", ""],
    ]
    data = csv_file(rows) if file_format == "csv" else xlsx_file(rows)

    # when
    outcome = import_codes(data, file_format)

    # then
    assert outcome.problems == []
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    assert stored_codes() == [
        ("Residential", "09-900", "Painting", "09", False, ""),
        ("Sage 300 CRE Standard Cost Codes", "01-100", "Supervision", "01", True, "L,M"),
        ("Sage 300 CRE Standard Cost Codes", "03-300", "Concrete", "03", True, "M"),
    ]


def test_reimporting_the_same_file_changes_nothing():
    # given
    cost_types("L", "M")
    data = csv_file([["code", "description", "default_cost_types"], ["01-100", "Supervision", "L,M"]])
    import_codes(data)
    before = list(StandardCostCode.objects.values_list("code", "updated_at"))

    # when
    outcome = import_codes(data)

    # then
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 1)
    assert list(StandardCostCode.objects.values_list("code", "updated_at")) == before


def test_a_file_updates_descriptions_and_default_cost_types():
    # given
    cost_types("L", "M")
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})

    # when
    outcome = import_codes(csv_file([["code", "description", "default_cost_types"], ["01-100", "Project supervision", "M"]]))

    # then
    assert (outcome.created, outcome.updated) == (0, 1)
    assert stored_codes() == [("Sage 300 CRE Standard Cost Codes", "01-100", "Project supervision", "01", True, "M")]


def test_a_dry_run_reports_and_keeps_nothing():
    # given
    cost_types("L")

    # when
    outcome = import_codes(csv_file([["code", "description"], ["01-100", "Supervision"]]), dry_run=True)

    # then
    assert outcome.problems == []
    assert outcome.created == 1
    assert not StandardCostCode.objects.exists()
    assert not CostCodeList.objects.exists()


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_column():
    # given
    cost_types("L", "M")
    data = csv_file(
        [
            CODE_HEADER,
            ["", "01-100", "Supervision", "", "TRUE", "L"],
            ["", "01-200", "Temporary facilities", "", "maybe", "L"],
            ["", "01-300", "Cleanup", "", "", "L,Q"],
            ["", "01-100", "Supervision again", "", "", ""],
            ["Nowhere", "01-500", "Survey", "", "", ""],
            ["", "", "", "", "", ""],
            ["", "01-700-800-900", "Longer than thirty characters, really", "", "", ""],
        ]
    )

    # when
    outcome = import_codes(data)

    # then
    assert outcome.problems == [
        ImportProblem(2, "is_active", "'maybe' is not a yes/no value; use TRUE or FALSE."),
        ImportProblem(3, "default_cost_types", "Unknown cost type Q; import it first (known cost types: L, M)."),
        ImportProblem(4, "code", "code '01-100' already appears on row 1 of this file; each code may appear only once."),
        ImportProblem(5, "cost_code_list", "Unknown cost code list 'Nowhere'; the lists are: Sage 300 CRE Standard Cost Codes."),
        ImportProblem(7, "code", "[CostCode] is too long, maximum length is 13 characters."),
        ImportProblem(7, "description", "[Description] is too long, maximum length is 30 characters."),
    ]
    assert not StandardCostCode.objects.exists()
    assert not CostCodeList.objects.exists()


def test_a_missing_required_column_and_an_unknown_column_are_reported_once_for_the_file():
    # when
    outcome = import_codes(csv_file([["code", "descripton"], ["01-100", "Supervision"], ["01-200", "Cleanup"]]))

    # then
    assert outcome.problems == [
        ImportProblem(None, "description", "Required column 'description' is missing from the header row."),
        ImportProblem(
            None,
            "descripton",
            "Unknown column 'descripton'; the columns are: cost_code_list, code, description, division, is_active, "
            "default_cost_types.",
        ),
    ]
    assert not StandardCostCode.objects.exists()


def test_an_unreadable_file_is_a_clear_error():
    from apps.core.imports import ImportFileError

    with pytest.raises(ImportFileError) as refused:
        read_dataset(data=b"not a spreadsheet", file_format="xlsx")

    assert refused.value.message == (
        "The file could not be read as XLSX (BadZipFile); check that it is a real .csv or .xlsx file with a header row."
    )


def test_rows_can_default_to_another_list():
    # given
    residential = custom_list("Residential")

    # when
    outcome = import_codes(csv_file([["code", "description"], ["09-900", "Painting"]]), default_cost_code_list=residential)

    # then
    assert outcome.problems == []
    assert stored_codes() == [("Residential", "09-900", "Painting", "09", True, "")]


def test_cost_type_files_import_and_report_bad_rows():
    # given
    good = csv_file([["code", "description", "is_active"], ["L", "Labor", "TRUE"], ["M", "Material", "FALSE"]])
    bad = csv_file([["code", "description"], ["S", "Subcontract"], ["EQPT", "Equipment"], ["S", "Again"]])

    # when
    imported = run_import(resource=CostTypeResource(), dataset=read_dataset(data=good, file_format="csv"))
    refused = run_import(resource=CostTypeResource(), dataset=read_dataset(data=bad, file_format="csv"))

    # then
    assert imported.problems == []
    assert sorted(CostType.objects.values_list("code", "description", "is_active")) == [
        ("L", "Labor", True),
        ("M", "Material", False),
    ]
    assert refused.problems == [
        ImportProblem(2, "code", "[Category] is too long, maximum length is 3 characters."),
        ImportProblem(3, "code", "code 'S' already appears on row 1 of this file; each code may appear only once."),
    ]
    assert CostType.objects.count() == 2


# --- export and the round trip ----------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_round_trips(tmp_path, file_format):
    # given
    cost_types("L", "M")
    standard_codes(
        erp_list(),
        {"code": "01-100", "description": "Supervision", "default_cost_types": ["M", "L"]},
        {"code": "03-300", "description": "Concrete", "is_active": False},
    )
    exported = tmp_path / f"codes.{file_format}"
    call_command("export_cost_codes", "-o", str(exported))
    before = stored_codes()

    # when: the file is imported into an empty database
    StandardCostCode.objects.all().delete()
    CostCodeList.objects.all().delete()
    outcome = import_codes(exported.read_bytes(), file_format)

    # then
    assert outcome.problems == []
    assert stored_codes() == before


def test_the_export_has_the_import_columns():
    # given
    cost_types("L", "M")
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision", "default_cost_types": ["M", "L"]})

    # when
    from io import StringIO

    out = StringIO()
    call_command("export_cost_codes", stdout=out)

    # then
    assert out.getvalue().splitlines() == [
        ",".join(CODE_HEADER),
        'Sage 300 CRE Standard Cost Codes,01-100,Supervision,01,TRUE,"L,M"',
    ]


def test_cost_types_export_as_xlsx(tmp_path):
    # given
    cost_types("L", "M")
    target = tmp_path / "types.xlsx"

    # when
    call_command("export_cost_types", "--format", "xlsx", "-o", str(target))

    # then
    assert xlsx_rows(target.read_bytes()) == [
        ["code", "description", "is_active"],
        ["L", "Labor", "TRUE"],
        ["M", "Material", "TRUE"],
    ]


# --- commands ---------------------------------------------------------------------------


def test_import_cost_codes_command_imports_a_good_file(tmp_path):
    # given
    from io import StringIO

    cost_types("L")
    path = tmp_path / "codes.csv"
    path.write_bytes(csv_file([["code", "description", "default_cost_types"], ["01-100", "Supervision", "L"]]))
    out = StringIO()

    # when
    call_command("import_cost_codes", str(path), stdout=out)

    # then
    assert out.getvalue() == "Imported codes.csv: 1 new, 0 updated, 0 unchanged cost codes.\n"
    assert stored_codes() == [("Sage 300 CRE Standard Cost Codes", "01-100", "Supervision", "01", True, "L")]


def test_import_cost_codes_command_prints_the_problems_and_fails_with_nothing_imported(tmp_path):
    # given
    from io import StringIO

    cost_types("L")
    path = tmp_path / "codes.xlsx"
    path.write_bytes(xlsx_file([["code", "description", "default_cost_types"], ["01-100", "Supervision", "L"], ["01-200", "", "X"]]))
    err = StringIO()

    # when
    with pytest.raises(CommandError) as failed:
        call_command("import_cost_codes", str(path), stderr=err)

    # then
    assert str(failed.value) == "2 problems in codes.xlsx; nothing was imported."
    assert err.getvalue().splitlines() == [
        "Row  Line  Column              Problem",
        "-" * 90,
        "2    3     description         A description is required.",
        "2    3     default_cost_types  Unknown cost type X; import it first (known cost types: L).",
        "Row N is the N-th data row, not counting the header row (a spreadsheet shows it on line N + 1).",
    ]
    assert not StandardCostCode.objects.exists()


def test_import_cost_types_command_dry_run_changes_nothing(tmp_path):
    # given
    from io import StringIO

    path = tmp_path / "types.csv"
    path.write_bytes(csv_file([["code", "description"], ["L", "Labor"]]))
    out = StringIO()

    # when
    call_command("import_cost_types", str(path), "--dry-run", stdout=out)

    # then
    assert out.getvalue() == "Dry run of types.csv: 1 new, 0 updated, 0 unchanged cost types. Nothing was changed.\n"
    assert not CostType.objects.exists()


def test_import_commands_refuse_a_file_of_unknown_format(tmp_path):
    path = tmp_path / "types.txt"
    path.write_text("code,description\n")

    with pytest.raises(CommandError) as failed:
        call_command("import_cost_types", str(path))

    assert str(failed.value) == (
        "Cannot tell the format of 'types.txt'; use a .csv or .xlsx file or pass --format csv|xlsx."
    )


def test_blank_lines_are_skipped_without_renumbering_the_rows_after_them():
    # given
    data = csv_file([["code", "description"], ["01-100", "Supervision"], ["", ""], ["01-300", ""]])

    # when
    outcome = import_codes(data)

    # then
    assert outcome.problems == [ImportProblem(3, "description", "A description is required.")]

    # when: a line of spaces is blank too, and is not counted
    outcome = import_codes(csv_file([["code", "description"], ["01-100", "Supervision"], ["  ", ""], ["01-300", "Cleanup"]]))

    # then
    assert outcome.problems == []
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    assert sorted(StandardCostCode.objects.values_list("code", flat=True)) == ["01-100", "01-300"]


def test_a_csv_row_with_more_values_than_columns_is_named():
    from apps.core.imports import ImportFileError

    with pytest.raises(ImportFileError) as refused:
        read_dataset(data=b"code,description\n01-100,Supervision\n01-200,Cleanup,extra\n", file_format="csv")

    assert refused.value.message == (
        "Row 2 has 3 values but the header has 2 columns; remove the extra values or name their column."
    )


def test_an_empty_file_reports_the_missing_columns():
    outcome = import_codes(b"")

    assert outcome.problems == [
        ImportProblem(None, "code", "Required column 'code' is missing from the header row."),
        ImportProblem(None, "description", "Required column 'description' is missing from the header row."),
    ]
