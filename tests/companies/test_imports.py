"""Vendor files: import all or nothing, with every bad row named; export; the commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.companies.models import Company
from apps.companies.resources import CompanyResource
from apps.companies.services import company_create
from apps.core.imports import ImportProblem, read_dataset, run_import
from apps.erp.models import ErpTransition
from tests.wbs.helpers import csv_file, xlsx_file, xlsx_rows
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from tests.companies.helpers import linked_company

HEADER = [
    "name",
    "erp_company_id",
    "address",
    "city",
    "state",
    "zip",
    "business_phone",
    "business_fax",
    "email",
    "erp_vendor_type",
    "is_archived",
]
ACME = ["Acme Concrete", "V100", "1 Main St", "Chicago", "IL", "60601", "312-555-0100", "312-555-0101", "ap@acme.test", "Subcontractor", "FALSE"]
BETA = ["Beta Builders", "V200", "9 Elm St", "Springfield", "IL", "62701", "", "", "", "Supplier", "FALSE"]
GAMMA = ["Gamma Glass", "", "", "Aurora", "IL", "", "", "", "", "", ""]


@pytest.fixture(autouse=True)
def sage_vendors(db):
    """The Sage vendors the files name: a row's erp_company_id links to a vendor Sage has."""
    with at_sage_desktop():
        for vendor, name in (("V100", "Acme Concrete"), ("V200", "Beta Builders"), ("V300", "Northwest Concrete"),
                             ("V900", "Existing"), ("100", "Acme Concrete"), ("V1", "Acme"), ("V2", "Acme")):
            sage.vendor_create(vendor=vendor, name=name)


def import_vendors(data: bytes, file_format: str = "csv", dry_run: bool = False):
    return run_import(
        resource=CompanyResource(), dataset=read_dataset(data=data, file_format=file_format), dry_run=dry_run
    )


