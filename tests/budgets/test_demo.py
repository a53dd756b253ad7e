"""Demo budgets: loaded on the demo projects, again without duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.budgets.models import Budget, BudgetChange, BudgetLine
from apps.budgets.selectors import budget_totals
from apps.demo.loader import seed_budgets, seed_demo



def test_demo_budgets_load_and_load_again_unchanged():
    seed_demo()
    budget = Budget.objects.get(project__number="24-101")
    totals = budget_totals(budget=budget)
    assert totals["original"] == Decimal("397000.00")
    assert totals["approved_changes"] == Decimal("0.00")  # a balanced transfer
    assert BudgetChange.objects.filter(budget=budget, kind="transfer").count() == 1
    assert Budget.objects.filter(project__number="26-106").exists()
    before = (Budget.objects.count(), BudgetLine.objects.count(), BudgetChange.objects.count())
    seed_budgets()
    assert (Budget.objects.count(), BudgetLine.objects.count(), BudgetChange.objects.count()) == before
