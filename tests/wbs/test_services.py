import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.exceptions import Conflict, ValidationFailed
from apps.core.validation import RowsInvalid
from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import (
    ERP_LIST_NAME,
    NEW_CODES_COME_FROM_SAGE,
    UpsertCounts,
    cost_code_list_create,
    cost_code_list_get_or_create_erp,
    cost_types_upsert,
    project_cost_code_add_from_standard,
    project_cost_code_remove,
    project_cost_types_assign,
    standard_cost_code_activate,
    standard_cost_code_create,
    standard_cost_code_deactivate,
    standard_cost_code_set_default_cost_types,
    standard_cost_code_update,
    standard_cost_codes_upsert,
)
from tests.wbs.helpers import cost_types, custom_list, erp_list, project, standard_codes


def codes_in(cost_code_list):
    return {
        code.code: (code.description, code.division, code.is_active, sorted(t.code for t in code.default_cost_types.all()))
        for code in StandardCostCode.objects.filter(cost_code_list=cost_code_list)
    }


def integrate(project_, sage_job_id="J-1"):
    """What the ERP engine does when the job is exported (the Sage Job ID is not editable by services here)."""
    project_.sage_job_id = sage_job_id
    project_.save(update_fields=["sage_job_id"])
    return project_


# --- cost code lists --------------------------------------------------------------------


def test_the_erp_list_is_created_once_and_then_reused():
    # when
    first = cost_code_list_get_or_create_erp()
    second = cost_code_list_get_or_create_erp()

    # then
    assert first == second
    assert (first.name, first.source) == (ERP_LIST_NAME, CostCodeList.Source.ERP)
    assert CostCodeList.objects.count() == 1


def test_a_second_erp_list_is_refused():
    # given
    erp_list()

    # when
    with pytest.raises(ValidationFailed) as refused:
        cost_code_list_create(name="Another Sage list", source=CostCodeList.Source.ERP)

    # then
    assert refused.value.errors == {
        "source": [
            "There is already an ERP standard cost code list; Trestle keeps exactly one, filled by the Sage 300 CRE sync."
        ]
    }
    assert CostCodeList.objects.count() == 1


def test_list_names_are_unique_whatever_their_case():
    # given
    custom_list("Residential")

    # when
    with pytest.raises(ValidationFailed) as refused:
        cost_code_list_create(name="residential")

    # then
    assert refused.value.errors == {"name": ["A cost code list named 'residential' already exists."]}
    assert CostCodeList.objects.count() == 1


# --- cost types upsert ------------------------------------------------------------------


def test_cost_types_upsert_creates_updates_and_counts_unchanged_rows():
    # given
    cost_types_upsert(rows=[{"code": "L", "description": "Labor"}, {"code": "M", "description": "Material"}])

    # when
    counts = cost_types_upsert(
        rows=[
            {"code": "L", "description": "Labor"},
            {"code": "M", "description": "Materials", "is_active": False},
            {"code": "S", "description": "Subcontract"},
        ]
    )

    # then
    assert counts == UpsertCounts(created=1, updated=1, unchanged=1)
    assert sorted(CostType.objects.values_list("code", "description", "is_active")) == [
        ("L", "Labor", True),
        ("M", "Materials", False),
        ("S", "Subcontract", True),
    ]


def test_an_unchanged_cost_type_rerun_writes_nothing_in_a_few_statements(django_assert_max_num_queries):
    # given
    rows = [{"code": "L", "description": "Labor"}, {"code": "M", "description": "Material"}]
    cost_types_upsert(rows=rows)
    before = dict(CostType.objects.values_list("code", "updated_at"))

    # when: the one bulk path (a temporary table, the rows into it, the keys it shares, one upsert) in savepoints
    with django_assert_max_num_queries(10):
        counts = cost_types_upsert(rows=rows)

    # then
    assert counts == UpsertCounts(created=0, updated=0, unchanged=2)
    assert dict(CostType.objects.values_list("code", "updated_at")) == before


