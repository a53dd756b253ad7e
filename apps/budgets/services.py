"""Every write to budgets, budget lines and budget changes.

``actor`` is the user doing it (checked against the access rules); ``actor=None`` is the system (the
demo loader, the ERP engine next) and is not checked. Refusals raise before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.access.rules import Operation, Resource, require_actor
from apps.budgets.models import MONEY, Budget, BudgetChange, BudgetChangeLine, BudgetLine
from apps.core.exceptions import Conflict, ValidationFailed
from apps.core.validation import ErrorDict, add_error, raise_if_errors
from apps.wbs.models import ProjectCostType

LINE_EDITABLE_FIELDS = (
    "original_amount",
    "unit_qty",
    "unit_of_measure",
    "estimated_cost_at_completion",
    "forecast_to_complete",
)
MONEY_FIELDS = ("original_amount", "estimated_cost_at_completion", "forecast_to_complete")
LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])

# R73
CHANGE_IS_FINAL = (
    "A budget change cannot be edited or deleted once it has been created. To correct it, create another "
    "budget change for the difference."
)


def _set_actor(instance, actor) -> None:
    if actor is not None:
        instance._history_user = actor


def _locked_message(budget: Budget) -> str:
    return (
        f"The budget of project {budget.project.number} is locked, so its lines cannot be added, edited or removed. "
        "Ask a Budget administrator to unlock it, or record the change as a budget change."
    )


def _money(errors: ErrorDict, field: str, value: Any, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            add_error(errors, field, "Enter an amount (0 for none).")
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").replace("$", "").strip())
    except (InvalidOperation, ValueError):
        add_error(errors, field, "Enter an amount in dollars and cents, e.g. 1250.00.")
        return None
    if not amount.is_finite() or abs(amount) >= LIMIT:
        add_error(errors, field, "Enter an amount below $1 trillion.")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        add_error(errors, field, "Enter the amount to the cent (at most 2 decimal places).")
        return None
    return amount.quantize(Decimal("0.01"))


# --- the budget -------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, project, export_forecast_amounts: bool = False, actor=None) -> Budget:
    """The project's budget (one per project)."""
    require_actor(actor, Resource.BUDGET, Operation.ADD, project=project)
    if Budget.objects.filter(project=project).exists():
        raise ValidationFailed({"project": [f"Project {project.number} already has a budget; open it instead."]})
    budget = Budget(project=project, export_forecast_amounts=export_forecast_amounts)
    _set_actor(budget, actor)
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:
        raise ValidationFailed({"project": [f"Project {project.number} already has a budget; open it instead."]}) from None
    return budget


def budget_get_or_create(*, project, actor=None) -> Budget:
    budget = Budget.objects.filter(project=project).first()
    return budget if budget is not None else budget_create(project=project, actor=actor)


@transaction.atomic
def budget_update(*, budget: Budget, data: Mapping[str, Any], actor=None) -> Budget:
    require_actor(actor, Resource.BUDGET, Operation.CHANGE, obj=budget)
    if "export_forecast_amounts" in data:
        budget.export_forecast_amounts = bool(data["export_forecast_amounts"])
    _set_actor(budget, actor)
    budget.save()
    return budget


@transaction.atomic
def budget_lock(*, budget: Budget, actor=None) -> Budget:
    require_actor(actor, Resource.BUDGET, Operation.LOCK, obj=budget)
    budget = Budget.objects.select_for_update().select_related("project").get(pk=budget.pk)
    if budget.is_locked:
        raise Conflict(f"The budget of project {budget.project.number} is already locked.")
    budget.is_locked = True
    budget.locked_at = timezone.now()
    budget.locked_by = actor
    _set_actor(budget, actor)
    budget.save()
    return budget


def budget_unlock_problem(*, budget: Budget) -> str | None:
    """Why the budget cannot be unlocked now, or None.

    The seam for R68: once the budget has been exported, the ERP step (``apps/budgets/erp.py``) adds the
    check that the exported original estimate has been posted in Sage and synced back, naming the step
    that is missing. Until a budget can be exported, only "not locked" refuses.
    """
    if not budget.is_locked:
        return f"The budget of project {budget.project.number} is not locked."
    return None


