import pytest
from guardian.shortcuts import get_perms

from apps.access import services
from apps.access.models import Level, PermissionTemplate, ProjectMembership
from apps.access.selectors import visible_projects
from apps.core.exceptions import PermissionRefused, ValidationFailed
from apps.projects.models import Project
from tests.access.helpers import company_template, make_user, project_template


@pytest.fixture
def projects(db):
    return Project.objects.create(number="A-1", name="Alpha"), Project.objects.create(number="B-1", name="Bravo")


def test_membership_grants_and_revokes_the_guardian_view_permission(projects):
    alpha, bravo = projects
    user = make_user()

    membership = services.project_membership_set(user=user, project=alpha, template=project_template())

    assert get_perms(user, alpha) == ["view_project"]
    assert list(visible_projects(user)) == [alpha]

    services.project_membership_remove(membership=membership)

    assert get_perms(user, alpha) == []
    assert list(visible_projects(user)) == []
    assert not ProjectMembership.objects.exists()


def test_changing_the_template_of_a_membership_keeps_one_row(projects):
    alpha, _ = projects
    user = make_user()
    services.project_membership_set(user=user, project=alpha, template=project_template(budget=Level.READ_ONLY))

    services.project_membership_set(user=user, project=alpha, template=project_template(budget=Level.ADMIN))

    assert ProjectMembership.objects.get().template.budget == Level.ADMIN


def test_membership_refuses_a_company_template_and_changes_nothing(projects):
    alpha, _ = projects
    user = make_user()

    with pytest.raises(ValidationFailed) as refused:
        services.project_membership_set(user=user, project=alpha, template=company_template())

    assert refused.value.errors == {"template": ["Choose a project permission template."]}
    assert not ProjectMembership.objects.exists()
    assert get_perms(user, alpha) == []


def test_only_company_or_project_admins_manage_a_team(projects):
    alpha, _ = projects
    outsider = make_user(company_admin=Level.STANDARD)
    project_admin = make_user()
    services.project_membership_set(user=project_admin, project=alpha, template=project_template(project_admin=Level.ADMIN))
    company_admin = make_user(company_admin=Level.ADMIN)
    newcomer = make_user()

    with pytest.raises(PermissionRefused) as refused:
        services.project_membership_set(user=newcomer, project=alpha, template=project_template(), actor=outsider)
    assert refused.value.message == "To manage the project's team you need Admin on Admin (project) on project A-1."
    assert not ProjectMembership.objects.filter(user=newcomer).exists()

    services.project_membership_set(user=newcomer, project=alpha, template=project_template(), actor=project_admin)
    services.project_membership_set(user=newcomer, project=alpha, template=project_template(), actor=company_admin)
    assert ProjectMembership.objects.filter(user=newcomer).count() == 1


def test_template_levels_must_match_its_scope(db):
    template = PermissionTemplate(name="mixed", scope=PermissionTemplate.Scope.COMPANY, budget=Level.ADMIN)

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.permission_template_save(template=template)
    assert not PermissionTemplate.objects.filter(name="mixed").exists()


def test_grants_resync_repairs_missing_and_stale_grants(projects):
    alpha, bravo = projects
    user = make_user()
    services.project_membership_set(user=user, project=alpha, template=project_template())
    from guardian.shortcuts import assign_perm, remove_perm

    remove_perm("projects.view_project", user, alpha)  # lost grant
    assign_perm("projects.view_project", user, bravo)  # stale grant

    granted, revoked = services.project_grants_resync()

    assert (granted, revoked) == (1, 1)
    assert list(visible_projects(user)) == [alpha]


def test_superuser_sees_every_project(projects, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")

    assert set(visible_projects(root)) == set(projects)