def test_cost_types_upsert_refuses_the_whole_batch_when_one_row_is_bad():
    # when
    with pytest.raises(RowsInvalid) as refused:
        cost_types_upsert(
            rows=[
                {"code": "L", "description": "Labor"},
                {"code": "LABR", "description": "Labor again"},
                {"code": "", "description": ""},
                {"code": "L", "description": "Duplicate"},
            ]
        )

    # then
    assert refused.value.row_errors == {
        2: {"code": ["[Category] is too long, maximum length is 3 characters."]},
        3: {"code": ["A cost type code is required."], "description": ["A description is required."]},
        4: {"code": ["Cost type L appears more than once (rows 1 and 4); each cost type may appear only once."]},
    }
    assert refused.value.errors["code"][0] == "Row 2: [Category] is too long, maximum length is 3 characters."
    assert not CostType.objects.exists()


# --- standard cost codes upsert ---------------------------------------------------------


def test_standard_codes_upsert_creates_codes_with_division_and_default_cost_types():
    # given
    cost_types("L", "M")
    erp = erp_list()

    # when
    counts = standard_cost_codes_upsert(
        cost_code_list=erp,
        rows=[
            {"code": "01-100", "description": "Supervision", "default_cost_types": ["L", "M"]},
            {"code": "03300", "description": "Concrete", "division": "03"},
        ],
    )

    # then
    assert counts == UpsertCounts(created=2, updated=0, unchanged=0)
    assert codes_in(erp) == {
        "01-100": ("Supervision", "01", True, ["L", "M"]),
        "03300": ("Concrete", "03", True, []),
    }


def test_an_unchanged_standard_code_rerun_writes_nothing_in_a_few_statements(django_assert_max_num_queries):
    # given
    cost_types("L", "M")
    erp = erp_list()
    rows = [{"code": f"01-{n:03}", "description": f"Code {n}", "default_cost_types": ["L"]} for n in range(40)]
    standard_cost_codes_upsert(cost_code_list=erp, rows=rows)
    before = dict(StandardCostCode.objects.values_list("code", "updated_at"))

    # when: cost types, the one bulk path for the codes, their ids, their default cost type links
    with django_assert_max_num_queries(14):
        counts = standard_cost_codes_upsert(cost_code_list=erp, rows=rows)

    # then
    assert counts == UpsertCounts(created=0, updated=0, unchanged=40)
    assert dict(StandardCostCode.objects.values_list("code", "updated_at")) == before


def test_standard_codes_upsert_queries_do_not_grow_with_the_number_of_rows(
    django_assert_num_queries, django_assert_max_num_queries
):
    # given
    cost_types("L", "M")
    erp = erp_list()

    # when: 5 codes, then 300
    with CaptureQueriesContext(connection) as five:
        standard_cost_codes_upsert(
            cost_code_list=erp, rows=[{"code": f"A-{n}", "description": "x", "default_cost_types": ["L"]} for n in range(5)]
        )
    with CaptureQueriesContext(connection) as three_hundred:
        standard_cost_codes_upsert(
            cost_code_list=erp,
            rows=[{"code": f"B-{n}", "description": "x", "default_cost_types": ["M"]} for n in range(300)],
        )

    # then: at most one more statement for 300 (SQLite splits the links' INSERT at 999 parameters)
    assert len(three_hundred.captured_queries) <= len(five.captured_queries) + 1 <= 16
    assert StandardCostCode.objects.count() == 305


def test_standard_codes_upsert_updates_changed_fields_and_default_cost_types_only():
    # given
    cost_types("L", "M", "S")
    erp = erp_list()
    standard_codes(
        erp,
        {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]},
        {"code": "01-200", "description": "Temporary facilities", "default_cost_types": ["M"]},
        {"code": "01-300", "description": "Cleanup"},
    )
    untouched = StandardCostCode.objects.get(code="01-300").updated_at

    # when
    counts = standard_cost_codes_upsert(
        cost_code_list=erp,
        rows=[
            {"code": "01-100", "description": "Project supervision", "default_cost_types": ["L"]},
            {"code": "01-200", "description": "Temporary facilities", "default_cost_types": ["M", "S"]},
            {"code": "01-300", "description": "Cleanup"},
        ],
    )

    # then
    assert counts == UpsertCounts(created=0, updated=2, unchanged=1)
    assert codes_in(erp) == {
        "01-100": ("Project supervision", "01", True, ["L"]),
        "01-200": ("Temporary facilities", "01", True, ["M", "S"]),
        "01-300": ("Cleanup", "01", True, []),
    }
    assert StandardCostCode.objects.get(code="01-300").updated_at == untouched


