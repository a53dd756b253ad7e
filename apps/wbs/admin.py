from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from apps.access.admin_mixins import RulesAdminMixin, RulesInlineMixin
from apps.access.rules import Operation, Resource
from apps.core.admin_mixins import (
    AllOrNothingImportExportMixin,
    ServiceAdminMixin,
    add_service_errors,
    adopt,
    autocomplete_id,
    autocomplete_source,
    badge,
    fresh,
    run_service_action,
)
from apps.core.exceptions import ApplicationError
from apps.core.validation import merge_errors
from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.resources import CostTypeResource, StandardCostCodeResource
from apps.wbs.selectors import (
    cost_code_list_list,
    cost_type_list,
    project_cost_code_list,
    project_cost_type_list,
    standard_cost_code_list,
)
from apps.wbs.services import (
    cost_code_list_create,
    cost_code_list_update,
    cost_code_list_validate,
    cost_type_row_errors,
    cost_types_upsert,
    project_cost_code_add_from_standard,
    project_cost_code_add_validate,
    project_cost_code_remove,
    project_cost_code_remove_problem,
    project_cost_type_remove,
    project_cost_types_assign,
    project_cost_types_assign_validate,
    standard_cost_code_activate,
    standard_cost_code_create,
    standard_cost_code_deactivate,
    standard_cost_code_default_cost_types_validate,
    standard_cost_code_set_default_cost_types,
    standard_cost_code_update,
    standard_cost_code_validate,
)

PROJECT_SPECIFIC_COLOUR = "#1d4ed8"  # the seed shows project-specific codes in blue (R34)


def project_cost_code_label(obj: ProjectCostCode) -> str:
    """The code, in blue with a "project-specific" badge when Sage created it for this job only (R34)."""
    if obj.is_project_specific:
        return format_html(
            '<strong style="color:{}">{}</strong> {}',
            PROJECT_SPECIFIC_COLOUR,
            obj.code,
            badge("project-specific", colour=PROJECT_SPECIFIC_COLOUR),
        )
    return obj.code


# --- Cost code lists --------------------------------------------------------------------


class CostCodeListAdminForm(forms.ModelForm):
    class Meta:
        model = CostCodeList
        fields = ("name", "source", "available_for_new_projects")

    def validate_unique(self):
        """The service validator checks names and the single ERP list."""

    def clean(self):
        cleaned = super().clean()
        data = {field: cleaned[field] for field in self.Meta.fields if field in cleaned}
        add_service_errors(self, cost_code_list_validate(data=data, cost_code_list=self.instance if self.instance.pk else None))
        return cleaned


@admin.register(CostCodeList)
class CostCodeListAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.COST_CODE_LIST
    form = CostCodeListAdminForm
    list_display = ("name", "source", "available_for_new_projects", "code_count", "project_count")
    list_filter = ("source", "available_for_new_projects")
    search_fields = ("name",)
    ordering = ("name",)
    list_select_related = False
    readonly_fields = ("created_at", "updated_at")

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) == ("wbs", "standardcostcode", "cost_code_list"):
            queryset = queryset.exclude(source=CostCodeList.Source.ERP)  # a code by hand goes on a custom list
        return queryset, may_have_duplicates

    def get_queryset(self, request):
        return cost_code_list_list(user=request.user).annotate(
            code_total=Count("cost_codes", distinct=True), project_total=Count("projects", distinct=True)
        )

    def get_readonly_fields(self, request, obj=None):
        return ("source", *self.readonly_fields) if obj else self.readonly_fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "source" and CostCodeList.objects.filter(source=CostCodeList.Source.ERP).exists():
            # Trestle keeps one Sage 300 CRE list (the sync's): a second is always refused, so it is not offered.
            kwargs["choices"] = [c for c in db_field.get_choices(include_blank=False) if c[0] != CostCodeList.Source.ERP]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description="cost codes", ordering="code_total")
    def code_count(self, obj):
        return obj.code_total

    @admin.display(description="projects", ordering="project_total")
    def project_count(self, obj):
        return obj.project_total

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.source == CostCodeList.Source.ERP:
            return False  # the sync's list; deleting it would delete every standard code
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in ("name", "available_for_new_projects")}
            cost_code_list = cost_code_list_update(cost_code_list=fresh(obj), data=data, actor=request.user)
        else:
            cost_code_list = cost_code_list_create(**form.cleaned_data, actor=request.user)
        adopt(obj, cost_code_list)


