"""The permission matrix, walked row by row against shared/PERMISSIONS.md (R175).

Personas differ only in their ERP Integrations level and the Can Push to Accounting privilege;
rows with extra requirements (P#25, P#34, P#36, P#37) are also tested with those requirements met.
"""

import pytest

from apps.access.checks import can, require
from apps.access.matrix import MATRIX, Action
from apps.access.models import Level
from apps.erp.item_types import ItemType
from apps.core.exceptions import PermissionRefused
from apps.projects.models import Project
from tests.access.helpers import join, make_user

PERSONAS = {
    "none": dict(erp=Level.NONE),
    "read_only": dict(erp=Level.READ_ONLY),
    "standard": dict(erp=Level.STANDARD),
    "admin": dict(erp=Level.ADMIN),
    "admin_push": dict(erp=Level.ADMIN, can_push=True),
}
N, R, S, A, AP = "none", "read_only", "standard", "admin", "admin_push"
APPROVER_ONLY = {AP}
STANDARD_UP = {S, A, AP}
ADMIN_UP = {A, AP}
NOBODY: set[str] = set()

# PERMISSIONS.md, row by row: which personas may act (project-level extras not granted).
EXPECTED = {
    1: APPROVER_ONLY, 2: APPROVER_ONLY, 3: APPROVER_ONLY, 4: APPROVER_ONLY, 5: APPROVER_ONLY,
    6: APPROVER_ONLY, 7: APPROVER_ONLY, 8: APPROVER_ONLY, 9: APPROVER_ONLY, 10: APPROVER_ONLY,
    11: STANDARD_UP, 12: STANDARD_UP, 13: ADMIN_UP, 14: STANDARD_UP, 15: STANDARD_UP,
    16: ADMIN_UP, 17: ADMIN_UP, 18: ADMIN_UP, 19: STANDARD_UP, 20: STANDARD_UP,
    21: STANDARD_UP, 22: ADMIN_UP, 23: ADMIN_UP, 24: ADMIN_UP,
    25: NOBODY,  # needs Admin on the item's own tool, which no persona has
    26: ADMIN_UP, 27: ADMIN_UP,
    28: STANDARD_UP, 29: STANDARD_UP, 30: STANDARD_UP, 31: STANDARD_UP, 32: STANDARD_UP, 33: STANDARD_UP,
    34: NOBODY,  # also needs the company Directory
    35: ADMIN_UP,
    36: ADMIN_UP,  # at company level (no project)
    37: NOBODY,  # needs Reports + Budget/Prime Contracts on the project
    38: STANDARD_UP,
}

ROWS = sorted(MATRIX.items(), key=lambda item: item[1].row)


def test_matrix_has_the_38_rows_of_the_seed_table():
    assert [rule.row for _, rule in ROWS] == list(range(1, 39))
    assert set(EXPECTED) == set(range(1, 39))


@pytest.fixture
def personas(db):
    return {name: make_user(username=f"persona_{name}", **kwargs) for name, kwargs in PERSONAS.items()}


@pytest.mark.parametrize("action,rule", ROWS, ids=[f"P{rule.row}-{action.value}" for action, rule in ROWS])
def test_each_row_for_each_persona(personas, action, rule):
    for name, user in personas.items():
        # when
        decision = can(user, action)

        # then
        assert bool(decision) is (name in EXPECTED[rule.row]), f"row {rule.row} {action.label}: persona {name}"
        if not decision:
            assert decision.reason.startswith(action.label + " needs ")


def test_refusal_names_what_is_missing(personas):
    with pytest.raises(PermissionRefused) as refused:
        require(personas[A], Action.ACCEPT_REJECT_PROJECT)

    assert refused.value.message == (
        "Accept or Reject a Project for Export to ERP needs the Can Push to Accounting privilege."
    )
    assert refused.value.status_code == 403


def test_standard_with_can_push_is_an_approver_but_cannot_accept(db):
    # R174 defines the approver; the rows (and DECISIONS A7) require Admin to accept or reject.
    user = make_user(erp=Level.STANDARD, can_push=True)

    assert not can(user, Action.ACCEPT_REJECT_PCCO)
    assert can(user, Action.UNLINK_PCCO)