def test_standard_codes_upsert_stamps_the_sync_time_on_written_rows_only():
    # given
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    from django.utils import timezone

    synced_at = timezone.now()

    # when
    standard_cost_codes_upsert(
        cost_code_list=erp,
        rows=[{"code": "01-100", "description": "Supervision"}, {"code": "01-200", "description": "Cleanup"}],
        synced_at=synced_at,
    )

    # then
    assert dict(StandardCostCode.objects.values_list("code", "erp_synced_at")) == {"01-100": None, "01-200": synced_at}


def test_standard_codes_upsert_applies_sage_limits_on_the_erp_list_and_writes_nothing():
    # given
    cost_types("L")
    erp = erp_list()

    # when
    with pytest.raises(RowsInvalid) as refused:
        standard_cost_codes_upsert(
            cost_code_list=erp,
            rows=[
                {"code": "01-100", "description": "Supervision"},
                {"code": "01-100-200-300", "description": "A description that is longer than thirty"},
                {"code": "01-400", "description": "Cleanup", "default_cost_types": ["L", "Q"]},
                {"code": "01-100", "description": "Again"},
            ],
        )

    # then
    assert refused.value.row_errors == {
        2: {
            "code": ["[CostCode] is too long, maximum length is 13 characters."],
            "description": ["[Description] is too long, maximum length is 30 characters."],
        },
        3: {"default_cost_types": ["Unknown cost type Q; import it first (known cost types: L)."]},
        4: {"code": ["Cost code 01-100 appears more than once (rows 1 and 4); each cost code may appear only once."]},
    }
    assert not StandardCostCode.objects.exists()


def test_a_custom_list_is_not_held_to_sage_limits():
    # given
    custom = custom_list()

    # when
    counts = standard_cost_codes_upsert(
        cost_code_list=custom, rows=[{"code": "01-100-200-300", "description": "A description that is longer than thirty"}]
    )

    # then
    assert counts == UpsertCounts(created=1, updated=0, unchanged=0)


# --- standard cost codes one by one ----------------------------------------------------


def test_codes_cannot_be_created_by_hand_on_the_erp_list():
    # given
    erp = erp_list()

    # when
    with pytest.raises(ValidationFailed) as refused:
        standard_cost_code_create(cost_code_list=erp, code="99-999", description="Made up")

    # then
    assert refused.value.errors == {"cost_code_list": [NEW_CODES_COME_FROM_SAGE]}
    assert not StandardCostCode.objects.exists()


def test_codes_are_created_by_hand_on_a_custom_list_once():
    # given
    custom = custom_list()
    standard_cost_code_create(cost_code_list=custom, code="02-100", description="Demolition")

    # when
    with pytest.raises(ValidationFailed) as refused:
        standard_cost_code_create(cost_code_list=custom, code="02-100", description="Again")

    # then
    assert refused.value.errors == {"code": ["Cost code 02-100 is already on the list Company custom list."]}
    assert codes_in(custom) == {"02-100": ("Demolition", "02", True, [])}


def test_codes_on_the_erp_list_are_edited_in_sage_not_in_trestle():
    # given
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    code = StandardCostCode.objects.get()

    # when
    with pytest.raises(ValidationFailed) as refused:
        standard_cost_code_update(standard_cost_code=code, data={"description": "Renamed"})

    # then
    assert refused.value.errors == {
        "description": [
            "Codes on the Sage 300 CRE standard cost code list are kept in step with Sage; "
            "change them in Sage 300 CRE and run the cost code sync."
        ]
    }
    assert StandardCostCode.objects.get().description == "Supervision"


def test_default_cost_types_are_set_and_an_unchanged_set_writes_nothing():
    # given
    cost_types("L", "M")
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    code = StandardCostCode.objects.get()
    labor, material = CostType.objects.order_by("code")

    # when
    standard_cost_code_set_default_cost_types(standard_cost_code=code, cost_types=[labor, material])
    written = StandardCostCode.objects.get().updated_at
    standard_cost_code_set_default_cost_types(standard_cost_code=code, cost_types=[material, labor])

    # then
    assert sorted(code.default_cost_types.values_list("code", flat=True)) == ["L", "M"]
    assert StandardCostCode.objects.get().updated_at == written


