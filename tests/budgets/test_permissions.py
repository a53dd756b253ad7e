"""The Budget tool's levels in the rules table: Read Only sees, Standard keeps lines and adds budget changes,
Admin creates, locks and unlocks; nobody edits or deletes a budget change (R73); nobody outside the team sees it."""

from __future__ import annotations

import pytest

from apps.access.models import Level
from apps.access.rules import Operation, Resource, permits
from apps.budgets.services import budget_create
from tests.access.helpers import make_user
from tests.budgets.helpers import budget_user, project_with_codes

V, A, C, D, LOCK = Operation.VIEW, Operation.ADD, Operation.CHANGE, Operation.DELETE, Operation.LOCK


@pytest.mark.parametrize("level, budget_ops, line_ops, change_ops", [
    (Level.READ_ONLY, [True, False, False, False], [True, False, False, False], [True, False, False, False]),
    (Level.STANDARD, [True, False, False, False], [True, True, True, True], [True, True, False, False]),
    (Level.ADMIN, [True, True, True, True], [True, True, True, True], [True, True, False, False]),
])
def test_budget_tool_levels(level, budget_ops, line_ops, change_ops):
    project = project_with_codes()
    budget = budget_create(project=project)
    user = budget_user(project, level)
    assert [permits(user, Resource.BUDGET, op, obj=budget).allowed for op in (V, A, C, LOCK)] == budget_ops
    assert [permits(user, Resource.BUDGET_LINE, op, project=project).allowed for op in (V, A, C, D)] == line_ops
    assert [permits(user, Resource.BUDGET_CHANGE, op, project=project).allowed for op in (V, A, C, D)] == change_ops


def test_no_budget_level_or_another_project_sees_nothing():
    project, other = project_with_codes(), project_with_codes()
    budget = budget_create(project=other)
    on_team_without_budget = budget_user(project, Level.NONE)
    outsider = make_user()
    for user in (on_team_without_budget, outsider, budget_user(project, Level.ADMIN)):
        decision = permits(user, Resource.BUDGET, V, obj=budget)
        assert decision.allowed is False and "Budget" in decision.reason
