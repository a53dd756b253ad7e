from apps.wbs.models import StandardCostCode
from apps.wbs.selectors import (
    cost_type_list,
    erp_cost_code_list,
    project_cost_code_list,
    standard_cost_code_list,
)
from apps.wbs.services import cost_types_upsert, project_cost_code_add_from_standard
from tests.wbs.helpers import cost_types, custom_list, erp_list, project, standard_codes


def test_erp_cost_code_list_is_none_until_the_sync_creates_it():
    assert erp_cost_code_list() is None

    created = erp_list()

    assert erp_cost_code_list() == created


def test_cost_type_list_filters_by_activity_and_search():
    # given
    cost_types_upsert(
        rows=[
            {"code": "L", "description": "Labor"},
            {"code": "M", "description": "Material", "is_active": False},
            {"code": "S", "description": "Subcontract"},
        ]
    )

    # then
    assert [t.code for t in cost_type_list()] == ["L", "M", "S"]
    assert [t.code for t in cost_type_list(filters={"is_active": True})] == ["L", "S"]
    assert [t.code for t in cost_type_list(filters={"search": "sub"})] == ["S"]


def test_standard_cost_code_list_reads_codes_lists_and_default_types_in_two_queries(django_assert_num_queries):
    # given
    cost_types("L", "M")
    erp = erp_list()
    standard_codes(erp, *({"code": f"01-{n:03}", "description": "x", "default_cost_types": ["M", "L"]} for n in range(20)))
    standard_codes(custom_list(), {"code": "02-100", "description": "Demolition"})

    # when
    with django_assert_num_queries(2):
        rows = [
            (code.cost_code_list.name, code.code, [t.code for t in code.default_cost_types.all()])
            for code in standard_cost_code_list(cost_code_list=erp)
        ]

    # then
    assert len(rows) == 20
    assert rows[0] == ("Sage 300 CRE Standard Cost Codes", "01-000", ["L", "M"])


def test_standard_cost_code_list_filters():
    # given
    erp = erp_list()
    standard_codes(
        erp,
        {"code": "01-100", "description": "Supervision"},
        {"code": "03-300", "description": "Concrete", "is_active": False},
    )

    # then
    assert [c.code for c in standard_cost_code_list(filters={"is_active": False})] == ["03-300"]
    assert [c.code for c in standard_cost_code_list(filters={"division": "01"})] == ["01-100"]
    assert [c.code for c in standard_cost_code_list(filters={"search": "concrete"})] == ["03-300"]


def test_project_cost_code_list_reads_a_project_with_sub_jobs_and_cost_types_in_two_queries(django_assert_num_queries):
    # given
    cost_types("L", "M")
    erp = erp_list()
    standard_codes(erp, *({"code": f"01-{n:03}", "description": "x", "default_cost_types": ["L", "M"]} for n in range(5)))
    job, other = project("1001"), project("1002")
    phase = job.sub_jobs.create(code="01", name="Phase 1")
    for index, code in enumerate(StandardCostCode.objects.order_by("code")):
        project_cost_code_add_from_standard(project=job, standard_cost_code=code, sub_job=phase if index % 2 else None)
    project_cost_code_add_from_standard(project=other, standard_cost_code=StandardCostCode.objects.first())

    # when
    with django_assert_num_queries(2):
        rows = [
            (c.project.number, c.sub_job.code if c.sub_job else "", c.code, [a.cost_type.code for a in c.cost_types.all()])
            for c in project_cost_code_list(project=job)
        ]

    # then
    assert rows == [
        ("1001", "", "01-000", ["L", "M"]),
        ("1001", "", "01-002", ["L", "M"]),
        ("1001", "", "01-004", ["L", "M"]),
        ("1001", "01", "01-001", ["L", "M"]),
        ("1001", "01", "01-003", ["L", "M"]),
    ]
    assert project_cost_code_list(project=None).count() == 6


def test_with_a_user_project_cost_codes_and_types_are_scoped_and_reference_data_needs_a_view_right():
    # given
    from apps.access.models import Level
    from apps.wbs.selectors import cost_code_list_list, cost_type_list, project_cost_type_list
    from tests.access.helpers import join, make_user

    cost_types("L")
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    alpha, bravo = project("A-1"), project("B-1")
    for job in (alpha, bravo):
        project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get())
    member, reader, outsider = make_user(), make_user(erp=Level.READ_ONLY), make_user(directory=Level.ADMIN)
    join(member, alpha)

    # then
    assert [c.project.number for c in project_cost_code_list(project=None, user=member)] == ["A-1"]
    assert list(project_cost_code_list(project=bravo, user=member)) == []
    assert [t.project_cost_code.project.number for t in project_cost_type_list(user=member)] == ["A-1"]
    assert list(project_cost_code_list(project=None, user=reader)) == []
    for user, sees in ((member, True), (reader, True), (outsider, False)):
        assert [c.code for c in standard_cost_code_list(user=user)] == (["01-100"] if sees else [])
        assert [t.code for t in cost_type_list(user=user)] == (["L"] if sees else [])
        assert list(cost_code_list_list(user=user)) == ([erp] if sees else [])
