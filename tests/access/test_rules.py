"""The hub access rules (``apps.access.rules``) as tables, persona by persona, and the services that enforce them."""

import pytest
from django.contrib.auth import get_user_model

from apps.access.models import Level
from apps.access.rules import RULES, Operation, Resource, permits, require_permitted
from apps.companies.models import Company
from apps.companies.services import company_archive, company_create, company_update
from apps.core.exceptions import PermissionRefused
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create, project_delete, project_update, sub_job_create, sub_job_delete
from apps.wbs.models import ProjectCostCode, StandardCostCode
from apps.wbs.services import (
    cost_types_upsert,
    project_cost_code_add_from_standard,
    standard_cost_code_deactivate,
    standard_cost_code_set_default_cost_types,
)
from tests.access.helpers import join, make_user
from tests.wbs.helpers import cost_types, erp_list, project, standard_codes

LEVELS = (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)
V, A, C, D = Operation.VIEW, Operation.ADD, Operation.CHANGE, Operation.DELETE
I, E = Operation.IMPORT, Operation.EXPORT

# (resource, operation) → allowed for None / Read Only / Standard / Admin on ERP Integrations
REFERENCE_TABLE = [
    (resource, operation, expected)
    for resource in (Resource.COST_CODE_LIST, Resource.COST_TYPE, Resource.STANDARD_COST_CODE)
    for operation, expected in (
        (V, (False, True, True, True)),
        (E, (False, True, True, True)),
        (A, (False, False, False, True)),
        (C, (False, False, False, True)),
        (D, (False, False, False, True)),
        (I, (False, False, False, True)),
    )
] + [
    (Resource.STANDARD_COST_CODE, Operation.ASSIGN_DEFAULT_COST_TYPES, (False, False, True, True)),
    (Resource.STANDARD_COST_CODE, Operation.ACTIVATE, (False, False, False, True)),
]

# … on Directory
DIRECTORY_TABLE = [
    (resource, operation, expected)
    for resource in (Resource.COMPANY, Resource.COMPANY_INSURANCE)
    for operation, expected in (
        (V, (False, True, True, True)),
        (E, (False, True, True, True)),
        (A, (False, False, True, True)),
        (C, (False, False, True, True)),
        (D, (False, False, False, True)),
        (Operation.ARCHIVE, (False, False, False, True)),
        (I, (False, False, False, True)),
    )
]

# … on the project's Admin tool, for a member of the project
PROJECT_TABLE = [
    (resource, operation, expected)
    for resource in (Resource.PROJECT, Resource.SUB_JOB, Resource.PROJECT_COST_CODE, Resource.PROJECT_COST_TYPE)
    for operation, expected in (
        (V, (True, True, True, True)),
        (C, (False, False, True, True)),
        (D, (False, False, False, True)),
    )
] + [
    (resource, A, (False, False, True, True))
    for resource in (Resource.SUB_JOB, Resource.PROJECT_COST_CODE, Resource.PROJECT_COST_TYPE)
]


@pytest.mark.parametrize(("resource", "operation", "expected"), REFERENCE_TABLE)
def test_reference_data_follows_the_level_on_erp_integrations(resource, operation, expected):
    for level, allowed in zip(LEVELS, expected, strict=True):
        user = make_user(erp=level)

        assert permits(user, resource, operation).allowed is allowed, (level.label, resource, operation)


@pytest.mark.parametrize(("resource", "operation", "expected"), DIRECTORY_TABLE)
def test_the_directory_follows_the_level_on_directory(resource, operation, expected):
    for level, allowed in zip(LEVELS, expected, strict=True):
        user = make_user(directory=level, erp=Level.ADMIN)  # ERP Integrations gives nothing here

        assert permits(user, resource, operation).allowed is allowed, (level.label, resource, operation)


@pytest.mark.parametrize(("resource", "operation", "expected"), PROJECT_TABLE)
def test_project_data_follows_the_level_on_the_projects_admin_tool(resource, operation, expected):
    alpha = project("A-1")
    for level, allowed in zip(LEVELS, expected, strict=True):
        user = make_user(company_admin=Level.ADMIN, directory=Level.ADMIN)  # company levels give nothing here
        join(user, alpha, project_admin=level)

        assert permits(user, resource, operation, project=alpha).allowed is allowed, (level.label, resource, operation)


