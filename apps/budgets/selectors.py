"""Reads of budgets, budget lines and budget changes, with their totals computed in SQL.

With ``user`` the rows are scoped to the projects that user is on the team of (superusers: all);
``user=None`` is an internal read. Per line: ``approved_changes`` (the sum of approved budget change
lines) and ``revised_amount`` (original + approved changes); per budget the same summed over its lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from apps.access.selectors import scope_to_projects
from apps.budgets.models import MONEY, Budget, BudgetChange, BudgetChangeLine, BudgetLine

ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def _money(expression):
    return Coalesce(expression, ZERO, output_field=DecimalField(**MONEY))


def _approved_changes_of_line():
    rows = (
        BudgetChangeLine.objects.filter(budget_line=OuterRef("pk"), change__status=BudgetChange.Status.APPROVED)
        .order_by()
        .values("budget_line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return _money(Subquery(rows[:1], output_field=DecimalField(**MONEY)))


def with_line_totals(queryset: QuerySet[BudgetLine]) -> QuerySet[BudgetLine]:
    return queryset.annotate(
        approved_changes=_approved_changes_of_line(),
        on_sage=Case(
            When(project_cost_type__erp_synced_at__isnull=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).annotate(
        revised_amount=ExpressionWrapper(F("original_amount") + F("approved_changes"), output_field=DecimalField(**MONEY))
    )


def budget_line_list(*, budget: Budget | None = None, filters=None, user=None) -> QuerySet[BudgetLine]:
    """Lines with their cost code, cost type, sub job and totals, by sub job, cost code and cost type.
    Filters: ``project`` (id), ``on_sage`` (bool), ``search`` (cost code, description, cost type)."""
    filters = filters or {}
    queryset = BudgetLine.objects.select_related(
        "budget__project",
        "project_cost_type__cost_type",
        "project_cost_type__project_cost_code__sub_job",
    )
    if user is not None:
        queryset = scope_to_projects(queryset, user, project_field="budget__project")
    if budget is not None:
        queryset = queryset.filter(budget=budget)
    if filters.get("project") is not None:
        queryset = queryset.filter(budget__project=filters["project"])
    if "on_sage" in filters:
        queryset = queryset.filter(project_cost_type__erp_synced_at__isnull=not filters["on_sage"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(project_cost_type__project_cost_code__code__icontains=term)
            | Q(project_cost_type__project_cost_code__description__icontains=term)
            | Q(project_cost_type__cost_type__code__iexact=term)
        )
    return with_line_totals(queryset).order_by(
        "budget__project__number",
        "project_cost_type__project_cost_code__sub_job__code",
        "project_cost_type__project_cost_code__code",
        "project_cost_type__cost_type__code",
    )


def _budget_sum(expression):
    return _money(Subquery(expression, output_field=DecimalField(**MONEY)))


def with_budget_totals(queryset: QuerySet[Budget]) -> QuerySet[Budget]:
    """``original_total``, ``approved_changes_total``, ``revised_total``, ``forecast_total`` (estimated cost
    at completion) and ``line_count`` for each budget, one subquery each (no query per row)."""
    lines = BudgetLine.objects.filter(budget=OuterRef("pk")).order_by().values("budget")
    changes = (
        BudgetChangeLine.objects.filter(
            budget_line__budget=OuterRef("pk"), change__status=BudgetChange.Status.APPROVED
        ).order_by().values("budget_line__budget")
    )
    from django.db.models import Count, IntegerField

    return queryset.annotate(
        original_total=_budget_sum(lines.annotate(t=Sum("original_amount")).values("t")[:1]),
        approved_changes_total=_budget_sum(changes.annotate(t=Sum("amount")).values("t")[:1]),
        forecast_total=_budget_sum(lines.annotate(t=Sum("estimated_cost_at_completion")).values("t")[:1]),
        line_count=Coalesce(
            Subquery(lines.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
        ),
    ).annotate(
        revised_total=ExpressionWrapper(
            F("original_total") + F("approved_changes_total"), output_field=DecimalField(**MONEY)
        )
    )


def budget_list(*, filters=None, user=None) -> QuerySet[Budget]:
    """Budgets with their project and totals, by project number. Filters: ``project``, ``is_locked``, ``search``."""
    filters = filters or {}
    queryset = Budget.objects.select_related("project", "locked_by", "erp_sent_by", "erp_approved_by")
    if user is not None:
        queryset = scope_to_projects(queryset, user)
    if filters.get("project") is not None:
        queryset = queryset.filter(project=filters["project"])
    if "is_locked" in filters:
        queryset = queryset.filter(is_locked=filters["is_locked"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(project__number__icontains=term) | Q(project__name__icontains=term))
    return with_budget_totals(queryset).order_by("project__number")


def line_totals(lines: QuerySet[BudgetLine]) -> dict[str, Decimal]:
    """The totals of ``lines`` in two queries: original, approved changes, revised, estimated cost at
    completion, forecast to complete."""
    sums = lines.order_by().aggregate(
        original=Sum("original_amount"),
        estimated_cost_at_completion=Sum("estimated_cost_at_completion"),
        forecast_to_complete=Sum("forecast_to_complete"),
    )
    approved = BudgetChangeLine.objects.filter(
        budget_line__in=lines.order_by().values("pk"), change__status=BudgetChange.Status.APPROVED
    ).aggregate(t=Sum("amount"))["t"]
    totals = {key: (value if value is not None else Decimal("0.00")) for key, value in sums.items()}
    totals["approved_changes"] = approved if approved is not None else Decimal("0.00")
    totals["revised"] = totals["original"] + totals["approved_changes"]
    return totals


def budget_totals(*, budget: Budget) -> dict[str, Decimal]:
    """The project's budget totals (see ``line_totals``)."""
    return line_totals(BudgetLine.objects.filter(budget=budget))


def budget_change_list(*, budget: Budget | None = None, filters=None, user=None) -> QuerySet[BudgetChange]:
    """Budget changes, newest first, with ``total`` (the sum of their lines)."""
    filters = filters or {}
    queryset = BudgetChange.objects.select_related(
        "budget__project", "created_by", "erp_sent_by", "erp_approved_by"
    )
    if user is not None:
        queryset = scope_to_projects(queryset, user, project_field="budget__project")
    if budget is not None:
        queryset = queryset.filter(budget=budget)
    if filters.get("project") is not None:
        queryset = queryset.filter(budget__project=filters["project"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(description__icontains=term) | Q(budget__project__number__icontains=term))
    totals = (
        BudgetChangeLine.objects.filter(change=OuterRef("pk")).order_by().values("change")
        .annotate(t=Sum("amount")).values("t")[:1]
    )
    return queryset.annotate(total=_budget_sum(totals)).order_by("budget__project__number", "-number")


def budget_for_project(*, project, user=None) -> Budget | None:
    return budget_list(user=user).filter(project=project).first()