@transaction.atomic
def budget_unlock(*, budget: Budget, actor=None) -> Budget:
    require_actor(actor, Resource.BUDGET, Operation.LOCK, obj=budget)
    budget = Budget.objects.select_for_update().select_related("project").get(pk=budget.pk)
    problem = budget_unlock_problem(budget=budget)
    if problem:
        raise Conflict(problem)
    budget.is_locked = False
    budget.locked_at = None
    budget.locked_by = None
    _set_actor(budget, actor)
    budget.save()
    return budget


# --- lines ------------------------------------------------------------------------------------


def _line_values(data: Mapping[str, Any], errors: ErrorDict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in LINE_EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in MONEY_FIELDS:
            values[field] = _money(errors, field, value, required=field == "original_amount")
        elif field == "unit_qty":
            if value in (None, ""):
                values[field] = None
            else:
                try:
                    quantity = Decimal(str(value))
                    if not quantity.is_finite() or abs(quantity) >= Decimal(10) ** 10:
                        raise InvalidOperation
                    values[field] = quantity.quantize(Decimal("0.0001"))
                except (InvalidOperation, ValueError):
                    add_error(errors, field, "Enter a number of units, e.g. 120 or 12.5.")
        else:
            text = (value or "").strip()
            if len(text) > 10:
                add_error(errors, field, "Use at most 10 characters for the unit of measure, e.g. LF or EA.")
            values[field] = text
    return values


def _locked_budget(budget: Budget) -> Budget:
    return Budget.objects.select_for_update().select_related("project").get(pk=budget.pk)


@transaction.atomic
def budget_line_create(*, budget: Budget, project_cost_type: ProjectCostType, data: Mapping[str, Any] | None = None,
                       actor=None) -> BudgetLine:
    """A line for one of the project's cost code / cost type combinations."""
    require_actor(actor, Resource.BUDGET_LINE, Operation.ADD, project=budget.project)
    budget = _locked_budget(budget)
    if budget.is_locked:
        raise Conflict(_locked_message(budget))
    errors: ErrorDict = {}
    if project_cost_type.project_cost_code.project_id != budget.project_id:
        add_error(errors, "project_cost_type", f"Pick a cost code / cost type of project {budget.project.number}.")
    elif BudgetLine.objects.filter(budget=budget, project_cost_type=project_cost_type).exists():
        add_error(errors, "project_cost_type", f"The budget already has a line for {project_cost_type}; edit that line.")
    values = _line_values({"original_amount": Decimal("0.00"), **(data or {})}, errors)
    raise_if_errors(errors)
    line = BudgetLine(budget=budget, project_cost_type=project_cost_type, **values)
    _set_actor(line, actor)
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        raise ValidationFailed(
            {"project_cost_type": [f"The budget already has a line for {project_cost_type}; edit that line."]}
        ) from None
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, data: Mapping[str, Any], actor=None) -> BudgetLine:
    require_actor(actor, Resource.BUDGET_LINE, Operation.CHANGE, obj=line)
    budget = _locked_budget(line.budget)
    if budget.is_locked:
        raise Conflict(_locked_message(budget))
    errors: ErrorDict = {}
    if "project_cost_type" in data and data["project_cost_type"] != line.project_cost_type:
        add_error(errors, "project_cost_type", "A line keeps its cost code / cost type; add a new line instead.")
    values = _line_values(data, errors)
    raise_if_errors(errors)
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    for field, value in values.items():
        setattr(line, field, value)
    _set_actor(line, actor)
    line.save()
    return line


@transaction.atomic
def budget_lines_add_all(*, budget: Budget, actor=None) -> int:
    """A $0.00 line for every cost code / cost type of the project not yet on the budget; how many were added."""
    require_actor(actor, Resource.BUDGET_LINE, Operation.ADD, project=budget.project)
    budget = _locked_budget(budget)
    if budget.is_locked:
        raise Conflict(_locked_message(budget))
    missing = ProjectCostType.objects.filter(project_cost_code__project=budget.project_id).exclude(
        budget_lines__budget=budget
    )
    lines = [BudgetLine(budget=budget, project_cost_type=pct) for pct in missing]
    BudgetLine.objects.bulk_create(lines)
    return len(lines)