# --- Cost types -------------------------------------------------------------------------


class CostTypeAdminForm(forms.ModelForm):
    class Meta:
        model = CostType
        fields = ("code", "description", "is_active")

    def validate_unique(self):
        """A cost type is created or updated by code (an upsert)."""

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code", self.instance.code)
        if not self.instance.pk and code and CostType.objects.filter(code=code).exists():
            self.add_error("code", f"Cost type {code} already exists.")
        values = {"code": code, "description": cleaned.get("description", ""), "is_active": cleaned.get("is_active", True)}
        add_service_errors(self, cost_type_row_errors(values))
        return cleaned


@admin.register(CostType)
class CostTypeAdmin(RulesAdminMixin, ServiceAdminMixin, AllOrNothingImportExportMixin, admin.ModelAdmin):
    rule_resource = Resource.COST_TYPE
    form = CostTypeAdminForm
    resource_classes = [CostTypeResource]
    list_display = ("code", "description", "is_active", "erp_synced_at")
    list_filter = ("is_active",)
    search_fields = ("code", "description")
    ordering = ("code",)
    list_select_related = False
    readonly_fields = ("erp_synced_at", "created_at", "updated_at")

    def get_queryset(self, request):
        return cost_type_list(user=request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) == ("wbs", "projectcosttype", "cost_type"):
            queryset = queryset.filter(is_active=True)  # a deactivated cost type cannot be assigned
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        return ("code", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        code = obj.code
        cost_types_upsert(
            rows=[{"code": code, "description": form.cleaned_data["description"], "is_active": form.cleaned_data["is_active"]}],
            actor=request.user,
        )
        adopt(obj, CostType.objects.get(code=code))


# --- Standard cost codes ----------------------------------------------------------------


class StandardCostCodeAdminForm(forms.ModelForm):
    class Meta:
        model = StandardCostCode
        fields = ("cost_code_list", "code", "description", "division", "default_cost_types")

    def validate_unique(self):
        """The service validator checks the code within its list."""

    def clean(self):
        cleaned = super().clean()
        editing = bool(self.instance.pk)
        data = {f: cleaned[f] for f in ("cost_code_list", "code", "description", "division") if f in cleaned}
        errors = standard_cost_code_validate(data=data, standard_cost_code=self.instance if editing else None)
        if "default_cost_types" in cleaned:
            errors = merge_errors(
                errors, standard_cost_code_default_cost_types_validate(cost_types=cleaned["default_cost_types"])
            )
        add_service_errors(self, errors)
        return cleaned


@admin.register(StandardCostCode)
class StandardCostCodeAdmin(RulesAdminMixin, ServiceAdminMixin, AllOrNothingImportExportMixin, admin.ModelAdmin):
    rule_resource = Resource.STANDARD_COST_CODE
    form = StandardCostCodeAdminForm
    resource_classes = [StandardCostCodeResource]
    list_display = ("code", "description", "cost_code_list", "division", "default_cost_types_display", "is_active", "erp_synced_at")
    list_filter = ("is_active", "cost_code_list", "division")
    search_fields = ("code", "description")
    ordering = ("cost_code_list__name", "code")
    list_select_related = ("cost_code_list",)
    autocomplete_fields = ("cost_code_list",)
    filter_horizontal = ("default_cost_types",)
    readonly_fields = ("is_active", "erp_synced_at", "created_at", "updated_at")
    actions = ["activate_codes", "deactivate_codes"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return standard_cost_code_list(user=request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) == ("wbs", "projectcostcode", "standard_cost_code"):
            # The project cost code picker offers what may be added: active codes of the project's own list.
            queryset = queryset.filter(is_active=True)
            project_id = autocomplete_id(request, "project")
            if project_id is not None:
                queryset = queryset.filter(cost_code_list__projects__pk=project_id)
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        # Codes of the Sage 300 CRE list come from Sage; by hand a code goes on a custom list only, so there
        # is no Add button until a custom list exists.
        if not CostCodeList.objects.exclude(source=CostCodeList.Source.ERP).exists():
            return False
        return super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # Choosing default cost types (permission table row 15) is a change of its own.
        return super().has_change_permission(request, obj) or self.has_assign_default_cost_types_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        if obj.cost_code_list.source == CostCodeList.Source.ERP or not self.rule(request, Operation.CHANGE, obj):
            # Kept in step with Sage (or the user may only choose default cost types, R31).
            return ("cost_code_list", "code", "description", "division", *self.readonly_fields)
        return ("cost_code_list", "code", *self.readonly_fields)

    @admin.display(description="default cost types")
    def default_cost_types_display(self, obj):
        return ", ".join(cost_type.code for cost_type in obj.default_cost_types.all())

    def save_model(self, request, obj, form, change):
        if change:
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in ("description", "division")}
            code = fresh(obj)
            if data:
                code = standard_cost_code_update(standard_cost_code=code, data=data, actor=request.user)
        else:
            code = standard_cost_code_create(
                cost_code_list=form.cleaned_data["cost_code_list"],
                code=form.cleaned_data["code"],
                description=form.cleaned_data["description"],
                division=form.cleaned_data.get("division") or None,
                actor=request.user,
            )
        adopt(obj, code)

    def save_related(self, request, form, formsets, change):
        # Default cost types through their service instead of form.save_m2m().
        standard_cost_code_set_default_cost_types(
            standard_cost_code=form.instance, cost_types=form.cleaned_data["default_cost_types"], actor=request.user
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Activate selected cost codes", permissions=["activate"])
    def activate_codes(self, request, queryset):
        run_service_action(
            self, request, queryset, service=standard_cost_code_activate, argument="standard_cost_code", done="{count} activated."
        )

    @admin.action(description="Deactivate selected cost codes (they can't be added to projects)", permissions=["activate"])
    def deactivate_codes(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            service=standard_cost_code_deactivate,
            argument="standard_cost_code",
            done="{count} deactivated.",
        )


# --- Project cost codes -----------------------------------------------------------------


class ProjectCostCodeAddForm(forms.ModelForm):
    cost_types = forms.ModelMultipleChoiceField(
        queryset=CostType.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple("cost types", is_stacked=False),
        help_text="Leave empty to use the code's default cost types.",
    )

    class Meta:
        model = ProjectCostCode
        fields = ("project", "sub_job", "standard_cost_code")

    def validate_unique(self):
        """The service validator says when the code is already on the project."""

    def clean(self):
        cleaned = super().clean()
        project = cleaned.get("project")
        if project is not None and "standard_cost_code" not in self.errors:
            errors = project_cost_code_add_validate(
                project=project,
                standard_cost_code=cleaned.get("standard_cost_code"),
                sub_job=cleaned.get("sub_job"),
                cost_types=cleaned.get("cost_types") or None,
            )
            add_service_errors(self, errors)
        return cleaned


class ProjectCostTypeInlineForm(forms.ModelForm):
    class Meta:
        model = ProjectCostType
        fields = ("cost_type",)

    def clean(self):
        cleaned = super().clean()
        project_cost_code = getattr(self.instance, "project_cost_code", None)
        if project_cost_code is not None and cleaned.get("cost_type") and not self.instance.pk:
            add_service_errors(
                self,
                project_cost_types_assign_validate(project_cost_code=project_cost_code, cost_types=[cleaned["cost_type"]]),
            )
        return cleaned


class ProjectCostTypeInline(RulesInlineMixin, admin.TabularInline):
    rule_resource = Resource.PROJECT_COST_TYPE
    model = ProjectCostType
    form = ProjectCostTypeInlineForm
    fields = ("cost_type", "erp_synced_at")
    readonly_fields = ("erp_synced_at",)
    extra = 0
    can_delete = False
    autocomplete_fields = ("cost_type",)

    def has_change_permission(self, request, obj=None):
        return False  # an assignment is added or removed, never edited


@admin.register(ProjectCostCode)
class ProjectCostCodeAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.PROJECT_COST_CODE
    list_display = ("cost_code", "description", "project", "sub_job", "cost_types_display", "erp_synced_at")
    list_filter = ("is_project_specific", ("sub_job", admin.EmptyFieldListFilter), ("erp_synced_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "description", "project__number", "project__name", "sub_job__code")
    ordering = ("project__number", "sub_job__code", "code")
    list_select_related = ("project", "sub_job__project", "standard_cost_code")
    autocomplete_fields = ("project", "sub_job", "standard_cost_code")
    readonly_fields = (
        "project",
        "sub_job",
        "standard_cost_code",
        "code",
        "description",
        "is_project_specific",
        "erp_synced_at",
        "created_at",
        "updated_at",
    )
    inlines = [ProjectCostTypeInline]
    list_per_page = 100
    show_full_result_count = False

    class Media:
        # The sub job and cost code pickers ask for the chosen project's own choices.
        js = ("admin/js/jquery.init.js", "wbs/project_cost_code_form.js")

    def get_queryset(self, request):
        return project_cost_code_list(project=None, user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProjectCostCodeAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("project", "sub_job", "standard_cost_code", "cost_types")
        return self.readonly_fields

    @admin.display(description="cost code", ordering="code")
    def cost_code(self, obj):
        return project_cost_code_label(obj)

    @admin.display(description="cost types")
    def cost_types_display(self, obj):
        return ", ".join(assignment.cost_type.code for assignment in obj.cost_types.all())

    def delete_problem(self, obj):
        return project_cost_code_remove_problem(project_cost_code=obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_problem(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on the code itself is edited in Trestle; cost types are added below
        project_cost_code = project_cost_code_add_from_standard(
            project=form.cleaned_data["project"],
            standard_cost_code=form.cleaned_data["standard_cost_code"],
            sub_job=form.cleaned_data.get("sub_job"),
            cost_types=list(form.cleaned_data["cost_types"]) or None,
            actor=request.user,
        )
        adopt(obj, project_cost_code)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        new_cost_types = [assignment.cost_type for assignment in formset.new_objects]
        if new_cost_types:
            project_cost_types_assign(project_cost_code=form.instance, cost_types=new_cost_types, actor=request.user)

    def delete_model(self, request, obj):
        project_cost_code_remove(project_cost_code=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for project_cost_code in queryset:
            try:
                project_cost_code_remove(project_cost_code=project_cost_code, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)


class ProjectCostTypeAdminForm(forms.ModelForm):
    class Meta:
        model = ProjectCostType
        fields = ("project_cost_code", "cost_type")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("project_cost_code") and cleaned.get("cost_type"):
            add_service_errors(
                self,
                project_cost_types_assign_validate(
                    project_cost_code=cleaned["project_cost_code"], cost_types=[cleaned["cost_type"]]
                ),
            )
        return cleaned


@admin.register(ProjectCostType)
class ProjectCostTypeAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.PROJECT_COST_TYPE
    form = ProjectCostTypeAdminForm
    list_display = ("project_cost_code", "project", "cost_type", "erp_synced_at")
    list_filter = (("erp_synced_at", admin.EmptyFieldListFilter), "cost_type")
    search_fields = ("project_cost_code__code", "project_cost_code__project__number", "cost_type__code")
    ordering = ("project_cost_code__project__number", "project_cost_code__code", "cost_type__code")
    list_select_related = ("project_cost_code__project", "project_cost_code__sub_job", "cost_type")
    autocomplete_fields = ("project_cost_code", "cost_type")
    readonly_fields = ("erp_synced_at", "created_at", "updated_at")
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return project_cost_type_list(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ("project_cost_code", "cost_type", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description="project", ordering="project_cost_code__project__number")
    def project(self, obj):
        return obj.project_cost_code.project

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = project_cost_types_assign(
            project_cost_code=form.cleaned_data["project_cost_code"],
            cost_types=[form.cleaned_data["cost_type"]],
            actor=request.user,
        )
        adopt(obj, created[0])

    def delete_model(self, request, obj):
        project_cost_type_remove(project_cost_type=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for project_cost_type in queryset:
            try:
                project_cost_type_remove(project_cost_type=project_cost_type, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)
