"""The Django admin asks ``apps.access.rules``, never Django's model permissions, for hub models.

``RulesAdminMixin`` (first in a ModelAdmin's bases) answers every ``has_*_permission`` from the rules
table, object by object for project data; lists come from the selectors with ``user=request.user``
(each hub admin's ``get_queryset``), so a change list, an autocomplete or a change view never
reaches a row of a project the user is not on the team of. Foreign-key choices are scoped the same
way, admin actions the user may not use are hidden and, if posted anyway, refused with a message.
``RulesInlineMixin`` does the same for inlines, asked about the parent's project.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect

from apps.access.matrix import Decision
from apps.access.rules import PROJECT_RESOURCES, Operation, Resource, permits


def scoped_choices(model, user):
    """The rows of ``model`` that ``user`` may pick in a form (None: the model is not scoped)."""
    from apps.companies.models import Company
    from apps.companies.selectors import company_list
    from apps.projects.models import Project, SubJob
    from apps.projects.selectors import project_list, sub_job_list
    from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, StandardCostCode
    from apps.wbs.selectors import cost_code_list_list, cost_type_list, project_cost_code_list, standard_cost_code_list

    selectors = {
        Project: lambda: project_list(user=user),
        SubJob: lambda: sub_job_list(user=user),
        ProjectCostCode: lambda: project_cost_code_list(project=None, user=user),
        StandardCostCode: lambda: standard_cost_code_list(user=user),
        CostCodeList: lambda: cost_code_list_list(user=user),
        CostType: lambda: cost_type_list(user=user),
        Company: lambda: company_list(user=user),
    }
    selector = selectors.get(model)
    return selector() if selector is not None else None


class RulesAdminMixin:
    rule_resource: Resource

    # --- the rules ---------------------------------------------------------------------------

    def rule(self, request, operation: Operation, obj=None, *, project=None) -> Decision:
        return permits(request.user, self.rule_resource, operation, obj=obj, project=project)

    def has_module_permission(self, request):
        return self.rule(request, Operation.VIEW).allowed

    def has_view_permission(self, request, obj=None):
        return self.rule(request, Operation.VIEW, obj).allowed

    def has_add_permission(self, request):
        return self.rule(request, Operation.ADD).allowed

    def has_change_permission(self, request, obj=None):
        return self.rule(request, Operation.CHANGE, obj).allowed

    def has_delete_permission(self, request, obj=None):
        return self.rule(request, Operation.DELETE, obj).allowed

    # django-import-export's hooks: the rules, not ``<app>.import_<model>`` model permissions.
    def has_import_permission(self, request):
        return self.rule(request, Operation.IMPORT).allowed

    def has_export_permission(self, request):
        return self.rule(request, Operation.EXPORT).allowed

    # Admin actions name these in ``permissions=[...]``.
    def has_activate_permission(self, request, obj=None):
        return self.rule(request, Operation.ACTIVATE, obj).allowed

    def has_archive_permission(self, request, obj=None):
        return self.rule(request, Operation.ARCHIVE, obj).allowed

    def has_lock_permission(self, request, obj=None):
        return self.rule(request, Operation.LOCK, obj).allowed

    def has_assign_default_cost_types_permission(self, request, obj=None):
        return self.rule(request, Operation.ASSIGN_DEFAULT_COST_TYPES, obj).allowed

    # --- choices in forms ------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request.user)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request.user)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- actions ---------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        refusal = self._refused_action(request)
        if refusal is not None:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def _refused_action(self, request) -> str | None:
        """The message for a posted action this user may not use (hidden from them), else None."""
        if request.method != "POST" or "action" not in request.POST:
            return None
        names = request.POST.getlist("action")
        try:
            name = names[int(request.POST.get("index", 0))]
        except (ValueError, IndexError):
            return None
        if not name or name in self.get_actions(request):
            return None
        for func, action_name, description in self._get_base_actions():
            if action_name != name:
                continue
            reasons = [
                self.rule(request, Operation(permission)).reason
                for permission in getattr(func, "allowed_permissions", ())
                if permission in Operation.values
            ]
            reason = next((r for r in reasons if r), "")
            label = str(description) % {"verbose_name_plural": self.model._meta.verbose_name_plural}
            return f"You may not use the action “{label}”. {reason}".strip()
        return None

    # --- history pages (simple-history) read the object outside get_object ----------------

    def history_view(self, request, object_id, extra_context=None):
        self._not_found_unless_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._not_found_unless_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _not_found_unless_visible(self, request, object_id) -> None:
        pk = unquote(object_id)
        try:
            if self.get_queryset(request).filter(pk=pk).exists():
                return
            exists = self.model._default_manager.filter(pk=pk).exists()
        except (ValueError, TypeError, ValidationError):
            raise Http404 from None
        # Someone else's row, or a deleted one whose project can no longer be asked about.
        if exists or not request.user.is_superuser:
            raise Http404


class RulesInlineMixin:
    """An inline asks the rules about the parent's project (on the parent's add page: a new project,
    which nobody but a superuser can yet add rows to)."""

    rule_resource: Resource

    def rule_project(self, parent):
        from apps.projects.models import Project

        if self.rule_resource not in PROJECT_RESOURCES:
            return None
        if parent is None:
            return Project()
        return parent if isinstance(parent, Project) else parent.project

    def _inline_rule(self, request, operation: Operation, parent) -> bool:
        return permits(request.user, self.rule_resource, operation, project=self.rule_project(parent)).allowed

    def get_queryset(self, request):
        # Django's InlineModelAdmin.get_queryset asks has_view_or_change_permission(request) without the
        # parent, which the rules would answer for a new, empty project (no rows for anyone but a superuser).
        # The parent is asked about in get_inline_instances (the inline is not shown at all without it), and
        # the formset holds only the parent's rows.
        return admin.options.BaseModelAdmin.get_queryset(self, request)

    def has_view_permission(self, request, obj=None):
        return self._inline_rule(request, Operation.VIEW, obj)

    def has_add_permission(self, request, obj=None):
        return self._inline_rule(request, Operation.ADD, obj)

    def has_change_permission(self, request, obj=None):
        return self._inline_rule(request, Operation.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._inline_rule(request, Operation.DELETE, obj)
