from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from apps.access.admin_mixins import RulesAdminMixin, RulesInlineMixin
from apps.access.models import ProjectMembership
from apps.access.rules import Resource
from apps.core.admin_mixins import (
    NoHistoryRevertMixin,
    ServiceAdminMixin,
    add_service_errors,
    adopt,
    autocomplete_id,
    autocomplete_source,
    badge,
    fresh,
)
from apps.core.exceptions import ApplicationError
from apps.erp.admin_mixins import ErpAdminMixin
from apps.projects.models import Project, SubJob
from apps.projects.selectors import project_list, sub_job_list
from apps.projects.services import (
    PROJECT_EDITABLE_FIELDS,
    project_create,
    project_delete,
    project_update,
    project_validate,
    sub_job_create,
    sub_job_delete,
    project_delete_problem,
    sub_job_delete_problem,
    sub_job_update,
    sub_job_validate,
)
from apps.wbs.admin import project_cost_code_label
from apps.wbs.models import ProjectCostCode


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_EDITABLE_FIELDS

    def validate_unique(self):
        """The service validator checks the project number (case-insensitively)."""

    def clean(self):
        cleaned = super().clean()
        data = {field: cleaned[field] for field in PROJECT_EDITABLE_FIELDS if field in cleaned}
        if not self.instance.pk and not data.get("cost_code_list"):
            data.pop("cost_code_list", None)  # project_create picks the ERP list
        add_service_errors(self, project_validate(data=data, project=self.instance if self.instance.pk else None))
        return cleaned


class SubJobInlineForm(forms.ModelForm):
    class Meta:
        model = SubJob
        fields = ("code", "name")

    def clean(self):
        cleaned = super().clean()
        project = getattr(self.instance, "project", None)  # set by the inline formset (unsaved on "add")
        if cleaned.get("DELETE"):
            problem = sub_job_delete_problem(sub_job=self.instance) if self.instance.pk else None
            if problem:
                # Keep the row and say why (R51), instead of the generic "protected objects" message.
                cleaned["DELETE"] = False
                self.add_error(None, problem)
        elif project is not None and project.pk:
            data = {field: cleaned[field] for field in ("code", "name") if field in cleaned}
            add_service_errors(
                self, sub_job_validate(project=project, data=data, sub_job=self.instance if self.instance.pk else None)
            )
        return cleaned


class SubJobInline(RulesInlineMixin, admin.TabularInline):
    rule_resource = Resource.SUB_JOB
    model = SubJob
    form = SubJobInlineForm
    fields = ("code", "name")
    extra = 0
    show_change_link = True


