"""The admin asks the access rules for every hub model: modules, pages, buttons, fields, actions, imports.

Django's model permissions play no part: a staff user holding every one of them sees nothing
without tool levels, and a user with tool levels needs none of them.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.access.models import Level
from apps.companies.models import Company, CompanyInsurance
from apps.companies.services import company_create
from apps.projects.models import Project, SubJob
from apps.projects.services import sub_job_create
from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from tests.access.helpers import join, make_user
from tests.wbs.helpers import cost_types, erp_list, project, staff_user, standard_codes

HUB_MODELS = [CostCodeList, CostType, StandardCostCode, ProjectCostCode, ProjectCostType, Company, CompanyInsurance, Project, SubJob]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def index_models(client) -> set[str]:
    """The hub models (WBS, directory, projects) on the admin index."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        model["object_name"]
        for app in response.context["app_list"]
        if app["app_label"] in ("wbs", "companies", "projects")
        for model in app["models"]
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_django_model_permissions_give_nothing_on_hub_models(client):
    # given: a staff user with every Django permission of the hub apps, and no tool level
    every = Permission.objects.filter(content_type__app_label__in=["wbs", "companies", "projects"])
    user = staff_user(*[f"{p.content_type.app_label}.{p.codename}" for p in every])
    client.force_login(user)
    project("A-1")

    # then
    assert index_models(client) == set()
    for model in HUB_MODELS:
        assert client.get(admin_url(model, "changelist")).status_code == 403
    assert client.get(admin_url(CostType, "import")).status_code == 403


@pytest.mark.parametrize(
    ("levels", "on_a_project", "expected"),
    [
        ({}, False, set()),
        ({"erp": Level.READ_ONLY}, False, {"CostCodeList", "CostType", "StandardCostCode"}),
        ({"directory": Level.READ_ONLY}, False, {"Company", "CompanyInsurance"}),
        (
            {},
            True,
            {"CostCodeList", "CostType", "StandardCostCode", "Project", "SubJob", "ProjectCostCode", "ProjectCostType"},
        ),
    ],
)
def test_the_admin_index_shows_the_models_the_rules_let_the_user_see(client, levels, on_a_project, expected):
    user = make_user(**levels)
    if on_a_project:
        join(user, project("A-1"))
    client.force_login(user)

    assert index_models(client) == expected


def test_a_read_only_member_sees_the_project_read_only_and_cannot_add_or_change(client):
    # given
    alpha = project("A-1", name="Alpha")
    sub_job_create(project=alpha, code="01", name="Phase 1")
    user = make_user()
    join(user, alpha, project_admin=Level.READ_ONLY)
    client.force_login(user)

    # when
    page = client.get(admin_url(Project, "change", alpha.pk))
    post = client.post(admin_url(Project, "change", alpha.pk), {"number": "A-1", "name": "Renamed", "stage": "bidding"})
    add_sub_job = client.get(admin_url(SubJob, "add"))

    # then
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_add_permission"] is False
    assert post.status_code == 403
    assert add_sub_job.status_code == 403
    assert Project.objects.get().name == "Alpha"


def test_a_standard_member_changes_the_project_but_cannot_delete_it_or_its_sub_jobs(client):
    # given
    alpha = project("A-1", name="Alpha")
    phase = sub_job_create(project=alpha, code="01", name="Phase 1")
    user = make_user()
    join(user, alpha, project_admin=Level.STANDARD)
    client.force_login(user)

    # when
    page = client.get(admin_url(Project, "change", alpha.pk))
    delete = client.post(admin_url(Project, "delete", alpha.pk), {"post": "yes"})
    delete_sub_job = client.post(admin_url(SubJob, "delete", phase.pk), {"post": "yes"})

    # then
    assert (page.context["has_change_permission"], page.context["has_delete_permission"]) == (True, False)
    assert (delete.status_code, delete_sub_job.status_code) == (403, 403)
    assert (Project.objects.count(), SubJob.objects.count()) == (1, 1)


def test_a_project_admin_deletes_the_project_with_its_team_through_the_service(client):
    # given: Admin on the project's Admin tool, not a company admin (memberships are theirs to manage)
    alpha = project("A-1")
    sub_job_create(project=alpha, code="01", name="Phase 1")
    user = make_user()
    join(user, alpha, project_admin=Level.ADMIN)
    client.force_login(user)

    # when
    confirm = client.get(admin_url(Project, "delete", alpha.pk))
    response = client.post(admin_url(Project, "delete", alpha.pk), {"post": "yes"})

    # then
    assert confirm.context["perms_lacking"] == set()
    assert response.status_code == 302
    assert (Project.objects.count(), SubJob.objects.count()) == (0, 0)


