"""The budget API: totals, lines, budget changes final once created (R73), "?" refusals (R72), locks,
and another project's budget is a 404 / absent."""

from __future__ import annotations

import pytest

from apps.access.models import Level
from apps.budgets.models import BudgetChange, BudgetLine
from apps.budgets.services import CHANGE_IS_FINAL, budget_change_create, budget_create
from tests.access.helpers import api_client
from tests.budgets.helpers import budget_user, budget_with_lines, pct, project_with_codes



@pytest.fixture
def setup():
    project = project_with_codes("1001")
    budget, lines = budget_with_lines(project, {("01-100", "L"): "1000.10", ("03-300", "L"): "5.00"})
    change = budget_change_create(budget=budget, description="Dock", lines=[(lines[("01-100", "L")], "150.05")])
    pm = budget_user(project, Level.ADMIN)
    return project, budget, lines, change, api_client(pm)


def test_budget_list_has_totals(setup):
    project, budget, lines, change, client = setup
    body = client.get("/api/v1/budgets/").json()
    row = body["results"][0]
    assert (row["original_total"], row["approved_changes_total"], row["revised_total"]) == ("1005.10", "150.05", "1155.15")


def test_lines_show_revised_amount_and_question_mark(setup):
    project, budget, lines, change, client = setup
    rows = {row["cost_code"]: row for row in client.get(f"/api/v1/budget-lines/?budget={budget.pk}").json()["results"]}
    assert rows["01-100"]["revised_amount"] == "1150.15" and rows["01-100"]["on_sage_job"] is True
    assert rows["03-300"]["on_sage_job"] is False


def test_add_and_edit_a_line(setup):
    project, budget, lines, change, client = setup
    response = client.post("/api/v1/budget-lines/", {"budget": budget.pk, "project_cost_type": pct(project, "02-200", "M").pk,
                                                     "original_amount": "12.34", "unit_qty": "3", "unit_of_measure": "EA"},
                           format="json")
    assert response.status_code == 201, response.json()
    line_id = response.json()["id"]
    response = client.patch(f"/api/v1/budget-lines/{line_id}/", {"forecast_to_complete": "7.00"}, format="json")
    assert response.status_code == 200 and response.json()["forecast_to_complete"] == "7.00"


def test_locked_budget_refuses_line_edit_with_a_message(setup):
    project, budget, lines, change, client = setup
    assert client.post(f"/api/v1/budgets/{budget.pk}/lock/").status_code == 200
    response = client.patch(f"/api/v1/budget-lines/{lines[('01-100', 'L')].pk}/", {"original_amount": "1.00"},
                            format="json")
    assert response.status_code == 409 and "is locked" in response.json()["message"]
    assert str(BudgetLine.objects.get(pk=lines[("01-100", "L")].pk).original_amount) == "1000.10"
    assert client.post(f"/api/v1/budgets/{budget.pk}/unlock/").json()["is_locked"] is False


def test_budget_change_create_and_final_R73(setup):
    project, budget, lines, change, client = setup
    response = client.post("/api/v1/budget-changes/", {"budget": budget.pk, "description": "Dock 2",
                           "lines": [{"budget_line": lines[("01-100", "L")].pk, "amount": "-10.00"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2 and response.json()["total"] == "-10.00"
    for method in (client.patch, client.put, client.delete):
        refused = method(f"/api/v1/budget-changes/{change.pk}/", {"description": "x"}, format="json")
        assert refused.status_code == 409 and refused.json()["message"] == CHANGE_IS_FINAL
    assert BudgetChange.objects.get(pk=change.pk).description == "Dock"


def test_budget_change_on_question_mark_line_is_refused_R72(setup):
    project, budget, lines, change, client = setup
    response = client.post("/api/v1/budget-changes/", {"budget": budget.pk, "description": "X",
                           "lines": [{"budget_line": lines[("03-300", "L")].pk, "amount": "10.00"}]}, format="json")
    assert response.status_code == 400 and "“?”" in str(response.json())
    assert BudgetChange.objects.count() == 1


def test_read_only_user_sees_but_cannot_change(setup):
    project, budget, lines, change, _ = setup
    client = api_client(budget_user(project, Level.READ_ONLY))
    assert client.get(f"/api/v1/budgets/{budget.pk}/").status_code == 200
    response = client.patch(f"/api/v1/budget-lines/{lines[('01-100', 'L')].pk}/", {"original_amount": "1"},
                            format="json")
    assert response.status_code == 403 and "Standard on Budget" in response.json()["message"]
    assert client.post(f"/api/v1/budgets/{budget.pk}/lock/").status_code == 403


def test_another_projects_budget_is_404_and_absent(setup):
    project, budget, lines, change, client = setup
    other = project_with_codes("2002")
    other_budget, other_lines = budget_with_lines(other, {("01-100", "L"): "1.00"})
    other_change = budget_change_create(budget=other_budget, description="O", lines=[(other_lines[("01-100", "L")], "1")])
    assert client.get(f"/api/v1/budgets/{other_budget.pk}/").status_code == 404
    assert client.get(f"/api/v1/budget-lines/{other_lines[('01-100', 'L')].pk}/").status_code == 404
    assert client.get(f"/api/v1/budget-changes/{other_change.pk}/").status_code == 404
    assert client.post(f"/api/v1/budgets/{other_budget.pk}/lock/").status_code == 404
    assert [row["id"] for row in client.get("/api/v1/budgets/").json()["results"]] == [budget.pk]
    assert other_lines[("01-100", "L")].pk not in [r["id"] for r in client.get("/api/v1/budget-lines/").json()["results"]]
    response = client.post("/api/v1/budget-lines/", {"budget": other_budget.pk,
                           "project_cost_type": pct(other, "02-200", "L").pk}, format="json")
    assert response.status_code in (400, 403)
    assert not BudgetLine.objects.filter(budget=other_budget, project_cost_type=pct(other, "02-200", "L")).exists()


def test_one_budget_per_project_via_api(setup):
    project, budget, lines, change, client = setup
    response = client.post("/api/v1/budgets/", {"project": project.pk}, format="json")
    assert response.status_code == 400 and "already has a budget" in str(response.json())
    fresh = project_with_codes("3003")
    client = api_client(budget_user(fresh, Level.ADMIN))
    response = client.post("/api/v1/budgets/", {"project": fresh.pk, "export_forecast_amounts": True}, format="json")
    assert response.status_code == 201 and response.json()["export_forecast_amounts"] is True