@pytest.mark.parametrize(("resource", "operation"), [(r, o) for r, o, _ in PROJECT_TABLE])
def test_admin_on_one_project_gives_nothing_on_another(resource, operation):
    alpha, bravo = project("A-1"), project("B-1")
    user = make_user(company_admin=Level.ADMIN)
    join(user, alpha, project_admin=Level.ADMIN)

    assert permits(user, resource, operation, project=bravo).allowed is False


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, False),
        ({"company_admin": Level.READ_ONLY}, False),
        ({"company_admin": Level.STANDARD}, True),
        ({"company_admin": Level.ADMIN}, True),
        ({"directory": Level.STANDARD}, False),
        ({"directory": Level.ADMIN}, False),
        ({"directory": Level.READ_ONLY, "can_create_new_project": True}, False),
        ({"directory": Level.STANDARD, "can_create_new_project": True}, True),
        ({"erp": Level.ADMIN}, False),
    ],
)
def test_adding_a_project_needs_standard_on_company_admin_or_directory_with_create_new_project(levels, expected):
    user = make_user(**levels)

    assert permits(user, Resource.PROJECT, Operation.ADD).allowed is expected


def test_a_project_member_without_erp_integrations_sees_the_reference_data_to_pick_codes():
    user = make_user()
    assert permits(user, Resource.STANDARD_COST_CODE, V).allowed is False

    join(user, project("A-1"))

    assert [permits(user, resource, V).allowed for resource in (Resource.STANDARD_COST_CODE, Resource.COST_TYPE, Resource.COST_CODE_LIST)] == [True, True, True]
    assert permits(user, Resource.STANDARD_COST_CODE, Operation.ASSIGN_DEFAULT_COST_TYPES).allowed is False


def test_without_a_project_the_question_is_whether_the_user_has_the_right_on_any_of_their_projects():
    viewer, manager = make_user(), make_user()
    join(viewer, project("A-1"), project_admin=Level.READ_ONLY)
    join(manager, project("B-1"), project_admin=Level.STANDARD)

    assert [permits(viewer, Resource.SUB_JOB, op).allowed for op in (V, A, C, D)] == [True, False, False, False]
    assert [permits(manager, Resource.SUB_JOB, op).allowed for op in (V, A, C, D)] == [True, True, True, False]
    assert [permits(make_user(), Resource.SUB_JOB, op).allowed for op in (V, A, C, D)] == [False] * 4


def test_an_object_is_asked_about_its_own_project():
    alpha, bravo = project("A-1"), project("B-1")
    user = make_user()
    join(user, alpha, project_admin=Level.ADMIN)
    alpha_phase = sub_job_create(project=alpha, code="01", name="Phase 1")
    bravo_phase = sub_job_create(project=bravo, code="01", name="Phase 1")

    assert permits(user, Resource.SUB_JOB, D, obj=alpha_phase).allowed is True
    assert permits(user, Resource.SUB_JOB, D, obj=bravo_phase).allowed is False
    assert permits(user, Resource.PROJECT, C, obj=alpha).allowed is True
    assert permits(user, Resource.PROJECT, C, obj=bravo).allowed is False


def test_superusers_may_do_everything_and_inactive_or_anonymous_users_nothing():
    from django.contrib.auth.models import AnonymousUser

    alpha = project("A-1")
    superuser = get_user_model().objects.create_superuser("root", password="x")
    inactive = make_user(erp=Level.ADMIN, directory=Level.ADMIN, company_admin=Level.ADMIN)
    join(inactive, alpha, project_admin=Level.ADMIN)
    inactive.is_active = False
    inactive.save()
    inactive = get_user_model().objects.get(pk=inactive.pk)

    for resource, operation in RULES:
        assert permits(superuser, resource, operation, project=alpha).allowed is True
        assert permits(inactive, resource, operation, project=alpha) == permits(inactive, resource, operation)
        assert permits(inactive, resource, operation, project=alpha).reason == "This account is inactive."
        assert permits(AnonymousUser(), resource, operation).reason == "Sign in first."
        assert permits(None, resource, operation).allowed is False