def test_an_inactive_cost_type_cannot_become_a_default():
    # given
    cost_types_upsert(rows=[{"code": "L", "description": "Labor", "is_active": False}])
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})

    # when
    with pytest.raises(ValidationFailed) as refused:
        standard_cost_code_set_default_cost_types(
            standard_cost_code=StandardCostCode.objects.get(), cost_types=CostType.objects.all()
        )

    # then
    assert refused.value.errors == {
        "default_cost_types": ["Cost type L is inactive; activate it before making it a default."]
    }
    assert not StandardCostCode.objects.get().default_cost_types.exists()


def test_deactivate_and_activate_a_standard_code():
    # given
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    code = StandardCostCode.objects.get()

    # when / then
    standard_cost_code_deactivate(standard_cost_code=code)
    assert StandardCostCode.objects.get().is_active is False
    with pytest.raises(Conflict) as refused:
        standard_cost_code_deactivate(standard_cost_code=code)
    assert refused.value.message == "Cost code 01-100 is already deactivated."

    standard_cost_code_activate(standard_cost_code=code)
    assert StandardCostCode.objects.get().is_active is True
    with pytest.raises(Conflict) as refused:
        standard_cost_code_activate(standard_cost_code=code)
    assert refused.value.message == "Cost code 01-100 is already active."


# --- project cost codes -----------------------------------------------------------------


@pytest.fixture
def wbs():
    """The ERP list with 01-100 (defaults L, M) and a deactivated 01-900; a custom list with 02-100."""
    cost_types("L", "M", "S")
    erp = erp_list()
    standard_codes(
        erp,
        {"code": "01-100", "description": "Supervision", "default_cost_types": ["L", "M"]},
        {"code": "01-900", "description": "Retired code", "is_active": False},
    )
    custom = custom_list()
    standard_codes(custom, {"code": "02-100", "description": "Demolition"})
    return {
        "erp": erp,
        "custom": custom,
        "supervision": StandardCostCode.objects.get(code="01-100"),
        "retired": StandardCostCode.objects.get(code="01-900"),
        "demolition": StandardCostCode.objects.get(code="02-100"),
    }


def assignments(project_):
    return sorted(
        ProjectCostType.objects.filter(project_cost_code__project=project_).values_list(
            "project_cost_code__code", "cost_type__code"
        )
    )


def test_a_code_is_added_from_the_list_with_its_default_cost_types(wbs):
    # given
    job = project("1001")

    # when
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"])

    # then
    assert (added.code, added.description, added.is_project_specific, added.sub_job) == ("01-100", "Supervision", False, None)
    assert assignments(job) == [("01-100", "L"), ("01-100", "M")]


