"""The Budget tool in the admin: the grid with totals, lock/unlock, the "?" marker, budget changes add-only
(R73), CSV/XLSX export, and another project's budget is absent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.budgets.models import Budget, BudgetChange, BudgetLine
from apps.budgets.services import CHANGE_IS_FINAL, budget_change_create, budget_create, budget_lock
from tests.budgets.helpers import budget_user, budget_with_lines, pct, project_with_codes



def url(model, view, *args):
    return reverse(f"admin:budgets_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def setup(client):
    project = project_with_codes("1001")
    budget, lines = budget_with_lines(project, {("01-100", "L"): "1000.10", ("01-100", "M"): "2000.20",
                                                ("03-300", "L"): "5.00"})
    budget_change_create(budget=budget, description="Owner adds a dock", lines=[(lines[("01-100", "L")], "150.05")])
    pm = budget_user(project, Level.ADMIN, username="pm")
    client.force_login(pm)
    return project, budget, lines, pm


def test_budget_page_shows_the_grid_with_totals_and_question_marks(client, setup):
    project, budget, lines, _ = setup
    page = client.get(url(Budget, "change", budget.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "$3,005.30" in body  # original
    assert "$150.05" in body  # approved changes
    assert "$3,155.35" in body  # revised, to the cent
    assert "$1,150.15" in body  # the line's revised budget
    assert 'title="Not on the Sage job yet' in body  # the 03-300 line shows "?" (R72)
    assert "Add lines for all the project" in body


def test_budget_changelist_shows_totals(client, setup):
    body = client.get(url(Budget, "changelist")).content.decode()
    assert "1001" in body and "$3,155.35" in body


def test_line_list_is_editable_and_has_a_totals_row(client, setup):
    project, budget, lines, _ = setup
    body = client.get(url(BudgetLine, "changelist") + f"?project={project.pk}").content.decode()
    assert 'name="form-0-original_amount"' in body
    assert "Totals of the lines listed" in body and "$3,155.35" in body


def test_grid_edit_saves_through_the_service(client, setup):
    project, budget, lines, _ = setup
    line = lines[("01-100", "M")]
    response = client.get(url(Budget, "change", budget.pk))
    formset = response.context["inline_admin_formsets"][0].formset
    data = {"export_forecast_amounts": "", f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
            f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            f"{formset.prefix}-MIN_NUM_FORMS": "0", f"{formset.prefix}-MAX_NUM_FORMS": "1000"}
    for index, form in enumerate(formset.forms):
        prefix = f"{formset.prefix}-{index}"
        data[f"{prefix}-id"] = str(form.instance.pk)
        data[f"{prefix}-budget"] = str(budget.pk)
        for field in ("original_amount", "estimated_cost_at_completion", "forecast_to_complete", "unit_qty",
                      "unit_of_measure"):
            value = getattr(form.instance, field)
            data[f"{prefix}-{field}"] = "" if value is None else str(value)
        if form.instance.pk == line.pk:
            data[f"{prefix}-original_amount"] = "2500.00"
            data[f"{prefix}-estimated_cost_at_completion"] = "2600.00"
    response = client.post(url(Budget, "change", budget.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    line.refresh_from_db()
    assert (line.original_amount, line.estimated_cost_at_completion) == (Decimal("2500.00"), Decimal("2600.00"))


def test_lock_and_unlock_actions(client, setup):
    project, budget, lines, _ = setup
    response = client.post(url(Budget, "changelist"), {"action": "lock_budgets", "_selected_action": [budget.pk]},
                           follow=True)
    assert "1 budget(s) locked." in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).is_locked
    page = client.get(url(Budget, "change", budget.pk)).content.decode()
    assert "This budget is locked" in page and 'name="lines-0-original_amount"' not in page
    response = client.post(url(Budget, "changelist"), {"action": "unlock_budgets", "_selected_action": [budget.pk]},
                           follow=True)
    assert "1 budget(s) unlocked." in response.content.decode()
    assert not Budget.objects.get(pk=budget.pk).is_locked


def test_standard_user_has_no_lock_action_and_a_posted_one_is_refused(client, setup):
    project, budget, *_ = setup
    client.force_login(budget_user(project, Level.STANDARD))
    page = client.get(url(Budget, "changelist")).content.decode()
    assert "lock_budgets" not in page
    response = client.post(url(Budget, "changelist"), {"action": "lock_budgets", "_selected_action": [budget.pk]},
                           follow=True)
    assert "You may not use the action" in response.content.decode()
    assert not Budget.objects.get(pk=budget.pk).is_locked


def test_locked_line_page_is_read_only(client, setup):
    project, budget, lines, _ = setup
    budget_lock(budget=budget)
    page = client.get(url(BudgetLine, "change", lines[("01-100", "L")].pk)).content.decode()
    assert 'name="original_amount"' not in page


def test_add_all_lines_button(client, setup):
    project, budget, *_ = setup
    response = client.post(url(Budget, "change", budget.pk), {"_add_all_lines": "1"}, follow=True)
    assert "3 budget line(s) added at $0.00" in response.content.decode()
    assert budget.lines.count() == 6


def _change_form(budget, lines_and_amounts, **fields):
    data = {"budget": str(budget.pk), "kind": "change", "status": "approved", "description": "Dock 2",
            "date": "2026-03-01", "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000", **fields}
    for index, (line, amount) in enumerate(lines_and_amounts):
        data[f"lines-{index}-budget_line"] = str(line.pk)
        data[f"lines-{index}-amount"] = amount
    return data


def test_budget_change_is_added_then_read_only_R73(client, setup):
    project, budget, lines, _ = setup
    assert client.get(url(BudgetChange, "add") + f"?budget={budget.pk}").status_code == 200
    response = client.post(url(BudgetChange, "add"), _change_form(budget, [(lines[("01-100", "M")], "99.95")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    change = BudgetChange.objects.get(description="Dock 2")
    assert change.number == 2 and change.lines.get().amount == Decimal("99.95")
    page = client.get(url(BudgetChange, "change", change.pk)).content.decode()
    assert 'name="description"' not in page and "Delete" not in page.split('id="content-main"')[1]
    response = client.post(url(BudgetChange, "change", change.pk), {"description": "edited"}, follow=True)
    assert CHANGE_IS_FINAL in response.content.decode()
    assert BudgetChange.objects.get(pk=change.pk).description == "Dock 2"
    assert client.post(url(BudgetChange, "delete", change.pk), {"post": "yes"}).status_code == 403
    assert BudgetChange.objects.filter(pk=change.pk).exists()


def test_budget_change_on_a_question_mark_line_is_refused_in_the_form_R72(client, setup):
    project, budget, lines, _ = setup
    response = client.post(url(BudgetChange, "add"), _change_form(budget, [(lines[("03-300", "L")], "10.00")]))
    assert response.status_code == 200
    assert "not on the project" in response.content.decode() and "“?”" in response.content.decode()
    assert not BudgetChange.objects.filter(description="Dock 2").exists()


def test_budget_csv_export(client, setup):
    project, budget, *_ = setup
    response = client.post(url(BudgetLine, "export") + f"?project={project.pk}", {"format": "0",
                           **{f"budgetlineresource_{f}": "on" for f in ("project", "cost_code", "cost_type", "on_sage",
                              "original_amount", "approved_changes", "revised_amount")}})
    assert response.status_code == 200, response.content.decode()[:2000]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_code = {(row["cost_code"], row["cost_type"]): row for row in rows}
    assert by_code[("01-100", "L")]["revised_budget"] == "1150.15"
    assert by_code[("03-300", "L")]["on_sage_job"] == "?"


def test_another_projects_budget_is_absent(client, setup):
    project, budget, lines, _ = setup
    other = project_with_codes("2002")
    other_budget = budget_create(project=other)
    assert client.get(url(Budget, "change", other_budget.pk)).status_code in (302, 404)
    assert "2002" not in client.get(url(Budget, "changelist")).content.decode()
    assert client.get(url(BudgetLine, "changelist") + f"?project={other.pk}").content.decode().count("form-0-") == 0


def test_empty_state_says_what_to_do(client):
    project = project_with_codes("3003")
    budget = budget_create(project=project)
    client.force_login(budget_user(project, Level.ADMIN))
    body = client.get(url(Budget, "change", budget.pk)).content.decode()
    assert "This budget has no lines yet" in body