def budget_line_delete_problem(*, line: BudgetLine) -> str | None:
    if line.budget.is_locked:
        return _locked_message(line.budget)
    if line.change_lines.exists():
        return "This line has budget changes, so it cannot be removed; set its amounts to 0 instead."
    return None


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, actor=None) -> None:
    require_actor(actor, Resource.BUDGET_LINE, Operation.DELETE, obj=line)
    _locked_budget(line.budget)
    line = BudgetLine.objects.select_related("budget__project").get(pk=line.pk)
    problem = budget_line_delete_problem(line=line)
    if problem:
        raise Conflict(problem)
    _set_actor(line, actor)
    line.delete()


# --- budget changes ---------------------------------------------------------------------------


def question_mark_message(line: BudgetLine) -> str:
    # R72, A18
    return (
        f"Line {line} is not on the project's Sage job yet (shown with “?”), so a budget change cannot move money "
        "into or out of it. Refresh the project's cost codes from Sage, or send the budget, first."
    )


@transaction.atomic
def budget_change_create(
    *,
    budget: Budget,
    description: str,
    date: datetime.date | None = None,
    lines: Sequence[tuple[BudgetLine, Any]] | Iterable[Mapping[str, Any]],
    kind: str = BudgetChange.Kind.CHANGE,
    status: str = BudgetChange.Status.APPROVED,
    actor=None,
) -> BudgetChange:
    """A budget change with its lines (``(budget_line, amount)`` pairs or ``{"budget_line", "amount"}``).
    Final once created (R73). A transfer's lines usually add up to zero; that is shown, not enforced (R77)."""
    require_actor(actor, Resource.BUDGET_CHANGE, Operation.ADD, project=budget.project)
    budget = _locked_budget(budget)
    errors: ErrorDict = {}
    description = (description or "").strip()
    if not description:
        add_error(errors, "description", "Describe the change, e.g. “Owner added a second loading dock”.")
    elif len(description) > 255:
        add_error(errors, "description", "Use at most 255 characters for the description.")
    if kind not in BudgetChange.Kind.values:
        add_error(errors, "kind", "Choose a budget change or a transfer.")
    if status not in BudgetChange.Status.values:
        add_error(errors, "status", "Choose approved or pending.")
    pairs: list[tuple[BudgetLine, Decimal]] = []
    for item in lines:
        line, amount = (item["budget_line"], item.get("amount")) if isinstance(item, Mapping) else item
        value = _money(errors, "lines", amount, required=True)
        if line.budget_id != budget.pk:
            add_error(errors, "lines", f"Line {line} is not on the budget of project {budget.project.number}.")
            continue
        if line.project_cost_type.erp_synced_at is None:
            add_error(errors, "lines", question_mark_message(line))
            continue
        if value is not None:
            if value == 0:
                add_error(errors, "lines", f"Enter an amount other than 0 for line {line}.")
                continue
            pairs.append((line, value))
    if not pairs and "lines" not in errors:
        add_error(errors, "lines", "Add at least one line with the amount it changes by.")
    raise_if_errors(errors)
    number = (BudgetChange.objects.filter(budget=budget).aggregate(n=Max("number"))["n"] or 0) + 1
    change = BudgetChange(
        budget=budget,
        number=number,
        kind=kind,
        status=status,
        description=description,
        date=date or timezone.localdate(),
        created_by=actor,
    )
    _set_actor(change, actor)
    change.save()
    BudgetChangeLine.objects.bulk_create(
        [BudgetChangeLine(change=change, budget_line=line, amount=amount) for line, amount in pairs]
    )
    return change


def budget_change_update(*, change: BudgetChange, data: Mapping[str, Any] | None = None, actor=None):
    """Always refused (R73); here so that every door says the same thing."""
    require_actor(actor, Resource.BUDGET_CHANGE, Operation.VIEW, obj=change)
    raise Conflict(CHANGE_IS_FINAL, code="budget_change_final")


def budget_change_delete(*, change: BudgetChange, actor=None):
    """Always refused (R73)."""
    require_actor(actor, Resource.BUDGET_CHANGE, Operation.VIEW, obj=change)
    raise Conflict(CHANGE_IS_FINAL, code="budget_change_final")