def test_approver_export_switch_per_item_type(db):
    user = make_user(erp=Level.ADMIN, can_push=True, can_export_item_types=[ItemType.COMMITMENT])

    assert can(user, Action.ACCEPT_REJECT_COMMITMENT)
    decision = can(user, Action.ACCEPT_REJECT_COMPANY)
    assert not decision
    assert "permission to export companies" in decision.reason


def test_import_switch_limits_adding_erp_jobs(db):
    user = make_user(erp=Level.ADMIN, can_import_item_types=[ItemType.COMPANY])

    assert can(user, Action.ADD_ERP_COMPANY)
    assert not can(user, Action.ADD_ERP_JOB)


@pytest.fixture
def project(db):
    return Project.objects.create(number="P-100", name="Elm Street")


def test_send_needs_admin_on_the_items_tool_and_nothing_on_erp(project):
    # P#25: no ERP Integrations permission; Admin on the tool where the item lives.
    sender = make_user(erp=Level.NONE)
    join(sender, project, commitments=Level.ADMIN, budget=Level.STANDARD)

    assert can(sender, Action.SEND_RETRIEVE_RESEND, project=project, item_type=ItemType.COMMITMENT)
    assert not can(sender, Action.SEND_RETRIEVE_RESEND, project=project, item_type=ItemType.BUDGET)
    assert not can(sender, Action.SEND_RETRIEVE_RESEND, project=None, item_type=ItemType.COMMITMENT)


def test_send_company_needs_directory_admin(db):
    assert can(make_user(directory=Level.ADMIN), Action.SEND_RETRIEVE_RESEND, item_type=ItemType.COMPANY)
    assert not can(make_user(directory=Level.STANDARD), Action.SEND_RETRIEVE_RESEND, item_type=ItemType.COMPANY)


@pytest.mark.parametrize(
    "_case,directory,create_new_project,allowed",
    [
        ("directory admin", Level.ADMIN, False, True),
        ("directory standard with create new project", Level.STANDARD, True, True),
        ("directory standard without it", Level.STANDARD, False, False),
        ("directory read only with it", Level.READ_ONLY, True, False),
    ],
)
def test_synced_sub_jobs_list_needs_the_directory(db, _case, directory, create_new_project, allowed):
    user = make_user(erp=Level.STANDARD, directory=directory, can_create_new_project=create_new_project)

    assert bool(can(user, Action.VIEW_SYNCED_SUB_JOBS)) is allowed


@pytest.mark.parametrize(
    "_case,levels,allowed",
    [
        ("reports read only + budget admin", dict(reports=Level.READ_ONLY, budget=Level.ADMIN), True),
        ("reports read only + prime contracts admin", dict(reports=Level.READ_ONLY, prime_contracts=Level.ADMIN), True),
        ("reports read only + budget standard", dict(reports=Level.READ_ONLY, budget=Level.STANDARD), False),
        ("no reports + budget admin", dict(budget=Level.ADMIN), False),
    ],
)
def test_project_level_reports(project, _case, levels, allowed):
    # P#36 at project level needs ERP Admin as well; P#37 needs nothing on ERP Integrations.
    erp_admin = make_user(erp=Level.ADMIN)
    join(erp_admin, project, **levels)
    no_erp = make_user(erp=Level.NONE)
    join(no_erp, project, **levels)

    assert bool(can(erp_admin, Action.VIEW_JOB_COSTS_REPORT, project=project)) is allowed
    assert not can(no_erp, Action.VIEW_JOB_COSTS_REPORT, project=project)
    assert bool(can(no_erp, Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT, project=project)) is allowed


def test_changing_a_template_changes_everyone_on_it(db):
    first, second = make_user(erp=Level.STANDARD), make_user(erp=Level.STANDARD)
    template = first.access.company_template
    second.access.company_template = template
    second.access.save()

    template.erp_integrations = Level.ADMIN
    template.save()

    from apps.access.profiles import forget_access_profile

    for user in (first, second):
        forget_access_profile(user)
        assert can(user, Action.CONFIGURE_SYNC_SCHEDULE)


def test_superuser_may_do_everything(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")

    assert all(can(root, action) for action in Action)


def test_anonymous_and_inactive_users_may_do_nothing(db, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    inactive = make_user(erp=Level.ADMIN, can_push=True)
    inactive.is_active = False
    inactive.save()
    from apps.access.profiles import forget_access_profile

    forget_access_profile(inactive)

    assert not any(can(AnonymousUser(), action) for action in Action)
    assert not any(can(inactive, action) for action in Action)
