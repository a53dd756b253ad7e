"""The access rules at the REST API's door, and the caller's own permissions.

* ``RulePermission`` asks ``apps.access.rules`` for the viewset's ``rule_resource``. Before the
  object is loaded it asks only whether the user may *see* the resource at all (or, for a create,
  add it anywhere) — a question about no particular row; then the object comes from the scoped
  selector (another project's row is a 404, whatever the action), and the action's own operation
  is asked about that object. Refusals are ``PermissionRefused`` (403 with the rule's message).
* ``HubViewSetMixin`` gives ``get_queryset`` from ``scoped_queryset(user)`` (the domain selector
  called with ``user=``), guarded for schema generation.
* ``MeView`` answers "what may I do?": tool levels, approver status, company-level actions.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.access.checks import can
from apps.access.matrix import Action
from apps.access.models import COMPANY_TOOLS, PROJECT_TOOLS
from apps.access.profiles import access_profile
from apps.access.rules import Operation, Resource, require_permitted
from apps.access.selectors import visible_projects
from apps.core.admin_mixins import fresh
from apps.core.api.viewsets import parse_id

DEFAULT_OPERATIONS: dict[str, Operation] = {
    "list": Operation.VIEW,
    "retrieve": Operation.VIEW,
    "create": Operation.ADD,
    "update": Operation.CHANGE,
    "partial_update": Operation.CHANGE,
    "destroy": Operation.DELETE,
}


class RulePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        # On an existing row the row decides (``has_object_permission``), once the scoped queryset
        # has found it; until then the only question is whether the user sees the resource at all.
        operation = Operation.VIEW if view.detail else view.rule_operation()
        require_permitted(request.user, view.rule_resource, operation)
        return True

    def has_object_permission(self, request, view, obj):
        require_permitted(request.user, view.rule_resource, view.rule_operation(), obj=obj)
        return True


class HubViewSetMixin:
    """Mixed into a DRF ``GenericViewSet`` of a hub resource."""

    rule_resource: Resource
    # Operations of this viewset's own actions (``@action`` names), beyond the CRUD defaults.
    rule_operations: dict[str, Operation] = {}
    permission_classes = [permissions.IsAuthenticated, RulePermission]

    def rule_operation(self) -> Operation:
        action = getattr(self, "action", None) or "retrieve"
        return self.rule_operations.get(action) or DEFAULT_OPERATIONS.get(action, Operation.VIEW)

    def scoped_queryset(self, user):  # pragma: no cover - each viewset names its selector
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema without a user
            return self.queryset_model._default_manager.none()
        return self.scoped_queryset(self.request.user)

    def get_object(self):
        # Only ASCII ids in range reach the database ("²" or 25 digits would be a 500 there).
        if parse_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)) is None:
            raise Http404
        return super().get_object()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": getattr(self.request, "user", None)}

    def locked_object(self):
        """The object of a detail route, found and checked as usual, then locked (call it inside
        ``transaction.atomic``) so that the service works on the stored row."""
        return fresh(self.get_object())


class ProjectLevelsSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project_number = serializers.CharField()
    levels = serializers.DictField(child=serializers.CharField())
    view_direct_cost_details = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_accounting_approver = serializers.BooleanField()
    company_levels = serializers.DictField(child=serializers.CharField())
    company_actions = serializers.ListField(child=serializers.CharField())
    projects = ProjectLevelsSerializer(many=True)


class MeView(APIView):
    """The caller's own tool levels, approver status and the company-level actions they may take."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        profile = access_profile(request.user)
        projects = visible_projects(request.user).order_by("number")[:500]
        body = {
            "username": request.user.get_username(),
            "is_accounting_approver": profile.is_superuser or profile.is_accounting_approver,
            "company_levels": {str(tool): profile.level(tool).label for tool in COMPANY_TOOLS},
            "company_actions": [str(action) for action in Action if can(request.user, action)],
            "projects": [
                {
                    "project_id": project.pk,
                    "project_number": project.number,
                    "levels": {str(tool): profile.level(tool, project).label for tool in PROJECT_TOOLS},
                    "view_direct_cost_details": profile.view_direct_cost_details(project),
                }
                for project in projects
            ],
        }
        return Response(MeSerializer(body).data)