class ProjectCostCodeInline(RulesInlineMixin, admin.TabularInline):
    """The project's cost codes; project-specific ones (created in Sage for this job) are marked (R34)."""

    rule_resource = Resource.PROJECT_COST_CODE
    model = ProjectCostCode
    fields = ("cost_code", "description", "sub_job", "cost_types_display", "erp_synced_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "cost codes (add them from the project's standard list under Project cost codes)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sub_job").prefetch_related("cost_types__cost_type")

    @admin.display(description="cost code")
    def cost_code(self, obj):
        return project_cost_code_label(obj)

    @admin.display(description="cost types")
    def cost_types_display(self, obj):
        return ", ".join(assignment.cost_type.code for assignment in obj.cost_types.all())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ErpAdminMixin, RulesAdminMixin, ServiceAdminMixin, NoHistoryRevertMixin, SimpleHistoryAdmin):
    rule_resource = Resource.PROJECT
    form = ProjectAdminForm
    list_display = ("number", "name", "sage_job", "stage", "city", "state", "cost_code_list", "is_active")
    list_filter = ("stage", "is_active", ("sage_job_id", admin.EmptyFieldListFilter), "cost_code_list")
    search_fields = ("number", "name", "sage_job_id", "city")
    ordering = ("number",)
    list_select_related = ("cost_code_list",)
    autocomplete_fields = ("cost_code_list",)
    readonly_fields = ("sage_job_id", "created_at", "updated_at", "add_cost_code_link")
    fieldsets = (
        (None, {"fields": ("number", "name", "stage", "is_active")}),
        ("Address", {"fields": ("address", "city", "state", "zip")}),
        ("Work breakdown structure", {"fields": ("cost_code_list", "add_cost_code_link")}),
        ("Sage 300 CRE", {"fields": ("sage_job_id", "created_at", "updated_at")}),
    )
    inlines = [SubJobInline, ProjectCostCodeInline]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return project_list(user=request.user)

    @admin.display(description="Sage Job ID", ordering="sage_job_id")
    def sage_job(self, obj):
        if obj.sage_job_id:
            return format_html("{} {}", obj.sage_job_id, badge("integrated", colour="#15803d"))
        return "—"

    @admin.display(description="cost codes")
    def add_cost_code_link(self, obj):
        if not obj.pk:
            return "Save the project first."
        url = reverse("admin:wbs_projectcostcode_add") + f"?project={obj.pk}"
        return format_html('<a href="{}">Add a cost code from the standard list</a>', url)

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data if field in PROJECT_EDITABLE_FIELDS}
            project = project_update(project=fresh(obj), data=data, actor=request.user)
        else:
            data = {field: form.cleaned_data[field] for field in PROJECT_EDITABLE_FIELDS}
            project = project_create(**data, actor=request.user)
        adopt(obj, project)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The team goes with its project; only company admins manage memberships one by one.
        perms_needed.discard(ProjectMembership._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_problem(self, obj):
        return project_delete_problem(project=obj)

    def has_delete_permission(self, request, obj=None):
        # No Delete button on a project its service would refuse to delete (Sage has it, or may have it).
        if obj is not None and self.delete_problem(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        project_delete(project=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            try:
                project_delete(project=project, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)

    def save_formset(self, request, form, formset, change):
        if formset.model is not SubJob:
            formset.save()
            return
        formset.save(commit=False)
        for sub_job in formset.deleted_objects:
            sub_job_delete(sub_job=sub_job, actor=request.user)
        for sub_job, changed in formset.changed_objects:
            data = {field: getattr(sub_job, field) for field in changed if field in ("code", "name")}
            adopt(sub_job, sub_job_update(sub_job=fresh(sub_job), data=data, actor=request.user))
        for sub_job in formset.new_objects:
            adopt(sub_job, sub_job_create(project=form.instance, code=sub_job.code, name=sub_job.name, actor=request.user))


class SubJobAdminForm(forms.ModelForm):
    class Meta:
        model = SubJob
        fields = ("project", "code", "name")

    def validate_unique(self):
        """The service validator checks the code within the project."""

    def clean(self):
        cleaned = super().clean()
        project = cleaned.get("project") or (self.instance.project if self.instance.pk else None)
        if project is not None:
            data = {field: cleaned[field] for field in ("code", "name") if field in cleaned}
            add_service_errors(
                self, sub_job_validate(project=project, data=data, sub_job=self.instance if self.instance.pk else None)
            )
        return cleaned


@admin.register(SubJob)
class SubJobAdmin(ErpAdminMixin, RulesAdminMixin, ServiceAdminMixin, NoHistoryRevertMixin, SimpleHistoryAdmin):
    rule_resource = Resource.SUB_JOB
    form = SubJobAdminForm
    list_display = ("code", "name", "project", "cost_code_count")
    list_filter = (("project__sage_job_id", admin.EmptyFieldListFilter),)
    search_fields = ("code", "name", "project__number", "project__name")
    ordering = ("project__number", "code")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)
    readonly_fields = ("created_at", "updated_at", "cost_codes_display")
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return sub_job_list(user=request.user).annotate(cost_code_total=Count("cost_codes"))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) == ("wbs", "projectcostcode", "sub_job"):
            # A cost code's sub job is one of its project's: none is offered until the project is chosen.
            project_id = autocomplete_id(request, "project")
            queryset = queryset.filter(project_id=project_id) if project_id is not None else queryset.none()
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        return ("project", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description="cost codes", ordering="cost_code_total")
    def cost_code_count(self, obj):
        return obj.cost_code_total

    @admin.display(description="cost codes tied to it")
    def cost_codes_display(self, obj):
        codes = obj.cost_codes.order_by("code") if obj.pk else []
        return format_html_join(", ", "{}", ((code.code,) for code in codes)) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data if field in ("code", "name")}
            sub_job = sub_job_update(sub_job=fresh(obj), data=data, actor=request.user)
        else:
            sub_job = sub_job_create(
                project=form.cleaned_data["project"],
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        adopt(obj, sub_job)

    def delete_problem(self, obj):
        return sub_job_delete_problem(sub_job=obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_problem(obj):
            return False  # no Delete button the service would refuse
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        sub_job_delete(sub_job=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for sub_job in queryset:
            try:
                sub_job_delete(sub_job=sub_job, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)
