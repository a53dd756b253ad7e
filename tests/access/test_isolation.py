"""Cross-project isolation: a member of project A never reaches project B's data, through any door.

The user is an Admin on A (every right there) so that every refusal on B comes from isolation, not
from a missing level. Through the API, B's rows are 404 on every detail route and method (including
actions added later: the routes are read from the router) and never appear in lists; in the admin
they are absent from change lists and autocompletes, and their pages do not show them.
"""

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.projects.models import Project, SubJob
from apps.projects.services import sub_job_create
from apps.wbs.models import ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from config.api_urls import router
from tests.access.helpers import api_client, join, make_user
from tests.wbs.helpers import cost_types, erp_list, project, standard_codes

PROJECT_BASENAMES = ("project", "sub-job", "project-cost-code")


def snapshot():
    """Everything of both projects that a write could change."""
    return (
        list(Project.objects.order_by("pk").values("pk", "number", "name", "stage", "is_active", "city")),
        list(SubJob.objects.order_by("pk").values("pk", "project_id", "code", "name")),
        list(ProjectCostCode.objects.order_by("pk").values("pk", "project_id", "sub_job_id", "code")),
        list(ProjectCostType.objects.order_by("pk").values("pk", "project_cost_code_id", "cost_type_id")),
    )


@pytest.fixture
def world():
    """Projects A-1 and B-1, each with sub job 01 and cost code 01-100 (cost type L); a user who is Admin on A only."""
    erp = erp_list()
    cost_types("L", "M")
    standard_codes(erp, {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    code = StandardCostCode.objects.get()
    data = {}
    for key, number in (("a", "A-1"), ("b", "B-1")):
        job = project(number, name=f"Project {number}")
        data[key] = {
            "project": job,
            "sub_job": sub_job_create(project=job, code="01", name=f"Phase 1 of {number}"),
            "cost_code": project_cost_code_add_from_standard(project=job, standard_cost_code=code),
        }
    user = make_user(erp=Level.READ_ONLY, username="alice")
    join(user, data["a"]["project"], project_admin=Level.ADMIN)
    data["user"] = user
    return data


def detail_routes(basename: str):
    """(url name, {method: action}) of every detail route of a viewset, custom actions included."""
    for pattern in router.urls:
        name = pattern.name or ""
        if name.startswith(f"{basename}-") and "pk" in str(pattern.pattern) and "format" not in str(pattern.pattern):
            yield name, dict(getattr(pattern.callback, "actions", {}))


def b_object(world, basename: str):
    return {"project": world["b"]["project"], "sub-job": world["b"]["sub_job"], "project-cost-code": world["b"]["cost_code"]}[
        basename
    ]


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("basename", PROJECT_BASENAMES)
def test_every_detail_route_and_method_on_another_projects_row_is_a_404_and_changes_nothing(world, basename):
    # given
    api = api_client(world["user"])
    target = b_object(world, basename)
    before = snapshot()
    routes = list(detail_routes(basename))
    assert routes, f"no detail routes for {basename}"

    for name, actions in routes:
        url = reverse(name, kwargs={"pk": target.pk})
        for method in sorted(actions):
            # when
            response = getattr(api, method)(url, {"name": "Hijacked", "code": "99", "cost_types": ["M"]}, format="json")

            # then
            assert (name, method, response.status_code) == (name, method, 404)
            if method != "head":  # the same answer as for an id that does not exist
                assert response.json() == {"detail": "Not found."}

    assert snapshot() == before


@pytest.mark.parametrize("basename", PROJECT_BASENAMES)
def test_the_same_routes_work_on_the_users_own_project(world, basename):
    api = api_client(world["user"])
    own = {"project": world["a"]["project"], "sub-job": world["a"]["sub_job"], "project-cost-code": world["a"]["cost_code"]}[
        basename
    ]

    response = api.get(reverse(f"{basename}-detail", kwargs={"pk": own.pk}))

    assert (response.status_code, response.json()["id"]) == (200, own.pk)


@pytest.mark.parametrize(
    ("url", "expected_key", "expected"),
    [
        ("/api/v1/projects/", "number", ["A-1"]),
        ("/api/v1/sub-jobs/", "project_number", ["A-1"]),
        ("/api/v1/project-cost-codes/", "project_number", ["A-1"]),
    ],
)
def test_another_projects_rows_never_appear_in_lists_whatever_the_filter_or_search(world, url, expected_key, expected):
    api = api_client(world["user"])
    b_id = world["b"]["project"].pk

    plain = api.get(url).json()
    filtered = api.get(url, {"project": b_id} if "projects/" not in url else {"number": "B-1"}).json()
    searched = api.get(url, {"search": "B-1"}).json()

    assert (plain["count"], [row[expected_key] for row in plain["results"]]) == (1, expected)
    assert (filtered["count"], filtered["results"]) == (0, [])
    assert (searched["count"], searched["results"]) == (0, [])


def test_rows_cannot_be_created_in_another_project_and_nothing_is_created(world):
    # given
    api = api_client(world["user"])
    b = world["b"]
    before = snapshot()

    # when
    sub_job = api.post("/api/v1/sub-jobs/", {"project": b["project"].pk, "code": "02", "name": "Phase 2"}, format="json")
    cost_code = api.post(
        "/api/v1/project-cost-codes/",
        {"project": b["project"].pk, "standard_cost_code": StandardCostCode.objects.get().pk, "sub_job": b["sub_job"].pk},
        format="json",
    )

    # then: the project (and sub job) are unknown to this user, exactly like ids that do not exist
    assert (sub_job.status_code, sub_job.json()) == (
        400,
        {"project": [f'Invalid pk "{b["project"].pk}" - object does not exist.']},
    )
    assert (cost_code.status_code, cost_code.json()) == (
        400,
        {
            "project": [f'Invalid pk "{b["project"].pk}" - object does not exist.'],
            "sub_job": [f'Invalid pk "{b["sub_job"].pk}" - object does not exist.'],
        },
    )
    assert snapshot() == before


def test_a_user_on_no_project_is_refused_project_data_without_learning_what_exists(world):
    api = api_client(make_user(erp=Level.ADMIN))

    listing = api.get("/api/v1/sub-jobs/")
    detail = api.get(f"/api/v1/sub-jobs/{world['b']['sub_job'].pk}/")
    missing = api.get("/api/v1/sub-jobs/999999/")

    message = {"code": "permission_denied", "message": "To view sub jobs you need to be on a project's team."}
    assert (listing.status_code, listing.json()) == (403, message)
    assert (detail.status_code, detail.json()) == (403, message)
    assert (missing.status_code, missing.json()) == (403, message)


# --- admin -------------------------------------------------------------------------------------


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    ("model", "label"),
    [
        (Project, lambda obj: obj.number),
        (SubJob, lambda obj: obj.project.number),
        (ProjectCostCode, lambda obj: obj.project.number),
        (ProjectCostType, lambda obj: obj.project_cost_code.project.number),
    ],
)
def test_admin_change_lists_show_only_the_users_projects(client, world, model, label):
    client.force_login(world["user"])

    response = client.get(admin_url(model, "changelist"))
    searched = client.get(admin_url(model, "changelist"), {"q": "B-1"})

    assert response.status_code == 200
    assert [label(obj) for obj in response.context["cl"].result_list] == ["A-1"]
    assert list(searched.context["cl"].result_list) == []


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name", "expected"),
    [
        ("projects", "subjob", "project", ["A-1 – Project A-1"]),
        ("wbs", "projectcostcode", "project", ["A-1 – Project A-1"]),
        ("wbs", "projectcostcode", "sub_job", ["A-1/01 – Phase 1 of A-1"]),
        ("wbs", "projectcosttype", "project_cost_code", ["01-100 – Supervision"]),
    ],
)
def test_admin_autocompletes_offer_only_the_users_projects(client, world, app_label, model_name, field_name, expected):
    client.force_login(world["user"])
    # The cost code's sub job picker asks for the chosen project's sub jobs (issue 8); B's are never offered.
    chosen = {"project": world["a"]["project"].pk} if field_name == "sub_job" else {}

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": "", **chosen},
    )
    searched = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": "B-1", **chosen},
    )
    if field_name == "sub_job":
        other = client.get(reverse("admin:autocomplete"), {"app_label": app_label, "model_name": model_name,
                                                          "field_name": field_name, "project": world["b"]["project"].pk})
        assert other.json()["results"] == []

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == expected
    assert searched.json()["results"] == []


@pytest.mark.parametrize("key", ["project", "sub_job", "cost_code"])
def test_admin_pages_of_another_projects_row_do_not_show_it(client, world, key):
    # given
    client.force_login(world["user"])
    target = world["b"][key]
    model = type(target)
    before = snapshot()

    # when
    change = client.get(admin_url(model, "change", target.pk), follow=True)
    delete = client.post(admin_url(model, "delete", target.pk), {"post": "yes"}, follow=True)
    history = client.get(admin_url(model, "history", target.pk))

    # then
    for response in (change, delete):
        assert response.redirect_chain[0] == (reverse("admin:index"), 302)
        assert [str(m) for m in response.context["messages"]][-1].endswith("doesn’t exist. Perhaps it was deleted?")
        assert str(target) not in response.content.decode()
    assert history.status_code == 404
    assert snapshot() == before


def test_admin_forms_offer_only_the_users_projects_and_refuse_another_ones_id(client, world):
    # given
    client.force_login(world["user"])
    before = snapshot()

    # when
    response = client.post(
        admin_url(SubJob, "add"), {"project": world["b"]["project"].pk, "code": "02", "name": "Phase 2"}
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "project": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert snapshot() == before
