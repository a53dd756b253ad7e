"""A budget as CSV/XLSX (export only): one row per line with its totals."""

from __future__ import annotations

from decimal import Decimal

from import_export import fields, resources

from apps.budgets.models import BudgetLine


def _cents(value):
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else ""


class BudgetLineResource(resources.ModelResource):
    project = fields.Field(attribute="budget__project__number", column_name="project")
    sub_job = fields.Field(column_name="sub_job")
    cost_code = fields.Field(attribute="project_cost_type__project_cost_code__code", column_name="cost_code")
    description = fields.Field(attribute="project_cost_type__project_cost_code__description", column_name="description")
    cost_type = fields.Field(attribute="project_cost_type__cost_type__code", column_name="cost_type")
    on_sage = fields.Field(column_name="on_sage_job")
    original_amount = fields.Field(attribute="original_amount", column_name="original_budget")
    approved_changes = fields.Field(attribute="approved_changes", column_name="approved_changes")
    revised_amount = fields.Field(attribute="revised_amount", column_name="revised_budget")
    estimated_cost_at_completion = fields.Field(
        attribute="estimated_cost_at_completion", column_name="estimated_cost_at_completion"
    )
    forecast_to_complete = fields.Field(attribute="forecast_to_complete", column_name="forecast_to_complete")
    unit_qty = fields.Field(attribute="unit_qty", column_name="units")
    unit_of_measure = fields.Field(attribute="unit_of_measure", column_name="unit_of_measure")

    class Meta:
        model = BudgetLine
        name = "Budget lines"
        fields = (
            "project", "sub_job", "cost_code", "description", "cost_type", "on_sage", "original_amount",
            "approved_changes", "revised_amount", "estimated_cost_at_completion", "forecast_to_complete",
            "unit_qty", "unit_of_measure",
        )
        export_order = fields

    def dehydrate_sub_job(self, line):
        sub_job = line.project_cost_type.project_cost_code.sub_job
        return sub_job.code if sub_job else ""

    def dehydrate_approved_changes(self, line):
        return _cents(line.approved_changes)

    def dehydrate_revised_amount(self, line):
        return _cents(line.revised_amount)

    def dehydrate_on_sage(self, line):
        return "yes" if line.project_cost_type.erp_synced_at else "?"
