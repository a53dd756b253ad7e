"""Budget services: totals to the cent, lock refusals, "?" lines, budget changes final once created."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.access.models import Level
from apps.budgets.models import Budget, BudgetChange, BudgetChangeLine, BudgetLine
from apps.budgets.selectors import budget_line_list, budget_list, budget_totals
from apps.budgets.services import (
    CHANGE_IS_FINAL,
    budget_change_create,
    budget_change_delete,
    budget_change_update,
    budget_create,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    budget_lines_add_all,
    budget_lock,
    budget_unlock,
)
from apps.core.exceptions import Conflict, PermissionRefused, ValidationFailed
from tests.budgets.helpers import budget_user, budget_with_lines, pct, project_with_codes



def _snapshot(budget):
    return (
        list(BudgetLine.objects.filter(budget=budget).order_by("pk").values_list(
            "pk", "original_amount", "estimated_cost_at_completion", "forecast_to_complete", "unit_qty")),
        list(BudgetChange.objects.filter(budget=budget).order_by("pk").values_list("pk", "description", "status")),
        list(BudgetChangeLine.objects.filter(change__budget=budget).order_by("pk").values_list("pk", "amount")),
        Budget.objects.filter(pk=budget.pk).values_list("is_locked", flat=True).get(),
    )


def test_totals_per_line_and_project_to_the_cent_include_only_approved_changes():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "1000.10", ("01-100", "M"): "2000.20",
                                                ("02-200", "L"): "333.33"})
    budget_change_create(budget=budget, description="Owner adds a dock",
                         lines=[(lines[("01-100", "L")], "150.05"), (lines[("02-200", "L")], "-0.01")])
    budget_change_create(budget=budget, description="Not yet approved", status=BudgetChange.Status.PENDING,
                         lines=[(lines[("01-100", "M")], "999.99")])
    by_line = {(row.project_cost_type.project_cost_code.code, row.project_cost_type.cost_type.code):
               (row.original_amount, row.approved_changes, row.revised_amount) for row in budget_line_list(budget=budget)}
    assert by_line[("01-100", "L")] == (Decimal("1000.10"), Decimal("150.05"), Decimal("1150.15"))
    assert by_line[("01-100", "M")] == (Decimal("2000.20"), Decimal("0.00"), Decimal("2000.20"))
    assert by_line[("02-200", "L")] == (Decimal("333.33"), Decimal("-0.01"), Decimal("333.32"))
    totals = budget_totals(budget=budget)
    assert totals["original"] == Decimal("3333.63")
    assert totals["approved_changes"] == Decimal("150.04")
    assert totals["revised"] == Decimal("3483.67")
    row = budget_list().get(pk=budget.pk)
    assert (row.original_total, row.approved_changes_total, row.revised_total, row.line_count) == (
        Decimal("3333.63"), Decimal("150.04"), Decimal("3483.67"), 3)


def test_forecast_per_line_and_total_R80():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00", ("01-100", "M"): "50.00"})
    budget_line_update(line=lines[("01-100", "L")], data={"estimated_cost_at_completion": "120.50",
                                                          "forecast_to_complete": "20.25"})
    budget_line_update(line=lines[("01-100", "M")], data={"estimated_cost_at_completion": "49.50"})
    totals = budget_totals(budget=budget)
    assert totals["estimated_cost_at_completion"] == Decimal("170.00")
    assert totals["forecast_to_complete"] == Decimal("20.25")


def test_units_are_kept_R69():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    line = budget_line_update(line=lines[("01-100", "L")], data={"unit_qty": "12.5", "unit_of_measure": "LF"})
    line.refresh_from_db()
    assert (line.unit_qty, line.unit_of_measure) == (Decimal("12.5000"), "LF")


@pytest.mark.parametrize("value, message", [("12.345", "to the cent"), ("abc", "dollars and cents"),
                                             ("1e15", "below $1 trillion")])
def test_bad_amounts_are_refused_with_a_message_and_nothing_changes(value, message):
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    before = _snapshot(budget)
    with pytest.raises(ValidationFailed) as refusal:
        budget_line_update(line=lines[("01-100", "L")], data={"original_amount": value})
    assert message in refusal.value.errors["original_amount"][0]
    assert _snapshot(budget) == before


def test_locked_budget_refuses_line_edits_adds_and_deletes_and_nothing_changes():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    budget_lock(budget=budget)
    budget.refresh_from_db()
    before = _snapshot(budget)
    for attempt in (
        lambda: budget_line_update(line=lines[("01-100", "L")], data={"original_amount": "5.00"}),
        lambda: budget_line_create(budget=budget, project_cost_type=pct(project, "02-200", "L")),
        lambda: budget_line_delete(line=lines[("01-100", "L")]),
        lambda: budget_lines_add_all(budget=budget),
    ):
        with pytest.raises(Conflict) as refusal:
            attempt()
        assert "is locked" in refusal.value.message and "budget change" in refusal.value.message
    assert _snapshot(budget) == before


def test_unlock_and_lock_twice_are_refused_with_a_message():
    project = project_with_codes()
    budget = budget_create(project=project)
    with pytest.raises(Conflict, match="is not locked"):
        budget_unlock(budget=budget)
    budget_lock(budget=budget)
    with pytest.raises(Conflict, match="already locked"):
        budget_lock(budget=budget)
    budget = budget_unlock(budget=budget)
    assert budget.is_locked is False and budget.locked_at is None


def test_only_budget_admins_lock_and_unlock():
    project = project_with_codes()
    budget = budget_create(project=project)
    standard = budget_user(project, Level.STANDARD)
    with pytest.raises(PermissionRefused, match="Admin on Budget"):
        budget_lock(budget=budget, actor=standard)
    assert Budget.objects.get(pk=budget.pk).is_locked is False
    budget_lock(budget=budget, actor=budget_user(project, Level.ADMIN))
    assert Budget.objects.get(pk=budget.pk).is_locked is True


def test_question_mark_line_refuses_budget_changes_R72():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00", ("03-300", "L"): "50.00"})
    before = _snapshot(budget)
    with pytest.raises(ValidationFailed) as refusal:
        budget_change_create(budget=budget, description="Move to 03-300", kind=BudgetChange.Kind.TRANSFER,
                             lines=[(lines[("01-100", "L")], "-10.00"), (lines[("03-300", "L")], "10.00")])
    message = refusal.value.errors["lines"][0]
    assert "03-300" in message and "“?”" in message and "Refresh" in message
    assert _snapshot(budget) == before


def test_budget_change_is_final_once_created_R73():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    change = budget_change_create(budget=budget, description="Dock", lines=[(lines[("01-100", "L")], "25.00")])
    before = _snapshot(budget)
    for attempt in (lambda: budget_change_update(change=change, data={"description": "x"}),
                    lambda: budget_change_delete(change=change)):
        with pytest.raises(Conflict) as refusal:
            attempt()
        assert refusal.value.message == CHANGE_IS_FINAL
    assert _snapshot(budget) == before
    with pytest.raises(Exception):
        change.delete()  # the lines protect it at the database level too


def test_transfer_need_not_add_up_to_zero_R77():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00", ("02-200", "L"): "0.00"})
    change = budget_change_create(budget=budget, description="Move", kind=BudgetChange.Kind.TRANSFER,
                                  lines=[(lines[("01-100", "L")], "-40.00"), (lines[("02-200", "L")], "30.00")])
    assert change.number == 1
    assert budget_totals(budget=budget)["revised"] == Decimal("90.00")


def test_budget_change_numbers_count_up_and_lines_must_be_on_the_budget():
    project, other = project_with_codes(), project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    _, other_lines = budget_with_lines(other, {("01-100", "L"): "100.00"})
    first = budget_change_create(budget=budget, description="A", lines=[(lines[("01-100", "L")], "1.00")])
    second = budget_change_create(budget=budget, description="B", lines=[(lines[("01-100", "L")], "1.00")])
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ValidationFailed, match="is not on the budget"):
        budget_change_create(budget=budget, description="C", lines=[(other_lines[("01-100", "L")], "1.00")])
    with pytest.raises(ValidationFailed, match="at least one line"):
        budget_change_create(budget=budget, description="D", lines=[])


def test_one_budget_per_project_and_lines_only_from_the_project():
    project, other = project_with_codes(), project_with_codes()
    budget = budget_create(project=project)
    with pytest.raises(ValidationFailed, match="already has a budget"):
        budget_create(project=project)
    with pytest.raises(ValidationFailed, match=f"project {project.number}"):
        budget_line_create(budget=budget, project_cost_type=pct(other, "01-100", "L"))
    budget_line_create(budget=budget, project_cost_type=pct(project, "01-100", "L"))
    with pytest.raises(ValidationFailed, match="already has a line"):
        budget_line_create(budget=budget, project_cost_type=pct(project, "01-100", "L"))


def test_add_all_lines_adds_each_missing_combination_once():
    project = project_with_codes()
    budget, _ = budget_with_lines(project, {("01-100", "L"): "100.00"})
    assert budget_lines_add_all(budget=budget) == 5
    assert budget_lines_add_all(budget=budget) == 0
    assert BudgetLine.objects.filter(budget=budget).count() == 6


def test_line_with_changes_cannot_be_removed():
    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("01-100", "L"): "100.00"})
    budget_change_create(budget=budget, description="A", lines=[(lines[("01-100", "L")], "1.00")])
    with pytest.raises(Conflict, match="has budget changes"):
        budget_line_delete(line=lines[("01-100", "L")])
    assert BudgetLine.objects.filter(pk=lines[("01-100", "L")].pk).exists()


def test_a_cost_code_or_type_with_budget_lines_is_refused_with_a_message_and_nothing_changes():
    """Removing a project cost code / cost type that a budget line uses was a 500 (ProtectedError); now a
    refusal naming the budget lines, in the service, the API and the admin — and nothing is removed."""
    from apps.wbs.models import ProjectCostCode, ProjectCostType
    from apps.wbs.services import project_cost_code_remove, project_cost_type_remove
    from tests.access.helpers import api_client, join, make_user

    project = project_with_codes()
    budget, lines = budget_with_lines(project, {("03-300", "L"): "250.00"})  # 03-300 is not on the Sage job
    code = ProjectCostCode.objects.get(project=project, code="03-300")

    with pytest.raises(Conflict, match=r"Cost type L of cost code 03-300 cannot be removed: 1 budget line uses it"):
        project_cost_type_remove(project_cost_type=pct(project, "03-300", "L"))
    with pytest.raises(Conflict, match=r"Cost code 03-300 of project .* cannot be removed: 1 budget line uses it"):
        project_cost_code_remove(project_cost_code=code)
    admin = make_user()
    join(admin, project, project_admin=Level.ADMIN)
    response = api_client(admin).delete(f"/api/v1/project-cost-codes/{code.pk}/")

    assert response.status_code == 409, response.content
    assert "1 budget line uses it" in response.content.decode()
    assert ProjectCostCode.objects.filter(pk=code.pk).exists()
    assert ProjectCostType.objects.filter(project_cost_code=code).count() == 2
    assert BudgetLine.objects.filter(pk=lines[("03-300", "L")].pk).exists()