def test_a_delete_the_service_refuses_is_explained_not_an_error_page(admin_client):
    # given: an integrated project cannot be deleted
    alpha = project("A-1")
    Project.objects.filter(pk=alpha.pk).update(sage_job_id="J-1")

    # when
    response = admin_client.post(admin_url(Project, "delete", alpha.pk), {"post": "yes"}, follow=True)

    # then
    assert response.redirect_chain == [(admin_url(Project, "change", alpha.pk), 302)]
    assert messages_of(response) == [
        "Project A-1 is integrated with Sage 300 CRE (job J-1) and cannot be deleted; set it inactive instead."
    ]
    assert Project.objects.count() == 1


def test_actions_the_user_may_not_use_are_hidden_and_refused_when_posted_anyway(client):
    # given: Standard on Directory edits companies but archiving needs Admin
    company = company_create(name="Acme Concrete")
    client.force_login(make_user(directory=Level.STANDARD))
    url = admin_url(Company, "changelist")

    # when
    page = client.get(url)
    posted = client.post(url, {"action": "archive_companies", "_selected_action": [company.pk], "index": 0}, follow=True)

    # then
    assert page.context["action_form"] is None  # no action to offer
    assert messages_of(posted) == [
        "You may not use the action “Archive selected companies”. "
        "To archive or unarchive companies you need Admin on Directory."
    ]
    assert Company.objects.get().is_archived is False


def test_the_erp_standard_user_chooses_default_cost_types_but_nothing_else(client):
    # given: Standard on ERP Integrations — row 15 of the permission table, no more
    cost_types("L", "M")
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    code = StandardCostCode.objects.get()
    labor, material = CostType.objects.order_by("code")
    client.force_login(make_user(erp=Level.STANDARD))
    url = admin_url(StandardCostCode, "changelist")

    # when
    page = client.get(admin_url(StandardCostCode, "change", code.pk))
    listing = client.get(url)
    saved = client.post(
        admin_url(StandardCostCode, "change", code.pk), {"default_cost_types": [labor.pk, material.pk]}, follow=True
    )
    deactivate = client.post(url, {"action": "deactivate_codes", "_selected_action": [code.pk], "index": 0}, follow=True)

    # then
    assert page.context["has_change_permission"] is True
    assert list(page.context["adminform"].form.fields) == ["default_cost_types"]
    assert listing.context["action_form"] is None  # no action to offer
    assert saved.redirect_chain == [(url, 302)]
    assert sorted(code.default_cost_types.values_list("code", flat=True)) == ["L", "M"]
    assert messages_of(deactivate) == [
        "You may not use the action “Deactivate selected cost codes (they can't be added to projects)”. "
        "To activate or deactivate standard cost codes you need Admin on ERP Integrations."
    ]
    assert StandardCostCode.objects.get().is_active is True


def test_an_erp_admin_has_the_activate_actions_and_a_directory_admin_the_archive_actions(client):
    client.force_login(make_user(erp=Level.ADMIN, directory=Level.ADMIN))

    codes = client.get(admin_url(StandardCostCode, "changelist"))
    companies = client.get(admin_url(Company, "changelist"))

    assert [name for name, _ in codes.context["action_form"].fields["action"].choices if name] == [
        "delete_selected",
        "activate_codes",
        "deactivate_codes",
    ]
    assert [name for name, _ in companies.context["action_form"].fields["action"].choices if name] == [
        "delete_selected",
        "archive_companies",
        "unarchive_companies",
    ]


@pytest.mark.parametrize(
    ("levels", "model", "can_import"),
    [
        ({"erp": Level.STANDARD}, CostType, False),
        ({"erp": Level.ADMIN}, CostType, True),
        ({"erp": Level.ADMIN}, StandardCostCode, True),
        ({"directory": Level.STANDARD}, Company, False),
        ({"directory": Level.ADMIN}, Company, True),
    ],
)
def test_imports_ask_the_rules(client, levels, model, can_import):
    client.force_login(make_user(**levels))

    changelist = client.get(admin_url(model, "changelist"))
    import_page = client.get(admin_url(model, "import"))
    confirm = client.post(admin_url(model, "process_import"), {})

    assert changelist.status_code == 200
    assert (admin_url(model, "import") in changelist.content.decode()) is can_import
    assert import_page.status_code == (200 if can_import else 403)
    if not can_import:
        assert confirm.status_code == 403


def test_a_project_member_picks_codes_in_the_admin_without_any_erp_level(client):
    # given
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision"})
    alpha = project("A-1")
    user = make_user()
    join(user, alpha, project_admin=Level.STANDARD)
    client.force_login(user)

    # when
    response = client.post(
        admin_url(ProjectCostCode, "add"),
        {"project": alpha.pk, "standard_cost_code": StandardCostCode.objects.get().pk, "cost_types": []},
    )

    # then
    assert response.status_code == 302
    assert list(ProjectCostCode.objects.values_list("project__number", "code")) == [("A-1", "01-100")]
