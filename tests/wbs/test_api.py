"""REST API v1: /api/v1/standard-cost-codes/, /api/v1/cost-types/ and /api/v1/project-cost-codes/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.access.models import Level
from apps.projects.services import sub_job_create
from apps.wbs.models import CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import api_client, join, make_user
from tests.wbs.helpers import cost_types, custom_list, erp_list, project, standard_codes


@pytest.fixture
def api(admin_user):
    return api_client(admin_user)


@pytest.fixture
def codes():
    """Cost types L, M, S (S inactive) and the ERP list with 01-100 (defaults L), 03-300 (inactive) and 09-900."""
    cost_types("L", "M", "S")
    CostType.objects.filter(code="S").update(is_active=False)
    erp = erp_list()
    standard_codes(
        erp,
        {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]},
        {"code": "03-300", "description": "Concrete", "is_active": False},
        {"code": "09-900", "description": "Painting"},
    )
    return erp


def code(value: str) -> StandardCostCode:
    return StandardCostCode.objects.get(code=value)


def default_types(value: str) -> list[str]:
    return sorted(code(value).default_cost_types.values_list("code", flat=True))


# --- cost types -------------------------------------------------------------------------------


def test_cost_types_are_listed_filtered_and_read_only(api, codes):
    everything = api.get("/api/v1/cost-types/").json()
    active = api.get("/api/v1/cost-types/", {"is_active": "true"}).json()
    searched = api.get("/api/v1/cost-types/", {"search": "mater"}).json()
    created = api.post("/api/v1/cost-types/", {"code": "X", "description": "New"}, format="json")

    assert (everything["count"], [t["code"] for t in everything["results"]]) == (3, ["L", "M", "S"])
    assert [t["code"] for t in active["results"]] == ["L", "M"]
    assert [t["description"] for t in searched["results"]] == ["Material"]
    assert created.status_code == 405
    assert CostType.objects.count() == 3


@pytest.mark.parametrize(("levels", "on_a_project", "status"), [({}, False, 403), ({"erp": Level.READ_ONLY}, False, 200), ({}, True, 200)])
def test_reference_data_is_seen_with_read_only_on_erp_integrations_or_by_a_project_member(codes, levels, on_a_project, status):
    user = make_user(**levels)
    if on_a_project:
        join(user, project("A-1"))

    responses = [api_client(user).get(url) for url in ("/api/v1/cost-types/", "/api/v1/standard-cost-codes/")]

    assert [response.status_code for response in responses] == [status, status]
    if status == 403:
        assert responses[0].json() == {
            "code": "permission_denied",
            "message": "To view cost types you need Read Only on ERP Integrations or to be on a project's team.",
        }


# --- standard cost codes ----------------------------------------------------------------------


def test_standard_cost_codes_read_with_their_list_and_default_cost_types(api, codes):
    body = api.get(f"/api/v1/standard-cost-codes/{code('01-100').pk}/").json()

    assert {key: body[key] for key in ("code", "description", "division", "is_active", "cost_code_list", "cost_code_list_name", "default_cost_types")} == {
        "code": "01-100",
        "description": "Supervision",
        "division": "01",
        "is_active": True,
        "cost_code_list": codes.pk,
        "cost_code_list_name": "Sage 300 CRE Standard Cost Codes",
        "default_cost_types": ["L"],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["01-100", "03-300", "09-900"]),
        ({"is_active": "false"}, ["03-300"]),
        ({"division": "09"}, ["09-900"]),
        ({"code": "01-100"}, ["01-100"]),
        ({"search": "paint"}, ["09-900"]),
        ({"ordering": "-code"}, ["09-900", "03-300", "01-100"]),
        ({"ordering": "description"}, ["03-300", "09-900", "01-100"]),
    ],
)
def test_standard_cost_codes_are_filtered_searched_and_ordered(api, codes, params, expected):
    body = api.get("/api/v1/standard-cost-codes/", params).json()

    assert ([c["code"] for c in body["results"]], body["count"]) == (expected, len(expected))


def test_standard_cost_codes_filter_by_list(api, codes):
    residential = custom_list("Residential")
    standard_codes(residential, {"code": "R-1", "description": "Framing"})

    body = api.get("/api/v1/standard-cost-codes/", {"cost_code_list": residential.pk}).json()

    assert [c["code"] for c in body["results"]] == ["R-1"]


def test_standard_cost_codes_cannot_be_created_or_edited_only_their_default_cost_types(api, codes):
    target = f"/api/v1/standard-cost-codes/{code('01-100').pk}/"

    responses = [
        api.post("/api/v1/standard-cost-codes/", {"code": "X", "description": "New"}, format="json"),
        api.patch(target, {"description": "Changed"}, format="json"),
        api.delete(target),
    ]

    assert [response.status_code for response in responses] == [405, 405, 405]
    assert (StandardCostCode.objects.count(), code("01-100").description) == (3, "Supervision")


@pytest.mark.parametrize(("level", "status"), [(Level.NONE, 403), (Level.READ_ONLY, 403), (Level.STANDARD, 200), (Level.ADMIN, 200)])
def test_default_cost_types_are_assigned_with_standard_on_erp_integrations(codes, level, status):
    response = api_client(make_user(erp=level)).put(
        f"/api/v1/standard-cost-codes/{code('01-100').pk}/default-cost-types/", {"default_cost_types": ["M", "L"]}, format="json"
    )

    assert response.status_code == status
    if status == 200:
        assert response.json()["default_cost_types"] == ["L", "M"]
        assert default_types("01-100") == ["L", "M"]
    else:
        assert response.json()["code"] == "permission_denied"
        assert default_types("01-100") == ["L"]
    if level == Level.READ_ONLY:
        assert response.json()["message"] == (
            "To assign default cost types to standard cost codes you need Standard on ERP Integrations "
            "(permission table row 15)."
        )


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"default_cost_types": ["This field is required."]}),
        ({"default_cost_types": "L"}, {"default_cost_types": ['Expected a list of items but got type "str".']}),
        ({"default_cost_types": ["Q"]}, {"default_cost_types": ["Object with code=Q does not exist."]}),
    ],
)
def test_bad_default_cost_types_are_a_400_and_change_nothing(api, codes, payload, errors):
    response = api.put(f"/api/v1/standard-cost-codes/{code('01-100').pk}/default-cost-types/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert default_types("01-100") == ["L"]


def test_an_inactive_cost_type_is_refused_as_a_default_by_the_service(api, codes):
    response = api.put(
        f"/api/v1/standard-cost-codes/{code('01-100').pk}/default-cost-types/", {"default_cost_types": ["S"]}, format="json"
    )

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"default_cost_types": ["Cost type S is inactive; activate it before making it a default."]},
    )
    assert default_types("01-100") == ["L"]


def test_default_cost_types_can_be_emptied(api, codes):
    response = api.put(
        f"/api/v1/standard-cost-codes/{code('01-100').pk}/default-cost-types/", {"default_cost_types": []}, format="json"
    )

    assert (response.status_code, default_types("01-100")) == (200, [])


@pytest.mark.parametrize("rows_count", [5, 50])
def test_listing_standard_cost_codes_takes_the_same_queries_for_5_or_50_rows(rows_count, django_assert_max_num_queries):
    cost_types("L", "M")
    erp = erp_list()
    standard_codes(erp, {"code": "00-000", "description": "First", "default_cost_types": ["L", "M"]})
    client = api_client(make_user(erp=Level.READ_ONLY))
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/v1/standard-cost-codes/")
    standard_codes(
        erp, *[{"code": f"01-{n:03d}", "description": f"Code {n}", "default_cost_types": ["L"]} for n in range(1, rows_count)]
    )

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        body = client.get("/api/v1/standard-cost-codes/", {"page_size": 100}).json()

    assert body["count"] == rows_count


# --- project cost codes -----------------------------------------------------------------------


def test_a_project_cost_code_is_added_from_the_standard_list_with_its_default_cost_types(api, codes):
    job = project("A-1")

    response = api.post(
        "/api/v1/project-cost-codes/", {"project": job.pk, "standard_cost_code": code("01-100").pk}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("project", "project_number", "sub_job", "sub_job_code", "code", "description", "cost_types")} == {
        "project": job.pk,
        "project_number": "A-1",
        "sub_job": None,
        "sub_job_code": None,
        "code": "01-100",
        "description": "Supervision",
        "cost_types": ["L"],
    }


def test_a_project_cost_code_is_added_under_a_sub_job_with_chosen_cost_types(api, codes):
    job = project("A-1")
    phase = sub_job_create(project=job, code="01", name="Phase 1")

    response = api.post(
        "/api/v1/project-cost-codes/",
        {"project": job.pk, "sub_job": phase.pk, "standard_cost_code": code("09-900").pk, "cost_types": ["M", "L"]},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["sub_job_code"], response.json()["cost_types"]) == ("01", ["L", "M"])
    assert list(ProjectCostCode.objects.values_list("sub_job__code", "code")) == [("01", "09-900")]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"standard_cost_code": "{code}"}, {"project": ["This field is required."]}),
        ({"project": "{project}"}, {"standard_cost_code": ["This field is required."]}),
        ({"project": "{project}", "standard_cost_code": "{code}", "cost_types": ["Q"]}, {"cost_types": ["Object with code=Q does not exist."]}),
        ({"project": "{project}", "standard_cost_code": 10**6}, {"standard_cost_code": ['Invalid pk "1000000" - object does not exist.']}),
        ({"project": True, "standard_cost_code": "{code}"}, {"project": ["Incorrect type. Expected pk value, received bool."]}),
    ],
)
def test_a_bad_project_cost_code_is_a_400_and_nothing_is_added(api, codes, payload, errors):
    job = project("A-1")
    values = {"{project}": job.pk, "{code}": code("01-100").pk}
    payload = {key: values.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}

    response = api.post("/api/v1/project-cost-codes/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not ProjectCostCode.objects.exists()


def test_a_deactivated_code_is_refused_by_the_service(api, codes):
    job = project("A-1")

    response = api.post("/api/v1/project-cost-codes/", {"project": job.pk, "standard_cost_code": code("03-300").pk}, format="json")

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {
            "standard_cost_code": [
                "Cost code 03-300 is deactivated; reactivate it on the standard cost code list before adding it to a project."
            ]
        },
    )
    assert not ProjectCostCode.objects.exists()


@pytest.mark.parametrize(("level", "status"), [(Level.READ_ONLY, 403), (Level.STANDARD, 201)])
def test_a_member_adds_codes_with_standard_on_the_projects_admin_tool_without_any_erp_level(codes, level, status):
    job = project("A-1")
    user = make_user()
    join(user, job, project_admin=level)

    response = api_client(user).post(
        "/api/v1/project-cost-codes/", {"project": job.pk, "standard_cost_code": code("01-100").pk}, format="json"
    )

    assert response.status_code == status
    assert ProjectCostCode.objects.exists() is (status == 201)


def test_a_project_cost_codes_cost_types_become_exactly_the_ones_given(api, codes):
    job = project("A-1")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=code("01-100"))

    patched = api.patch(f"/api/v1/project-cost-codes/{added.pk}/", {"cost_types": ["M"]}, format="json")
    put = api.put(f"/api/v1/project-cost-codes/{added.pk}/", {"cost_types": ["L", "M"]}, format="json")
    untouched = api.patch(f"/api/v1/project-cost-codes/{added.pk}/", {}, format="json")

    assert (patched.status_code, patched.json()["cost_types"]) == (200, ["M"])
    assert (put.status_code, put.json()["cost_types"]) == (200, ["L", "M"])
    assert (untouched.status_code, untouched.json()["cost_types"]) == (200, ["L", "M"])


def test_a_cost_type_sage_has_is_not_removed_409_and_nothing_changes(api, codes):
    job = project("A-1")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=code("01-100"))
    ProjectCostType.objects.update(erp_synced_at=timezone.now())

    response = api.put(f"/api/v1/project-cost-codes/{added.pk}/", {"cost_types": ["M"]}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "project_cost_type_in_erp")
    assert list(ProjectCostType.objects.values_list("cost_type__code", flat=True)) == ["L"]


def test_removing_a_cost_type_needs_admin_while_adding_one_needs_standard(codes):
    job = project("A-1")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=code("01-100"))
    user = make_user()
    join(user, job, project_admin=Level.STANDARD)
    client = api_client(user)

    grown = client.patch(f"/api/v1/project-cost-codes/{added.pk}/", {"cost_types": ["L", "M"]}, format="json")
    shrunk = client.patch(f"/api/v1/project-cost-codes/{added.pk}/", {"cost_types": ["M"]}, format="json")

    assert grown.status_code == 200
    assert (shrunk.status_code, shrunk.json()["message"]) == (
        403,
        "To delete project cost types you need Admin on Admin (project) on project A-1.",
    )
    assert sorted(ProjectCostType.objects.values_list("cost_type__code", flat=True)) == ["L", "M"]


@pytest.mark.parametrize(("level", "status"), [(Level.STANDARD, 403), (Level.ADMIN, 204)])
def test_removing_a_project_cost_code_needs_admin(codes, level, status):
    job = project("A-1")
    added = project_cost_code_add_from_standard(project=job, standard_cost_code=code("01-100"))
    user = make_user()
    join(user, job, project_admin=level)

    response = api_client(user).delete(f"/api/v1/project-cost-codes/{added.pk}/")

    assert response.status_code == status
    assert ProjectCostCode.objects.exists() is (status == 403)


def test_a_code_sage_has_is_not_removed_409(api, codes):
    added = project_cost_code_add_from_standard(project=project("A-1"), standard_cost_code=code("01-100"))
    ProjectCostCode.objects.update(erp_synced_at=timezone.now())

    response = api.delete(f"/api/v1/project-cost-codes/{added.pk}/")

    assert (response.status_code, response.json()["code"]) == (409, "project_cost_code_in_erp")
    assert ProjectCostCode.objects.count() == 1


def test_project_cost_codes_are_filtered(api, codes):
    alpha, bravo = project("A-1"), project("B-1")
    phase = sub_job_create(project=alpha, code="01", name="Phase 1")
    project_cost_code_add_from_standard(project=alpha, standard_cost_code=code("01-100"))
    project_cost_code_add_from_standard(project=alpha, standard_cost_code=code("09-900"), sub_job=phase)
    project_cost_code_add_from_standard(project=bravo, standard_cost_code=code("01-100"))

    def listed(**params):
        return [(c["project_number"], c["sub_job_code"], c["code"]) for c in api.get("/api/v1/project-cost-codes/", params).json()["results"]]

    assert listed(project=alpha.pk) == [("A-1", None, "01-100"), ("A-1", "01", "09-900")]
    assert listed(sub_job=phase.pk) == [("A-1", "01", "09-900")]
    assert listed(has_sub_job="false") == [("A-1", None, "01-100"), ("B-1", None, "01-100")]
    assert listed(search="09-9") == [("A-1", "01", "09-900")]
    assert listed(code="01-100", ordering="-project__number") == [("B-1", None, "01-100"), ("A-1", None, "01-100")]


@pytest.mark.parametrize("rows_count", [5, 50])
def test_listing_project_cost_codes_takes_the_same_queries_for_5_or_50_rows(rows_count, django_assert_max_num_queries):
    cost_types("L", "M")
    erp = erp_list()
    standard_codes(
        erp, *[{"code": f"01-{n:03d}", "description": f"Code {n}", "default_cost_types": ["L", "M"]} for n in range(rows_count)]
    )
    job = project("A-1")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    user = make_user()
    join(user, job)
    client = api_client(user)
    standard = list(StandardCostCode.objects.order_by("code"))
    project_cost_code_add_from_standard(project=job, standard_cost_code=standard[0], sub_job=phase)
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/v1/project-cost-codes/")
    for number, standard_code in enumerate(standard[1:]):
        project_cost_code_add_from_standard(project=job, standard_cost_code=standard_code, sub_job=phase if number % 2 else None)

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        body = client.get("/api/v1/project-cost-codes/", {"page_size": 100}).json()

    assert body["count"] == rows_count
    assert {tuple(c["cost_types"]) for c in body["results"]} == {("L", "M")}