def test_a_pair_missing_from_the_table_is_refused_with_a_reason():
    decision = permits(make_user(erp=Level.ADMIN), Resource.COST_TYPE, Operation.ARCHIVE)

    assert (decision.allowed, decision.reason) == (False, "No one may archive or unarchive cost types in Trestle.")


@pytest.mark.parametrize(
    ("make", "resource", "operation", "message"),
    [
        (lambda: make_user(erp=Level.READ_ONLY), Resource.COST_TYPE, A, "To add cost types you need Admin on ERP Integrations."),
        (
            lambda: make_user(erp=Level.READ_ONLY),
            Resource.STANDARD_COST_CODE,
            Operation.ASSIGN_DEFAULT_COST_TYPES,
            "To assign default cost types to standard cost codes you need Standard on ERP Integrations "
            "(permission table row 15).",
        ),
        (lambda: make_user(), Resource.STANDARD_COST_CODE, V, "To view standard cost codes you need Read Only on ERP Integrations or to be on a project's team."),
        (lambda: make_user(directory=Level.STANDARD), Resource.COMPANY, Operation.ARCHIVE, "To archive or unarchive companies you need Admin on Directory."),
        (
            lambda: make_user(),
            Resource.PROJECT,
            A,
            "To add projects you need Standard on Admin (company) or Standard on Directory with the Create New Project permission.",
        ),
        (lambda: make_user(), Resource.SUB_JOB, C, "To change sub jobs you need Standard on Admin (project) on one of your projects."),
    ],
)
def test_a_refusal_says_what_is_needed(make, resource, operation, message):
    with pytest.raises(PermissionRefused) as refused:
        require_permitted(make(), resource, operation)

    assert (refused.value.status_code, refused.value.message) == (403, message)


def test_an_object_refusal_names_the_project():
    alpha = project("A-1")
    user = make_user()
    join(user, alpha, project_admin=Level.STANDARD)

    with pytest.raises(PermissionRefused) as refused:
        require_permitted(user, Resource.PROJECT, D, obj=alpha)

    assert refused.value.message == "To delete projects you need Admin on Admin (project) on project A-1."


# --- the services enforce the same rules when given an actor ---------------------------------


def test_a_read_only_member_cannot_add_a_sub_job_through_the_service_and_nothing_is_created():
    # given
    alpha = project("A-1")
    user = make_user()
    join(user, alpha, project_admin=Level.READ_ONLY)

    # when
    with pytest.raises(PermissionRefused) as refused:
        sub_job_create(project=alpha, code="01", name="Phase 1", actor=user)

    # then
    assert refused.value.message == "To add sub jobs you need Standard on Admin (project) on project A-1."
    assert not SubJob.objects.exists()


def test_a_standard_member_of_one_project_cannot_change_another_and_it_is_unchanged():
    # given
    alpha, bravo = project("A-1", name="Alpha"), project("B-1", name="Bravo")
    user = make_user()
    join(user, alpha, project_admin=Level.STANDARD)

    # when
    with pytest.raises(PermissionRefused):
        project_update(project=bravo, data={"name": "Hijacked"}, actor=user)
    changed = project_update(project=alpha, data={"name": "Alpha 2"}, actor=user)

    # then
    assert changed.name == "Alpha 2"
    assert Project.objects.get(pk=bravo.pk).name == "Bravo"


def test_deleting_needs_admin_on_the_project_and_a_refusal_deletes_nothing():
    # given
    alpha = project("A-1")
    phase = sub_job_create(project=alpha, code="01", name="Phase 1")
    standard_user, admin_user = make_user(), make_user()
    join(standard_user, alpha, project_admin=Level.STANDARD)
    join(admin_user, alpha, project_admin=Level.ADMIN)

    # when
    with pytest.raises(PermissionRefused):
        sub_job_delete(sub_job=phase, actor=standard_user)
    with pytest.raises(PermissionRefused):
        project_delete(project=alpha, actor=standard_user)

    # then
    assert list(SubJob.objects.values_list("code", flat=True)) == ["01"]
    assert Project.objects.filter(pk=alpha.pk).exists()

    # when
    project_delete(project=alpha, actor=admin_user)

    # then
    assert not Project.objects.exists()
    assert not SubJob.objects.exists()


