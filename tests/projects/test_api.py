"""REST API v1: /api/v1/projects/ and /api/v1/sub-jobs/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.access.models import Level
from apps.projects.models import Project, SubJob
from apps.projects.services import sub_job_create
from apps.wbs.models import StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import api_client, join, make_user
from tests.wbs.helpers import custom_list, erp_list, project, standard_codes


def rows(model):
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def api(admin_user):
    return api_client(admin_user)


# --- projects: reading ------------------------------------------------------------------------


def test_the_project_list_is_paginated_with_a_total_count(api):
    for number in ("1003", "1001", "1002"):
        project(number)

    first = api.get("/api/v1/projects/", {"page_size": 2}).json()
    second = api.get("/api/v1/projects/", {"page_size": 2, "page": 2}).json()

    assert (first["count"], [p["number"] for p in first["results"]]) == (3, ["1001", "1002"])
    assert first["next"].endswith("/api/v1/projects/?page=2&page_size=2")
    assert (second["count"], [p["number"] for p in second["results"]], second["next"]) == (3, ["1003"], None)


def test_a_project_reads_with_its_erp_fields(api):
    erp = erp_list()
    job = project("1001", name="Warehouse", city="Chicago")
    Project.objects.filter(pk=job.pk).update(sage_job_id="J-1001")

    body = api.get(f"/api/v1/projects/{job.pk}/").json()

    assert {key: body[key] for key in ("id", "number", "name", "city", "stage", "is_active", "cost_code_list", "sage_job_id", "erp_status")} == {
        "id": job.pk,
        "number": "1001",
        "name": "Warehouse",
        "city": "Chicago",
        "stage": "pre_construction",
        "is_active": True,
        "cost_code_list": erp.pk,
        "sage_job_id": "J-1001",
        "erp_status": "not_in_erp",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "bidding"}, ["1002"]),
        ({"is_active": "false"}, ["1002"]),
        ({"is_active": "true"}, ["1001", "1003"]),
        ({"number": "1003"}, ["1003"]),
        ({"integrated": "true"}, ["1001"]),
        ({"integrated": "false"}, ["1002", "1003"]),
        ({"search": "school"}, ["1002"]),
        ({"search": "j-1001"}, ["1001"]),
        ({"ordering": "-number"}, ["1003", "1002", "1001"]),
        ({"ordering": "name"}, ["1003", "1002", "1001"]),
    ],
)
def test_projects_are_filtered_searched_and_ordered(api, params, expected):
    warehouse = project("1001", name="Warehouse")
    project("1002", name="School", stage=Project.Stage.BIDDING, is_active=False)
    project("1003", name="Annex")
    Project.objects.filter(pk=warehouse.pk).update(sage_job_id="J-1001")

    body = api.get("/api/v1/projects/", params).json()

    assert [p["number"] for p in body["results"]] == expected
    assert body["count"] == len(expected)


def test_filtering_by_cost_code_list(api):
    residential = custom_list("Residential")
    erp_list()
    project("1001")
    project("1002", cost_code_list=residential)

    body = api.get("/api/v1/projects/", {"cost_code_list": residential.pk}).json()

    assert [p["number"] for p in body["results"]] == ["1002"]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"stage": "nope"}, {"stage": ["Select a valid choice. nope is not one of the available choices."]}),
        ({"cost_code_list": "x"}, {"cost_code_list": ["Enter a whole number."]}),
        ({"cost_code_list": str(2**70)}, {"cost_code_list": ["Ensure this value is less than or equal to 9223372036854775807."]}),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, params, errors):
    response = api.get("/api/v1/projects/", params)

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize("rows_count", [5, 50])
def test_listing_projects_takes_the_same_queries_for_5_or_50_rows(rows_count, django_assert_max_num_queries):
    # given: a member of every project (the scoped path), and a reference count taken on one row
    erp_list()
    user = make_user()
    template_project = project("0000")
    join(user, template_project)
    for number in range(rows_count - 1):
        join(user, project(f"{number + 1:04d}"))
    client = api_client(user)
    with CaptureQueriesContext(connection) as one_page:
        client.get("/api/v1/projects/", {"page_size": 1})

    # when / then
    with django_assert_max_num_queries(len(one_page.captured_queries)):
        body = client.get("/api/v1/projects/", {"page_size": 100}).json()
    assert body["count"] == rows_count


# --- projects: writing ------------------------------------------------------------------------


def test_a_state_sage_cannot_hold_is_a_400_on_the_field_when_the_project_is_saved(api):
    # Issue 8: the API saved "Texas" (Sage holds 4 characters) and the export failed later.
    erp_list()

    created = api.post("/api/v1/projects/", {"number": "1001", "name": "Warehouse", "state": "Texas"}, format="json")
    job = project("1002", state="TX")
    changed = api.patch(f"/api/v1/projects/{job.pk}/", {"state": "Texas"}, format="json")

    assert created.status_code == 400
    assert created.json()["errors"]["state"] == ["Sage 300 CRE holds at most 4 characters for a state; shorten it. "
                  "Sage says: [AddressState] is too long, maximum length is 4 characters."]
    assert changed.status_code == 400
    assert changed.json()["errors"]["state"] == ["Sage 300 CRE holds at most 4 characters for a state; shorten it. "
                  "Sage says: [AddressState] is too long, maximum length is 4 characters."]
    assert list(Project.objects.values_list("number", "state")) == [("1002", "TX")]


def test_a_project_is_created_through_the_service(api, admin_user):
    erp = erp_list()

    response = api.post(
        "/api/v1/projects/",
        {"number": " 1001 ", "name": "Warehouse", "city": "Chicago", "sage_job_id": "J-9", "erp_status": "synced"},
        format="json",
    )

    assert response.status_code == 201
    created = Project.objects.get()
    assert response.json()["id"] == created.pk
    assert (created.number, created.name, created.cost_code_list, created.sage_job_id, created.erp_status) == (
        "1001",
        "Warehouse",
        erp,
        None,  # read-only: set by the ERP export or import only
        "not_in_erp",
    )
    assert created.history.get().history_user == admin_user


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": "Warehouse"}, {"number": ["This field is required."]}),
        ({"number": "1" * 31, "name": "Warehouse"}, {"number": ["Ensure this field has no more than 30 characters."]}),
        ({"number": "1001", "name": "W" * 256}, {"name": ["Ensure this field has no more than 255 characters."]}),
        ({"number": "1001", "name": "Warehouse", "stage": "nope"}, {"stage": ['"nope" is not a valid choice.']}),
        ({"number": "1001", "name": "Warehouse", "is_active": "maybe"}, {"is_active": ["Must be a valid boolean."]}),
        ({"number": 1001, "name": ["Warehouse"]}, {"name": ["Not a valid string."]}),
        ({"number": "1001", "name": "Warehouse", "cost_code_list": "x"}, {"cost_code_list": ["Incorrect type. Expected pk value, received str."]}),
        ({"number": "1001", "name": "Warehouse", "cost_code_list": 999}, {"cost_code_list": ['Invalid pk "999" - object does not exist.']}),
        ({"number": "10\x0001", "name": "Warehouse"}, {"number": ["Null characters are not allowed."]}),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_nothing_is_created(api, payload, errors):
    response = api.post("/api/v1/projects/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not Project.objects.exists()


def test_a_rule_the_service_checks_is_a_400_with_its_message(api):
    project("1001")

    response = api.post("/api/v1/projects/", {"number": "1001", "name": "Again"}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {
            "code": "invalid",
            "message": "Project number 1001 is already used by another project.",
            "errors": {"number": ["Project number 1001 is already used by another project."]},
        },
    )
    assert Project.objects.count() == 1


def test_a_project_is_changed_through_the_service_and_its_sage_job_id_stays(api):
    job = project("1001", name="Warehouse")

    patched = api.patch(f"/api/v1/projects/{job.pk}/", {"name": "Warehouse 2", "sage_job_id": "J-9"}, format="json")
    put = api.put(f"/api/v1/projects/{job.pk}/", {"number": "1001-A", "name": "Warehouse 3", "stage": "bidding"}, format="json")

    assert patched.status_code == 200
    assert put.status_code == 200
    stored = Project.objects.get()
    assert (stored.number, stored.name, stored.stage, stored.sage_job_id) == ("1001-A", "Warehouse 3", "bidding", None)
    assert put.json()["name"] == "Warehouse 3"


@pytest.mark.parametrize(
    ("persona", "status", "message"),
    [
        ("outsider", 403, "To add projects you need Standard on Admin (company) or Standard on Directory with the Create New Project permission."),
        ("company_admin_standard", 201, None),
        ("directory_creator", 201, None),
    ],
)
def test_adding_a_project_follows_the_rules(persona, status, message):
    user = {
        "outsider": lambda: make_user(directory=Level.ADMIN, erp=Level.ADMIN),
        "company_admin_standard": lambda: make_user(company_admin=Level.STANDARD),
        "directory_creator": lambda: make_user(directory=Level.STANDARD, can_create_new_project=True),
    }[persona]()

    response = api_client(user).post("/api/v1/projects/", {"number": "1001", "name": "Warehouse"}, format="json")

    assert response.status_code == status
    if message:
        assert response.json() == {"code": "permission_denied", "message": message}
        assert not Project.objects.exists()
    else:
        assert list(Project.objects.values_list("number", flat=True)) == ["1001"]


@pytest.mark.parametrize(
    ("level", "patch", "delete"),
    [
        (Level.NONE, 403, 403),
        (Level.READ_ONLY, 403, 403),
        (Level.STANDARD, 200, 403),
        (Level.ADMIN, 200, 204),
    ],
)
def test_changing_and_deleting_a_project_follow_the_members_admin_tool_level(level, patch, delete):
    # given
    job = project("1001", name="Warehouse")
    user = make_user()
    join(user, job, project_admin=level)
    client = api_client(user)

    # when
    patched = client.patch(f"/api/v1/projects/{job.pk}/", {"name": "Renamed"}, format="json")
    renamed = Project.objects.get().name == "Renamed"
    before = rows(Project)
    deleted = client.delete(f"/api/v1/projects/{job.pk}/")

    # then
    assert (patched.status_code, deleted.status_code) == (patch, delete)
    assert renamed is (patch == 200)
    if patch == 403:
        assert patched.json() == {
            "code": "permission_denied",
            "message": "To change projects you need Standard on Admin (project) on project 1001.",
        }
    if delete == 403:
        assert deleted.json() == {
            "code": "permission_denied",
            "message": "To delete projects you need Admin on Admin (project) on project 1001.",
        }
        assert rows(Project) == before
    else:
        assert not Project.objects.exists()


def test_an_integrated_project_is_not_deleted_409(api):
    job = project("1001")
    Project.objects.filter(pk=job.pk).update(sage_job_id="J-1")

    response = api.delete(f"/api/v1/projects/{job.pk}/")

    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "project_in_erp",
            "message": "Project 1001 is integrated with Sage 300 CRE (job J-1) and cannot be deleted; set it inactive instead.",
        },
    )
    assert Project.objects.count() == 1


def test_deleting_a_project_removes_its_sub_jobs_and_cost_codes(api):
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision"})
    job = project("1001")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get(), sub_job=phase)

    response = api.delete(f"/api/v1/projects/{job.pk}/")

    assert response.status_code == 204
    assert (Project.objects.count(), SubJob.objects.count(), job.cost_codes.model.objects.count()) == (0, 0, 0)


# --- sub jobs --------------------------------------------------------------------------------


def test_sub_jobs_are_listed_filtered_and_searched(api):
    alpha, bravo = project("A-1"), project("B-1")
    sub_job_create(project=alpha, code="01", name="Phase 1")
    sub_job_create(project=alpha, code="02", name="Phase 2")
    sub_job_create(project=bravo, code="01", name="Garage")

    everything = api.get("/api/v1/sub-jobs/").json()
    of_alpha = api.get("/api/v1/sub-jobs/", {"project": alpha.pk}).json()
    searched = api.get("/api/v1/sub-jobs/", {"search": "garage"}).json()
    by_code = api.get("/api/v1/sub-jobs/", {"code": "02"}).json()

    assert [(s["project_number"], s["code"]) for s in everything["results"]] == [("A-1", "01"), ("A-1", "02"), ("B-1", "01")]
    assert (of_alpha["count"], [s["code"] for s in of_alpha["results"]]) == (2, ["01", "02"])
    assert [s["name"] for s in searched["results"]] == ["Garage"]
    assert [s["name"] for s in by_code["results"]] == ["Phase 2"]


@pytest.mark.parametrize("rows_count", [5, 50])
def test_listing_sub_jobs_takes_the_same_queries_for_5_or_50_rows(rows_count, django_assert_max_num_queries):
    user = make_user()
    job = project("A-1")
    join(user, job)
    sub_job_create(project=job, code="00", name="First")
    client = api_client(user)
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/v1/sub-jobs/")
    for number in range(1, rows_count):
        sub_job_create(project=job, code=f"{number:02d}", name=f"Phase {number}")

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        body = client.get("/api/v1/sub-jobs/", {"page_size": 100}).json()

    assert body["count"] == rows_count


@pytest.mark.parametrize(("level", "status"), [(Level.NONE, 403), (Level.READ_ONLY, 403), (Level.STANDARD, 201), (Level.ADMIN, 201)])
def test_adding_a_sub_job_needs_standard_on_the_projects_admin_tool(level, status):
    job = project("A-1")
    user = make_user()
    join(user, job, project_admin=level)

    response = api_client(user).post("/api/v1/sub-jobs/", {"project": job.pk, "code": " 01 ", "name": "Phase 1"}, format="json")

    assert response.status_code == status
    if status == 403:
        assert response.json() == {
            "code": "permission_denied",
            "message": "To add sub jobs you need Standard on Admin (project) on one of your projects.",
        }
        assert not SubJob.objects.exists()
    else:
        assert response.json()["project_number"] == "A-1"
        assert list(SubJob.objects.values_list("project__number", "code", "name")) == [("A-1", "01", "Phase 1")]


def test_standard_on_one_project_does_not_add_sub_jobs_to_another_where_the_user_only_reads():
    alpha, bravo = project("A-1"), project("B-1")
    user = make_user()
    join(user, alpha, project_admin=Level.READ_ONLY)
    join(user, bravo, project_admin=Level.STANDARD)

    response = api_client(user).post("/api/v1/sub-jobs/", {"project": alpha.pk, "code": "01", "name": "Phase 1"}, format="json")

    assert (response.status_code, response.json()) == (
        403,
        {"code": "permission_denied", "message": "To add sub jobs you need Standard on Admin (project) on project A-1."},
    )
    assert not SubJob.objects.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"code": "01", "name": "Phase 1"}, {"project": ["This field is required."]}),
        ({"project": "A", "code": "01", "name": "Phase 1"}, {"project": ["Incorrect type. Expected pk value, received str."]}),
        ({"project": None, "code": "01", "name": "Phase 1"}, {"project": ["This field may not be null."]}),
        ({"project": "{project}", "code": "0" * 31, "name": "Phase 1"}, {"code": ["Ensure this field has no more than 30 characters."]}),
        ({"project": "{project}", "code": "", "name": "Phase 1"}, {"code": ["This field may not be blank."]}),
    ],
)
def test_a_bad_sub_job_is_a_400_and_nothing_is_created(api, payload, errors):
    job = project("A-1")
    payload = {key: (job.pk if value == "{project}" else value) for key, value in payload.items()}

    response = api.post("/api/v1/sub-jobs/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not SubJob.objects.exists()


def test_a_duplicate_sub_job_code_is_refused_by_the_service(api):
    job = project("A-1")
    sub_job_create(project=job, code="01", name="Phase 1")

    response = api.post("/api/v1/sub-jobs/", {"project": job.pk, "code": "01", "name": "Again"}, format="json")

    assert (response.status_code, response.json()["errors"]) == (400, {"code": ["Project A-1 already has a sub job 01."]})
    assert SubJob.objects.count() == 1


def test_a_sub_job_is_renamed_but_does_not_move_to_another_project(api):
    alpha, bravo = project("A-1"), project("B-1")
    phase = sub_job_create(project=alpha, code="01", name="Phase 1")

    renamed = api.patch(f"/api/v1/sub-jobs/{phase.pk}/", {"name": "First phase"}, format="json")
    moved = api.patch(f"/api/v1/sub-jobs/{phase.pk}/", {"project": bravo.pk}, format="json")

    assert (renamed.status_code, renamed.json()["name"]) == (200, "First phase")
    assert (moved.status_code, moved.json()) == (400, {"project": ["A sub job cannot move to another project."]})
    assert list(SubJob.objects.values_list("project__number", "name")) == [("A-1", "First phase")]


def test_a_sub_job_with_cost_codes_is_not_deleted(api):
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision"})
    job = project("A-1")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get(), sub_job=phase)

    response = api.delete(f"/api/v1/sub-jobs/{phase.pk}/")

    assert response.status_code == 400
    assert response.json()["code"] == "sub_job_has_cost_codes"
    assert SubJob.objects.count() == 1


@pytest.mark.parametrize(("level", "status"), [(Level.STANDARD, 403), (Level.ADMIN, 204)])
def test_deleting_a_sub_job_needs_admin_on_the_projects_admin_tool(level, status):
    job = project("A-1")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    user = make_user()
    join(user, job, project_admin=level)

    response = api_client(user).delete(f"/api/v1/sub-jobs/{phase.pk}/")

    assert response.status_code == status
    assert SubJob.objects.exists() is (status == 403)
