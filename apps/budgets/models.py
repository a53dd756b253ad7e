"""Budgets (Sage job estimates), their lines, budget changes and the cost forecast per line.

A project has one budget; a line is one project cost type (cost code + cost type, under the cost
code's sub job when it has one). The budget and its changes carry the ERP export lifecycle
(``ErpExportable``) so the ERP step only adds ``apps/budgets/erp.py``. Totals are computed in SQL
by ``apps.budgets.selectors``, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.erp.lifecycle import ErpExportable

MONEY = {"max_digits": 14, "decimal_places": 2}


class Budget(ErpExportable, TimeStampedModel):
    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="budget")
    is_locked = models.BooleanField(
        "locked", default=False, help_text="A locked budget's lines cannot be added, edited or removed."
    )
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # R79: optional, per project, default off (A12).
    export_forecast_amounts = models.BooleanField(
        default=False,
        help_text="Also send each line's estimated cost at completion and forecast to complete to Sage "
        "whenever the budget or a budget change is sent.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project__number"]

    def __str__(self) -> str:
        return f"Budget of {self.project.number}"


class BudgetLine(TimeStampedModel):
    """One budget line: a cost code / cost type of the project (a Sage category on the job)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    project_cost_type = models.ForeignKey(
        "wbs.ProjectCostType", on_delete=models.PROTECT, related_name="budget_lines", verbose_name="cost code / cost type"
    )
    original_amount = models.DecimalField("original budget", default=0, **MONEY)
    # R69: units are kept in Trestle only; Sage's units are entered there by hand.
    unit_qty = models.DecimalField(
        "units", max_digits=14, decimal_places=4, null=True, blank=True, help_text="Kept in Trestle only; not sent to Sage."
    )
    unit_of_measure = models.CharField(
        "unit of measure", max_length=10, blank=True, help_text="Kept in Trestle only; not sent to Sage."
    )
    # Cost forecast (R79–R81, R236).
    estimated_cost_at_completion = models.DecimalField(null=True, blank=True, **MONEY)
    forecast_to_complete = models.DecimalField(null=True, blank=True, **MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["budget", "project_cost_type__project_cost_code__sub_job__code",
                    "project_cost_type__project_cost_code__code", "project_cost_type__cost_type__code"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "project_cost_type"], name="budgets_line_unique"),
        ]

    def __str__(self) -> str:
        pct = self.project_cost_type
        code = pct.project_cost_code
        prefix = f"{code.sub_job.code}/" if code.sub_job_id else ""
        return f"{prefix}{code.code}.{pct.cost_type.code} – {code.description}"

    @property
    def project(self):
        return self.budget.project

    @property
    def is_on_sage(self) -> bool:
        """False for a "?" line: its cost code / cost type is not (yet) on the Sage job (R72, A18)."""
        return self.project_cost_type.erp_synced_at is not None


class BudgetChange(ErpExportable, TimeStampedModel):
    """A budget change (R73: created once, never edited or deleted). A transfer moves money from lines to
    lines; its zero sum is shown, not enforced (R77, A20)."""

    class Kind(models.TextChoices):
        CHANGE = "change", "Budget change"
        TRANSFER = "transfer", "Transfer (from / to lines)"

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        PENDING = "pending", "Pending"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="changes")
    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.APPROVED,
        help_text="Only approved changes count in the revised budget.",
    )
    description = models.CharField(max_length=255)
    date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["budget", "-number"]
        constraints = [models.UniqueConstraint(fields=["budget", "number"], name="budgets_change_number_unique")]

    def __str__(self) -> str:
        return f"Budget change #{self.number} – {self.description}"

    @property
    def project(self):
        return self.budget.project


class BudgetChangeLine(TimeStampedModel):
    change = models.ForeignKey(BudgetChange, on_delete=models.PROTECT, related_name="lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="change_lines")
    amount = models.DecimalField(help_text="Negative moves money out of the line.", **MONEY)

    class Meta:
        ordering = ["change", "pk"]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.amount}"
