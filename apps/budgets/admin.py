"""The Budget tool in the admin: budgets (with their lines as one grid and the totals), the lines across
budgets (editable in the list, with a totals row, exported as CSV/XLSX) and budget changes (add, then
read only). Every write goes through ``apps.budgets.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportMixin

from apps.access.admin_mixins import RulesAdminMixin, RulesInlineMixin
from apps.access.rules import Operation, Resource, permits
from apps.budgets.models import Budget, BudgetChange, BudgetChangeLine, BudgetLine
from apps.budgets.resources import BudgetLineResource
from apps.budgets.selectors import (
    budget_change_list,
    budget_line_list,
    budget_list,
    budget_totals,
    line_totals,
    with_line_totals,
)
from apps.budgets.services import (
    CHANGE_IS_FINAL,
    budget_change_create,
    budget_create,
    budget_line_create,
    budget_line_delete,
    budget_line_delete_problem,
    budget_line_update,
    budget_lines_add_all,
    budget_lock,
    budget_unlock,
    budget_update,
)
from apps.core.admin_mixins import ServiceAdminMixin, adopt, badge, run_service_action
from apps.core.exceptions import ApplicationError
from apps.core.imports import ADMIN_FORMATS
from apps.core.money import format_money
from apps.projects.selectors import project_list
from apps.wbs.models import ProjectCostType

QUESTION_MARK_HELP = "Not on the Sage job yet: refresh the project's cost codes or send the budget first."


def on_sage_marker(line) -> str:
    """✓ for a line on the Sage job, "?" (with the reason on hover) for one that is not (R72)."""
    if line.project_cost_type.erp_synced_at is not None:
        return "✓"
    return format_html('<strong title="{}" style="color:#b45309">?</strong>', QUESTION_MARK_HELP)


def money(value) -> str:
    return format_money(value) if value is not None else "—"


class ProjectFilter(admin.SimpleListFilter):
    """The user's own projects only."""

    title = "project"
    parameter_name = "project"
    project_field = "project"

    def lookups(self, request, model_admin):
        return [(str(project.pk), str(project)) for project in project_list(user=request.user)[:200]]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isascii() and value.isdigit() and len(value) <= 18:
            return queryset.filter(**{self.project_field: int(value)})
        return queryset


class LineProjectFilter(ProjectFilter):
    project_field = "budget__project"


class OnSageFilter(admin.SimpleListFilter):
    title = "on the Sage job"
    parameter_name = "on_sage"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (shown with ?)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(project_cost_type__erp_synced_at__isnull=self.value() == "no")
        return queryset


# --- budgets ----------------------------------------------------------------------------------


class BudgetLineInlineFormSet(BaseInlineFormSet):
    def get_queryset(self):
        return with_line_totals(super().get_queryset()).select_related(
            "project_cost_type__cost_type", "project_cost_type__project_cost_code__sub_job"
        ).order_by("project_cost_type__project_cost_code__sub_job__code", "project_cost_type__project_cost_code__code",
                   "project_cost_type__cost_type__code")


class BudgetLineInline(RulesInlineMixin, admin.TabularInline):
    rule_resource = Resource.BUDGET_LINE
    model = BudgetLine
    formset = BudgetLineInlineFormSet
    extra = 0
    fields = (
        "line", "on_sage", "original_amount", "approved_changes", "revised_amount",
        "estimated_cost_at_completion", "forecast_to_complete", "unit_qty", "unit_of_measure",
    )
    readonly_fields = ("line", "on_sage", "approved_changes", "revised_amount")
    verbose_name = "budget line"
    verbose_name_plural = "budget lines"

    def get_queryset(self, request):
        # The inline is shown only when the rules let the user see the budget's lines (asked about the
        # budget's project); Django's own question here is asked without the budget, so not repeated.
        return BudgetLine.objects.all()

    def has_add_permission(self, request, obj=None):
        return False  # lines are added by the "Add lines" button and the budget line page

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="cost code / cost type")
    def line(self, obj):
        return str(obj) if obj.pk else ""

    @admin.display(description="on Sage job")
    def on_sage(self, obj):
        return on_sage_marker(obj) if obj.pk else ""

    @admin.display(description="approved changes")
    def approved_changes(self, obj):
        return money(getattr(obj, "approved_changes", None))

    @admin.display(description="revised budget")
    def revised_amount(self, obj):
        return money(getattr(obj, "revised_amount", None))


class BudgetAddForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ("project", "export_forecast_amounts")


@admin.register(Budget)
class BudgetAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.BUDGET
    list_display = (
        "project", "locked_display", "line_count_display", "original_total_display", "approved_changes_display",
        "revised_total_display", "forecast_total_display", "erp_status",
    )
    list_filter = (ProjectFilter, "is_locked", "erp_status")
    search_fields = ("project__number", "project__name")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)
    actions = ("lock_budgets", "unlock_budgets")
    inlines = [BudgetLineInline]
    list_per_page = 100
    show_full_result_count = False
    change_form_template = "admin/budgets/budget/change_form.html"

    def get_queryset(self, request):
        return budget_list(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BudgetAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("project", "export_forecast_amounts")
        return ("project", "totals", "is_locked", "locked_by", "locked_at", "export_forecast_amounts", "erp_status")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("project", "totals", "is_locked", "locked_by", "locked_at", "erp_status")

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            may_add_lines = permits(request.user, Resource.BUDGET_LINE, Operation.ADD, project=obj.project).allowed
            extra_context.update({
                "budget": obj,
                "can_add_lines": may_add_lines and not obj.is_locked,
                "can_add_change": permits(request.user, Resource.BUDGET_CHANGE, Operation.ADD, project=obj.project).allowed,
                "lines_url": reverse("admin:budgets_budgetline_changelist") + f"?project={obj.project_id}",
                "changes_url": reverse("admin:budgets_budgetchange_changelist") + f"?project={obj.project_id}",
                "add_change_url": reverse("admin:budgets_budgetchange_add") + f"?budget={obj.pk}",
                "add_line_url": reverse("admin:budgets_budgetline_add") + f"?budget={obj.pk}",
                "has_lines": obj.lines.exists(),
            })
            if request.method == "POST" and "_add_all_lines" in request.POST:
                return self._add_all_lines(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def _add_all_lines(self, request, budget):
        from django.http import HttpResponseRedirect

        try:
            added = budget_lines_add_all(budget=budget, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if added:
                self.message_user(request, f"{added} budget line(s) added at $0.00; enter their amounts below.", messages.SUCCESS)
            else:
                self.message_user(request, "Every cost code / cost type of the project is already on the budget.", messages.INFO)
        return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="totals")
    def totals(self, obj):
        totals = budget_totals(budget=obj)
        rows = [
            ("Original budget", totals["original"]),
            ("Approved changes", totals["approved_changes"]),
            ("Revised budget", totals["revised"]),
            ("Estimated cost at completion", totals["estimated_cost_at_completion"]),
            ("Forecast to complete", totals["forecast_to_complete"]),
        ]
        body = format_html_join("", '<tr><th scope="row">{}</th><td class="budget-total">{}</td></tr>',
                                ((label, format_money(value)) for label, value in rows))
        return format_html('<table class="budget-totals">{}</table>', body)

    @admin.display(description="locked", boolean=True, ordering="is_locked")
    def locked_display(self, obj):
        return obj.is_locked

    @admin.display(description="lines", ordering="line_count")
    def line_count_display(self, obj):
        return obj.line_count

    @admin.display(description="original budget", ordering="original_total")
    def original_total_display(self, obj):
        return format_money(obj.original_total)

    @admin.display(description="approved changes", ordering="approved_changes_total")
    def approved_changes_display(self, obj):
        return format_money(obj.approved_changes_total)

    @admin.display(description="revised budget", ordering="revised_total")
    def revised_total_display(self, obj):
        return format_money(obj.revised_total)

    @admin.display(description="estimated cost at completion", ordering="forecast_total")
    def forecast_total_display(self, obj):
        return format_money(obj.forecast_total)

    def save_model(self, request, obj, form, change):
        if change:
            saved = budget_update(budget=obj, data={"export_forecast_amounts": form.cleaned_data.get(
                "export_forecast_amounts", obj.export_forecast_amounts)}, actor=request.user)
        else:
            saved = budget_create(project=form.cleaned_data["project"],
                                  export_forecast_amounts=form.cleaned_data.get("export_forecast_amounts", False),
                                  actor=request.user)
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for line in formset.deleted_objects:
            budget_line_delete(line=line, actor=request.user)
        for line, changed in formset.changed_objects:
            budget_line_update(line=line, data={field: getattr(line, field) for field in changed}, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a budget goes with its project

    @admin.action(description="Lock the selected budgets", permissions=["lock"])
    def lock_budgets(self, request, queryset):
        run_service_action(self, request, queryset, service=budget_lock, argument="budget", done="{count} budget(s) locked.")

    @admin.action(description="Unlock the selected budgets", permissions=["lock"])
    def unlock_budgets(self, request, queryset):
        run_service_action(self, request, queryset, service=budget_unlock, argument="budget", done="{count} budget(s) unlocked.")


# --- budget lines -----------------------------------------------------------------------------


class BudgetLineAddForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ("budget", "project_cost_type", "original_amount", "estimated_cost_at_completion",
                  "forecast_to_complete", "unit_qty", "unit_of_measure")

    def validate_unique(self):
        pass  # the service says it, in words


@admin.register(BudgetLine)
class BudgetLineAdmin(RulesAdminMixin, ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    rule_resource = Resource.BUDGET_LINE
    resource_classes = [BudgetLineResource]
    export_formats = ADMIN_FORMATS
    list_display = (
        "line_display", "project_display", "on_sage", "original_amount", "approved_changes_display",
        "revised_display", "estimated_cost_at_completion", "forecast_to_complete", "unit_qty", "unit_of_measure",
    )
    list_display_links = ("line_display",)
    list_editable = ("original_amount", "estimated_cost_at_completion", "forecast_to_complete", "unit_qty",
                     "unit_of_measure")
    list_filter = (LineProjectFilter, OnSageFilter)
    search_fields = (
        "project_cost_type__project_cost_code__code",
        "project_cost_type__project_cost_code__description",
        "project_cost_type__cost_type__code",
        "budget__project__number",
    )
    list_per_page = 100
    show_full_result_count = False
    change_list_template = "admin/budgets/budgetline/change_list.html"
    readonly_fields = ("budget", "project_cost_type", "on_sage", "approved_changes_display", "revised_display")

    def get_queryset(self, request):
        return budget_line_list(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BudgetLineAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return BudgetLineAddForm.Meta.fields
        return ("budget", "project_cost_type", "on_sage", "original_amount", "approved_changes_display",
                "revised_display", "estimated_cost_at_completion", "forecast_to_complete", "unit_qty", "unit_of_measure")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.budget.is_locked:
            return self.get_fields(request, obj)
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget":
            kwargs["queryset"] = budget_list(user=request.user)
        if db_field.name == "project_cost_type":
            queryset = ProjectCostType.objects.select_related(
                "cost_type", "project_cost_code__sub_job", "project_cost_code__project"
            ).filter(project_cost_code__project__in=project_list(user=request.user).values("pk"))
            budget_id = request.GET.get("budget", "")
            if budget_id.isascii() and budget_id.isdigit() and len(budget_id) <= 18:
                queryset = queryset.filter(project_cost_code__project__budget=int(budget_id))
            kwargs["queryset"] = queryset.order_by("project_cost_code__project__number", "project_cost_code__code",
                                                   "cost_type__code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            totals = line_totals(context["cl"].queryset)
            context["budget_totals"] = {
                "original": money(totals["original"]), "approved": money(totals["approved_changes"]),
                "revised": money(totals["revised"]), "ecac": money(totals["estimated_cost_at_completion"]),
                "ftc": money(totals["forecast_to_complete"]),
            }
        return response

    @admin.display(description="cost code / cost type", ordering="project_cost_type__project_cost_code__code")
    def line_display(self, obj):
        return str(obj)

    @admin.display(description="project", ordering="budget__project__number")
    def project_display(self, obj):
        return obj.budget.project.number

    @admin.display(description="on Sage job")
    def on_sage(self, obj):
        return on_sage_marker(obj)

    @admin.display(description="approved changes", ordering="approved_changes")
    def approved_changes_display(self, obj):
        return money(getattr(obj, "approved_changes", None))

    @admin.display(description="revised budget", ordering="revised_amount")
    def revised_display(self, obj):
        return money(getattr(obj, "revised_amount", None))

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.budget.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def delete_problem(self, obj):
        return budget_line_delete_problem(line=obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_problem(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.changed_data if field in form.cleaned_data}
        if change:
            data.pop("budget", None)
            data.pop("project_cost_type", None)
            saved = budget_line_update(line=BudgetLine.objects.get(pk=obj.pk), data=data, actor=request.user)
        else:
            data = {key: form.cleaned_data.get(key) for key in BudgetLineAddForm.Meta.fields[2:]}
            saved = budget_line_create(budget=form.cleaned_data["budget"],
                                       project_cost_type=form.cleaned_data["project_cost_type"],
                                       data={k: v for k, v in data.items() if v is not None and v != ""},
                                       actor=request.user)
        adopt(obj, saved)

    def delete_model(self, request, obj):
        budget_line_delete(line=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for line in queryset:
            try:
                budget_line_delete(line=line, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)


# --- budget changes ---------------------------------------------------------------------------


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line):
        marker = "" if line.project_cost_type.erp_synced_at else " (?)"
        return f"{line.budget.project.number}: {line}{marker}"


class BudgetChangeLineInline(RulesInlineMixin, admin.TabularInline):
    rule_resource = Resource.BUDGET_CHANGE
    model = BudgetChangeLine
    extra = 3
    fields = ("budget_line", "amount")

    def _inline_rule(self, request, operation, parent):
        if parent is None:  # the add page: whoever may add a budget change may fill in its lines
            return permits(request.user, Resource.BUDGET_CHANGE, Operation.ADD).allowed
        if operation != Operation.VIEW:
            return False  # R73: final once created
        return permits(request.user, Resource.BUDGET_CHANGE, Operation.VIEW, project=parent.budget.project).allowed

    def get_queryset(self, request):
        return BudgetChangeLine.objects.select_related(
            "budget_line__budget__project", "budget_line__project_cost_type__cost_type",
            "budget_line__project_cost_type__project_cost_code__sub_job",
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget_line":
            queryset = budget_line_list(user=request.user)
            budget_id = request.GET.get("budget", "")
            if budget_id.isascii() and budget_id.isdigit() and len(budget_id) <= 18:
                queryset = queryset.filter(budget=int(budget_id))
            return BudgetLineChoiceField(queryset=queryset, required=False, label="budget line")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BudgetChangeAddForm(forms.ModelForm):
    class Meta:
        model = BudgetChange
        fields = ("budget", "kind", "status", "description", "date")


@admin.register(BudgetChange)
class BudgetChangeAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.BUDGET_CHANGE
    list_display = ("number_display", "project_display", "description", "kind", "status", "date", "total_display",
                    "erp_status")
    list_display_links = ("number_display", "description")
    list_filter = (type("ChangeProjectFilter", (ProjectFilter,), {"project_field": "budget__project"}),
                   "kind", "status", "erp_status")
    search_fields = ("description", "budget__project__number", "budget__project__name")
    inlines = [BudgetChangeLineInline]
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = ("budget", "number", "kind", "status", "description", "date", "total_display", "zero_sum",
                       "created_by", "created_at", "erp_status")

    def get_queryset(self, request):
        return budget_change_list(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BudgetChangeAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return BudgetChangeAddForm.Meta.fields
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget":
            kwargs["queryset"] = budget_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # R73: created once, then read only; no Delete anywhere.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            self.message_user(request, CHANGE_IS_FINAL, messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="number", ordering="number")
    def number_display(self, obj):
        return f"#{obj.number}"

    @admin.display(description="project", ordering="budget__project__number")
    def project_display(self, obj):
        return obj.budget.project.number

    @admin.display(description="total", ordering="total")
    def total_display(self, obj):
        return money(getattr(obj, "total", None))

    @admin.display(description="adds up to zero")
    def zero_sum(self, obj):
        total = getattr(obj, "total", None)
        if obj.kind != BudgetChange.Kind.TRANSFER:
            return "—"
        if total == 0:
            return "Yes"
        return badge(f"No: {money(total)} left over", colour="#b45309")

    def save_model(self, request, obj, form, change):
        pass  # saved with its lines in save_related

    def save_related(self, request, form, formsets, change):
        lines = []
        for formset in formsets:
            for row in formset.cleaned_data:
                if row and not row.get("DELETE") and row.get("budget_line") is not None:
                    lines.append((row["budget_line"], row.get("amount")))
        data = form.cleaned_data
        saved = budget_change_create(
            budget=data["budget"], description=data.get("description", ""), date=data.get("date"),
            kind=data.get("kind") or BudgetChange.Kind.CHANGE, status=data.get("status") or BudgetChange.Status.APPROVED,
            lines=lines, actor=request.user,
        )
        adopt(form.instance, saved)
        for formset in formsets:  # for the admin's history message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = list(saved.lines.all()), [], []