def stored():
    return sorted(Company.objects.values_list("name", "erp_company_id", "city", "zip", "is_archived"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_good_vendor_file_imports_every_row(file_format):
    # given
    rows = [HEADER, ACME, BETA, GAMMA]
    data = csv_file(rows) if file_format == "csv" else xlsx_file(rows)

    # when
    outcome = import_vendors(data, file_format)

    # then
    assert outcome.problems == []
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    assert stored() == [
        ("Acme Concrete", "V100", "Chicago", "60601", False),
        ("Beta Builders", "V200", "Springfield", "62701", False),
        ("Gamma Glass", None, "Aurora", "", False),
    ]
    # created, then linked to its Sage vendor through the engine (both in its history, the link in the ERP log)
    acme = Company.objects.get(name="Acme Concrete")
    assert (acme.erp_status, acme.history.count()) == ("synced", 2)
    assert list(ErpTransition.objects.filter(object_id=acme.pk).values_list("action", flat=True)) == ["link"]
    assert Company.objects.get(name="Gamma Glass").erp_status == "not_in_erp"


def test_xlsx_numbers_are_read_as_text():
    # given: Excel stores a ZIP code and a vendor id typed as numbers
    data = xlsx_file([["name", "erp_company_id", "zip"], ["Acme Concrete", 100, 60601]])

    # when
    outcome = import_vendors(data, "xlsx")

    # then
    assert outcome.problems == []
    assert stored() == [("Acme Concrete", "100", "", "60601", False)]


def test_a_vendor_file_with_one_name_over_30_characters_imports_nothing_and_names_row_and_field():
    # given: the third data row (line 4 of the spreadsheet) has a 31-character name
    long_name = "Northwest Regional Concrete Co."
    assert len(long_name) == 31
    data = csv_file([HEADER, ACME, BETA, [long_name, "V300", "", "Aurora", "IL", "", "", "", "", "", ""]])

    # when
    outcome = import_vendors(data)

    # then
    assert outcome.problems == [ImportProblem(3, "name", "Sage 300 CRE holds at most 30 characters for a name; shorten it. Sage says: [Name] is too long, maximum length is 30 characters.")]
    assert outcome.problems[0].line == 4
    assert str(outcome.problems[0]) == "row 3, name: Sage 300 CRE holds at most 30 characters for a name; shorten it. Sage says: [Name] is too long, maximum length is 30 characters."
    assert not Company.objects.exists()


def test_every_bad_vendor_row_is_reported_with_its_column():
    # given
    linked_company(name="Existing", erp_company_id="V900")
    data = csv_file(
        [
            HEADER,
            ACME,
            ["Beta Builders", "V200", "", "Rancho Santa Margarita", "CA", "92688-12345", "", "", "beta@", "", "maybe"],
            ["", "V300", "", "", "", "", "", "", "", "", ""],
            ["Acme Again", "V100", "", "", "", "", "", "", "", "", ""],
            ["Delta", "V12345678901", "", "", "", "", "", "", "", "", ""],
        ]
    )

    # when
    outcome = import_vendors(data)

    # then
    assert outcome.problems == [
        ImportProblem(2, "city", "Sage 300 CRE holds at most 15 characters for a city; shorten it. Sage says: [City] is too long, maximum length is 15 characters."),
        ImportProblem(2, "zip", "Sage 300 CRE holds at most 10 characters for a ZIP; shorten it. Sage says: [ZIP] is too long, maximum length is 10 characters."),
        ImportProblem(2, "email", "Enter a valid email address."),
        ImportProblem(2, "is_archived", "'maybe' is not a yes/no value; use TRUE or FALSE."),
        ImportProblem(3, "name", "This field cannot be blank."),
        ImportProblem(
            4,
            "erp_company_id",
            "erp_company_id 'V100' already appears on row 1 of this file; each erp_company_id may appear only once.",
        ),
        ImportProblem(5, "erp_company_id", "Sage 300 CRE holds at most 10 characters for an ERP Company ID; shorten it. Sage says: [Vendor] is too long, maximum length is 10 characters."),
    ]
    assert stored() == [("Existing", "V900", "", "", False)]


def test_an_erp_company_id_sage_does_not_have_is_refused_and_nothing_is_imported():
    # when: the file links a new company to a vendor id that is not in Sage
    outcome = import_vendors(csv_file([HEADER, ACME, ["Omega Steel", "V404", "", "", "", "", "", "", "", "", ""]]))

    # then
    assert outcome.problems == [ImportProblem(2, "erp_company_id", (
        "Sage 300 CRE has no vendor V404. Leave erp_company_id empty to add the company unlinked (and send it to "
        "Sage), or correct the ID."
    ))]
    assert not Company.objects.exists()


def test_companies_linked_by_an_import_agree_with_sage():
    # when
    import_vendors(csv_file([HEADER, ACME, BETA]))

    # then: reconcile finds every imported link in Sage
    from tests.erp.helpers import run_command

    assert run_command("erp_reconcile") == (0, "No differences: 0 projects, 0 sub jobs, 2 companies checked.\n")


def test_a_missing_name_column_is_reported_once_for_the_file():
    # when
    outcome = import_vendors(csv_file([["erp_company_id", "city"], ["V100", "Chicago"], ["V200", "Aurora"]]))

    # then
    assert outcome.problems == [ImportProblem(None, "name", "Required column 'name' is missing from the header row.")]
    assert not Company.objects.exists()


def test_rows_update_the_company_with_their_erp_company_id_else_the_one_with_their_name():
    # given
    linked_company(name="Acme Concrete", erp_company_id="V100", city="Evanston")
    company_create(name="Gamma Glass", city="Joliet")
    data = csv_file(
        [
            ["name", "erp_company_id", "city", "is_archived"],
            ["Acme Concrete", "V100", "Chicago", ""],
            ["Gamma Glass", "", "Aurora", "TRUE"],
        ]
    )

    # when
    outcome = import_vendors(data)

    # then
    assert outcome.problems == []
    assert (outcome.created, outcome.updated) == (0, 2)
    assert stored() == [
        ("Acme Concrete", "V100", "Chicago", "", False),
        ("Gamma Glass", None, "Aurora", "", True),
    ]


def test_a_row_without_erp_company_id_never_unlinks_the_company_it_matches_by_name():
    # given
    linked_company(name="Acme Concrete", erp_company_id="V100", city="Chicago")

    # when
    outcome = import_vendors(csv_file([["name", "erp_company_id", "city"], ["Acme Concrete", "", "Evanston"]]))

    # then
    assert outcome.problems == []
    assert stored() == [("Acme Concrete", "V100", "Evanston", "", False)]


def test_a_name_shared_by_several_companies_needs_the_erp_company_id():
    # given
    linked_company(name="Acme", erp_company_id="V1")
    linked_company(name="Acme", erp_company_id="V2")

    # when
    outcome = import_vendors(csv_file([["name", "city"], ["Acme", "Chicago"]]))

    # then
    assert outcome.problems == [
        ImportProblem(1, "name", "Several companies are named 'Acme' (V1, V2); add erp_company_id to say which one.")
    ]
    assert sorted(Company.objects.values_list("erp_company_id", "city")) == [("V1", ""), ("V2", "")]


def test_reimporting_the_same_vendors_changes_nothing():
    # given
    data = csv_file([HEADER, ACME, BETA])
    import_vendors(data)
    before = list(Company.objects.order_by("pk").values_list("pk", "updated_at"))

    # when
    outcome = import_vendors(data)

    # then
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert list(Company.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert sum(c.history.count() for c in Company.objects.all()) == 4  # each: created, linked


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_round_trips(tmp_path, file_format):
    # given
    import_vendors(csv_file([HEADER, ACME, BETA, GAMMA]))
    target = tmp_path / f"vendors.{file_format}"
    call_command("export_companies", "--format", file_format, "-o", str(target), stderr=StringIO())
    before = sorted(Company.objects.values_list(*HEADER))

    # when: the export is imported into an empty directory
    Company.objects.all().delete()
    outcome = import_vendors(target.read_bytes(), file_format)

    # then
    assert outcome.problems == []
    assert sorted(Company.objects.values_list(*HEADER)) == before


def test_export_writes_the_import_columns(tmp_path):
    # given
    import_vendors(csv_file([HEADER, ACME]))
    target = tmp_path / "vendors.xlsx"

    # when
    call_command("export_companies", "-o", str(target), stderr=StringIO())

    # then
    assert xlsx_rows(target.read_bytes()) == [HEADER, ACME]


def test_import_companies_command_refuses_a_bad_file_and_imports_nothing(tmp_path):
    # given
    path = tmp_path / "vendors.csv"
    path.write_bytes(csv_file([HEADER, ACME, ["N" * 31, "V300", "", "", "", "", "", "", "", "", ""]]))
    err = StringIO()

    # when
    with pytest.raises(CommandError) as failed:
        call_command("import_companies", str(path), stderr=err)

    # then
    assert str(failed.value) == "1 problem in vendors.csv; nothing was imported."
    assert err.getvalue().splitlines()[2] == "2    3     name    Sage 300 CRE holds at most 30 characters for a name; shorten it. Sage says: [Name] is too long, maximum length is 30 characters."
    assert not Company.objects.exists()


def test_import_companies_command_dry_run_and_real_run(tmp_path):
    # given
    path = tmp_path / "vendors.xlsx"
    path.write_bytes(xlsx_file([HEADER, ACME, BETA]))
    out = StringIO()

    # when
    call_command("import_companies", str(path), "--dry-run", stdout=out)

    # then
    assert out.getvalue() == "Dry run of vendors.xlsx: 2 new, 0 updated, 0 unchanged companies. Nothing was changed.\n"
    assert not Company.objects.exists()

    # when
    call_command("import_companies", str(path), "--format", "xlsx", stdout=out)

    # then
    assert out.getvalue().splitlines()[-1] == "Imported vendors.xlsx: 2 new, 0 updated, 0 unchanged companies."
    assert Company.objects.count() == 2


def test_import_companies_command_reports_a_missing_file():
    with pytest.raises(CommandError) as failed:
        call_command("import_companies", "/nonexistent/vendors.csv")

    assert str(failed.value) == "No such file: /nonexistent/vendors.csv"