def test_a_code_is_added_to_a_sub_job_with_the_chosen_cost_types(wbs):
    # given
    job = project("1001")
    phase = job.sub_jobs.create(code="01", name="Phase 1")

    # when
    added = project_cost_code_add_from_standard(
        project=job, standard_cost_code=wbs["supervision"], sub_job=phase, cost_types=CostType.objects.filter(code="S")
    )

    # then
    assert added.sub_job == phase
    assert assignments(job) == [("01-100", "S")]


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("no standard code", "standard_cost_code", NEW_CODES_COME_FROM_SAGE),
        (
            "deactivated",
            "standard_cost_code",
            "Cost code 01-900 is deactivated; reactivate it on the standard cost code list before adding it to a project.",
        ),
        (
            "integrated project on a custom list",
            "project",
            "Project 1001 is integrated with Sage 300 CRE but uses the list 'Company custom list'; "
            "integrated projects must use the Sage 300 CRE standard cost code list.",
        ),
        (
            "integrated project, code not on the ERP list",
            "standard_cost_code",
            f"Cost code 02-100 is not on the Sage 300 CRE standard cost code list. {NEW_CODES_COME_FROM_SAGE}",
        ),
        (
            "code from another list",
            "standard_cost_code",
            "Cost code 02-100 is on the list 'Company custom list', but project 1001 uses "
            "'Sage 300 CRE Standard Cost Codes'; project cost codes must come from the project's own list.",
        ),
        (
            "sub job of an integrated project",
            "sub_job",
            "Cost codes and categories on sub job 01 are maintained in Sage 300 CRE, because project 1001 is "
            "integrated; add them to the Extra in Sage 300 CRE and press Refresh Cost Codes on the project's page.",
        ),
        ("already on the project", "standard_cost_code", "Cost code 01-100 is already on project 1001."),
        ("inactive cost type", "cost_types", "Cost type S is inactive and cannot be assigned."),
    ],
)
def test_adding_a_project_cost_code_is_refused(wbs, case, field, message):
    # given
    job = project("1001", cost_code_list=wbs["custom"] if case == "integrated project on a custom list" else None)
    phase = job.sub_jobs.create(code="01", name="Phase 1")
    arguments = {"project": job, "standard_cost_code": wbs["supervision"]}
    if case == "no standard code":
        arguments["standard_cost_code"] = None
    elif case == "deactivated":
        arguments["standard_cost_code"] = wbs["retired"]
    elif case == "integrated project on a custom list":
        integrate(job)
        arguments["standard_cost_code"] = wbs["demolition"]
    elif case == "integrated project, code not on the ERP list":
        integrate(job)
        arguments["standard_cost_code"] = wbs["demolition"]
    elif case == "code from another list":
        arguments["standard_cost_code"] = wbs["demolition"]
    elif case == "sub job of an integrated project":
        integrate(job)
        arguments["sub_job"] = phase
    elif case == "already on the project":
        project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"])
    elif case == "inactive cost type":
        cost_types_upsert(rows=[{"code": "S", "description": "Subcontract", "is_active": False}])
        arguments["cost_types"] = CostType.objects.filter(code="S")
    before = list(ProjectCostCode.objects.values_list("pk", flat=True))

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_cost_code_add_from_standard(**arguments)

    # then
    assert refused.value.errors == {field: [message]}
    assert list(ProjectCostCode.objects.values_list("pk", flat=True)) == before


def test_a_non_integrated_project_uses_codes_from_its_custom_list(wbs):
    # given
    job = project("2001", cost_code_list=wbs["custom"])

    # when
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["demolition"])

    # then
    assert added.code == "02-100"


def test_cost_types_are_assigned_once_each(wbs):
    # given
    job = project("1001")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"])

    # when
    new = project_cost_types_assign(project_cost_code=added, cost_types=CostType.objects.filter(code__in=["M", "S"]))

    # then
    assert [assignment.cost_type.code for assignment in new] == ["S"]
    assert assignments(job) == [("01-100", "L"), ("01-100", "M"), ("01-100", "S")]


def test_cost_types_on_a_sub_job_of_an_integrated_project_are_maintained_in_sage(wbs):
    # given
    job = project("1001")
    phase = job.sub_jobs.create(code="01", name="Phase 1")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"], sub_job=phase)
    integrate(job)

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_cost_types_assign(project_cost_code=added, cost_types=CostType.objects.filter(code="S"))

    # then
    assert refused.value.field == "cost_types"
    assert refused.value.message.startswith("Cost codes and categories on sub job 01 are maintained in Sage 300 CRE")
    assert assignments(job) == [("01-100", "L"), ("01-100", "M")]


def test_a_code_already_in_sage_cannot_be_removed(wbs):
    # given
    job = project("1001")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"])
    ProjectCostCode.objects.filter(pk=added.pk).update(erp_synced_at="2026-01-05T10:00:00Z")
    added.refresh_from_db()

    # when
    with pytest.raises(Conflict) as refused:
        project_cost_code_remove(project_cost_code=added)

    # then
    assert refused.value.message == (
        "Cost code 01-100 of project 1001 is on the job in Sage 300 CRE; it is maintained there and cannot be "
        "removed in Trestle."
    )
    assert ProjectCostCode.objects.count() == 1


def test_a_code_added_by_mistake_is_removed_with_its_cost_types(wbs):
    # given
    job = project("1001")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=wbs["supervision"])

    # when
    project_cost_code_remove(project_cost_code=added)

    # then
    assert not ProjectCostCode.objects.exists()
    assert not ProjectCostType.objects.exists()
