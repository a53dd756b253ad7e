"""The Budget tool in a real browser: the project manager adds the project's budget, adds lines for every cost
code / cost type of the project, types the amounts into the grid, saves and sees the totals to the cent; a line
not yet on the Sage job shows "?" (R72). Screenshots of every step are saved in ``var/screenshots/``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.access.models import Level
from apps.budgets.models import Budget
from tests.budgets.helpers import budget_user, project_with_codes
from tests.e2e.conftest import CHROMIUM_MISSING, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def test_pm_builds_a_budget_and_sees_the_totals(page, log_in, screenshot):
    project = project_with_codes("1001", codes=(("01-100", True), ("03-300", False)))
    pm = budget_user(project, Level.ADMIN, username="pm")
    log_in(pm)

    page.goto("/admin/budgets/budget/add/")
    page.locator(".field-project .select2-selection").click()  # the project picker
    page.locator(".select2-search__field").fill("1001")
    page.locator(".select2-results__option", has_text="1001").click()
    screenshot("1-add-budget")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".budget-empty")).to_contain_text("This budget has no lines yet")
    screenshot("2-empty-budget")

    page.get_by_role("button", name="Add lines for all the project's cost codes").click()
    expect(page.locator(".messagelist")).to_contain_text("4 budget line(s) added at $0.00")
    amounts = {"01-100.L": "1000.10", "01-100.M": "2000.20", "03-300.L": "333.33", "03-300.M": "0.01"}
    rows = page.locator("#lines-group tbody tr.form-row.has_original")
    expect(rows).to_have_count(4)
    for index in range(4):
        row = rows.nth(index)
        label = row.locator("td.field-line").inner_text().split(" ")[0]
        row.locator("input[name$='-original_amount']").fill(amounts[label])
    expect(page.locator("#lines-group tbody tr.has_original td.field-on_sage strong", has_text="?")).to_have_count(2)
    screenshot("3-amounts-typed")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    totals = page.locator("table.budget-totals")
    expect(totals).to_contain_text("$3,333.64")
    screenshot("4-totals")

    page.get_by_role("link", name="Edit lines as a list").click()
    expect(page.locator(".budget-totals-footer .total-original")).to_have_text("$3,333.64")
    screenshot("5-lines-list")
    budget = Budget.objects.get(project=project)
    assert sum(line.original_amount for line in budget.lines.all()) == Decimal("3333.64")