def test_project_creation_follows_the_add_rule():
    with pytest.raises(PermissionRefused):
        project_create(number="1001", name="Warehouse", actor=make_user(directory=Level.STANDARD))
    assert not Project.objects.exists()

    created = project_create(
        number="1001", name="Warehouse", actor=make_user(directory=Level.STANDARD, can_create_new_project=True)
    )

    assert list(Project.objects.values_list("number", flat=True)) == [created.number]


def test_directory_services_follow_the_directory_rules_and_refusals_change_nothing():
    # given
    company = company_create(name="Acme Concrete")
    reader, editor = make_user(directory=Level.READ_ONLY), make_user(directory=Level.STANDARD)

    # when / then
    with pytest.raises(PermissionRefused):
        company_create(name="Beta Builders", actor=reader)
    with pytest.raises(PermissionRefused):
        company_update(company=company, data={"city": "Chicago"}, actor=reader)
    with pytest.raises(PermissionRefused):
        company_archive(company=company, actor=editor)
    with pytest.raises(PermissionRefused):
        company_create(name="Old Vendor", is_archived=True, actor=editor)
    assert list(Company.objects.values_list("name", "city", "is_archived")) == [("Acme Concrete", "", False)]

    company_update(company=company, data={"city": "Chicago"}, actor=editor)
    assert Company.objects.get().city == "Chicago"


def test_wbs_services_follow_the_reference_rules_and_refusals_change_nothing():
    # given
    erp = erp_list()
    cost_types("L", "M")
    standard_codes(erp, {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    code = StandardCostCode.objects.get()
    reader, standard, admin = make_user(erp=Level.READ_ONLY), make_user(erp=Level.STANDARD), make_user(erp=Level.ADMIN)
    labor_and_material = list(code.default_cost_types.model.objects.order_by("code"))

    # when / then
    with pytest.raises(PermissionRefused):
        standard_cost_code_set_default_cost_types(standard_cost_code=code, cost_types=labor_and_material, actor=reader)
    with pytest.raises(PermissionRefused):
        standard_cost_code_deactivate(standard_cost_code=code, actor=standard)
    with pytest.raises(PermissionRefused):
        cost_types_upsert(rows=[{"code": "S", "description": "Subcontract"}], actor=standard)
    code.refresh_from_db()
    assert (list(code.default_cost_types.values_list("code", flat=True)), code.is_active) == (["L"], True)
    assert list(code.default_cost_types.model.objects.values_list("code", flat=True)) == ["L", "M"]

    standard_cost_code_set_default_cost_types(standard_cost_code=code, cost_types=labor_and_material, actor=standard)
    standard_cost_code_deactivate(standard_cost_code=code, actor=admin)
    code.refresh_from_db()
    assert (sorted(code.default_cost_types.values_list("code", flat=True)), code.is_active) == (["L", "M"], False)


def test_adding_a_project_cost_code_needs_standard_on_that_projects_admin_tool():
    # given
    standard_codes(erp_list(), {"code": "01-100", "description": "Supervision"})
    alpha = project("A-1")
    reader = make_user()
    join(reader, alpha, project_admin=Level.READ_ONLY)

    # when
    with pytest.raises(PermissionRefused) as refused:
        project_cost_code_add_from_standard(project=alpha, standard_cost_code=StandardCostCode.objects.get(), actor=reader)

    # then
    assert refused.value.message == "To add project cost codes you need Standard on Admin (project) on project A-1."
    assert not ProjectCostCode.objects.exists()


def test_actor_none_is_the_system_and_is_not_checked():
    alpha = project("A-1")

    sub_job_create(project=alpha, code="01", name="Phase 1", actor=None)

    assert SubJob.objects.count() == 1
