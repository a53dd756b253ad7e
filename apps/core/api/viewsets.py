"""What every hub API viewset shares: the access rules as a DRF permission, scoped querysets, ids.

* ``RulePermission`` asks ``apps.access.rules`` for the viewset's ``rule_resource``. Before the
  object is loaded it asks only whether the user may *see* the resource at all (or, for a create,
  add it anywhere) — a question about no particular row; then the object comes from the scoped
  selector (another project's row is a 404, whatever the action), and the action's own operation
  is asked about that object. Refusals are ``PermissionRefused`` (403 with the rule's message).
* ``HubViewSetMixin`` gives ``get_queryset`` from ``scoped_queryset(user)`` (the domain selector
  called with ``user=``), guarded for schema generation.
* The ERP actions (``/erp/<action>/`` routes) come from ``apps.erp.api.ErpActionsMixin``, mixed
  into the project, sub job and company viewsets.
"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions

from apps.access.rules import Operation, Resource, require_permitted
from apps.core.admin_mixins import fresh

MAX_ID = 2**63 - 1  # a bigint; larger numbers are not ids (and would overflow SQLite)

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

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": getattr(self.request, "user", None)}

    def locked_object(self):
        """The object of a detail route, found and checked as usual, then locked (call it inside
        ``transaction.atomic``) so that the service works on the stored row."""
        return fresh(self.get_object())


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """Filter by a related row's id: a bounded integer, and no way to learn whether another project's row exists."""

    field_class = IdField
