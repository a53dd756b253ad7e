"""Admin for access control: permission templates, users' directory records, project teams.

Only company admins (Admin on the company Admin tool) manage these; the services check it too.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from apps.access import services
from apps.access.checks import has_tool_level
from apps.access.selectors import with_user_counts
from apps.access.models import (
    COMPANY_TOOLS,
    PROJECT_TOOLS,
    Level,
    PermissionTemplate,
    ProjectMembership,
    Tool,
    UserAccess,
)
from apps.core.exceptions import ApplicationError
from apps.erp.item_types import ItemType

User = get_user_model()


def is_company_admin(request) -> bool:
    return has_tool_level(request.user, Tool.COMPANY_ADMIN, Level.ADMIN)


class CompanyAdminOnlyMixin:
    """Access control is managed by company admins only, whatever Django model permissions say."""

    def has_module_permission(self, request):
        return is_company_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_company_admin(request)

    def has_add_permission(self, request, *args):
        return is_company_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_company_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_company_admin(request)


@admin.register(PermissionTemplate)
class PermissionTemplateAdmin(CompanyAdminOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "scope", *[str(tool) for tool in COMPANY_TOOLS + PROJECT_TOOLS], "users_on_it"]
    list_filter = ["scope"]
    search_fields = ["name", "description"]
    ordering = ["scope", "name"]
    fieldsets = [
        (None, {"fields": ["name", "scope", "description"]}),
        (
            "Company tools (company templates)",
            {"fields": [str(tool) for tool in COMPANY_TOOLS] + ["can_create_new_project"]},
        ),
        (
            "Project tools (project templates)",
            {"fields": [str(tool) for tool in PROJECT_TOOLS] + ["view_direct_cost_details", "assign_to_project_creator"]},
        ),
    ]

    def get_queryset(self, request):
        return with_user_counts(super().get_queryset(request))  # no count query per row

    @admin.display(description="users")
    def users_on_it(self, obj):
        if obj.scope == PermissionTemplate.Scope.COMPANY:
            return obj.company_users_count if hasattr(obj, "company_users_count") else obj.company_users.count()
        return obj.memberships_count if hasattr(obj, "memberships_count") else obj.memberships.count()

    def save_model(self, request, obj, form, change):
        services.permission_template_save(template=obj, actor=request.user)


class ItemTypesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=ItemType.choices, required=False, **kwargs)


class UserAccessForm(forms.ModelForm):
    can_import_item_types = ItemTypesField(label="May import")
    can_export_item_types = ItemTypesField(label="May export")

    class Meta:
        model = UserAccess
        fields = ["company_template", "can_push_to_accounting", "can_import_item_types", "can_export_item_types"]


class UserAccessInline(admin.StackedInline):
    model = UserAccess
    form = UserAccessForm
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name = "Company permissions (directory record)"

    def has_add_permission(self, request, obj=None):
        return is_company_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_company_admin(request)


class ProjectMembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 0
    raw_id_fields = ["project"]
    fields = ["project", "template"]

    def has_add_permission(self, request, obj=None):
        return is_company_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_company_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_company_admin(request)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CompanyAdminOnlyMixin, DjangoUserAdmin):
    inlines = [UserAccessInline, ProjectMembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "company_template", "approver", "is_active"]
    list_select_related = ["access__company_template"]
    list_filter = ["is_active", "is_staff", "access__company_template", "access__can_push_to_accounting"]

    @admin.display(description="company template", ordering="access__company_template__name")
    def company_template(self, obj):
        access = getattr(obj, "access", None)
        return access.company_template if access else None

    @admin.display(description="accounting approver", boolean=True)
    def approver(self, obj):
        access = getattr(obj, "access", None)
        return bool(access and access.can_push_to_accounting)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the access services, so guardian grants stay in step."""
        if formset.model is UserAccess:
            for inline_form in formset.forms:
                if not inline_form.has_changed() and inline_form.instance.pk:
                    continue
                data = inline_form.cleaned_data
                if not data:
                    continue
                services.user_access_set(
                    user=form.instance,
                    company_template=data.get("company_template"),
                    can_push_to_accounting=data.get("can_push_to_accounting", False),
                    can_import_item_types=data.get("can_import_item_types") or [],
                    can_export_item_types=data.get("can_export_item_types") or [],
                    actor=request.user,
                )
            return
        if formset.model is ProjectMembership:
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                services.project_membership_remove(membership=obj, actor=request.user)
            for obj in instances:
                try:
                    services.project_membership_set(
                        user=form.instance, project=obj.project, template=obj.template, actor=request.user
                    )
                except ApplicationError as error:
                    raise ValidationError(error.message) from error
            return
        super().save_formset(request, form, formset, change)


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(CompanyAdminOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "project", "template", "created_at"]
    list_filter = ["template"]
    list_select_related = ["user", "project", "template"]
    search_fields = ["user__username", "user__email", "project__number", "project__name"]
    raw_id_fields = ["project", "user"]
    ordering = ["project__number", "user__username"]

    def save_model(self, request, obj, form, change):
        services.project_membership_set(user=obj.user, project=obj.project, template=obj.template, actor=request.user)

    def delete_model(self, request, obj):
        services.project_membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "project"):
            services.project_membership_remove(membership=membership, actor=request.user)
        self.message_user(request, "Removed the selected memberships.", messages.SUCCESS)
