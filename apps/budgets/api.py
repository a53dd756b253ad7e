"""REST API v1 for budgets, budget lines and budget changes.

Reads come from ``apps.budgets.selectors`` scoped to the caller's projects (another project's budget is a
404); writes go through ``apps.budgets.services`` with ``actor=request.user``. Budget changes are created
once and never edited or deleted: PUT, PATCH and DELETE answer 409 with the reason.
"""

from __future__ import annotations

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.access.api import HubViewSetMixin
from apps.access.rules import Operation, Resource
from apps.budgets.models import Budget, BudgetChange, BudgetChangeLine, BudgetLine
from apps.budgets.selectors import budget_change_list, budget_line_list, budget_list
from apps.budgets.services import (
    budget_change_create,
    budget_change_delete,
    budget_change_update,
    budget_create,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    budget_lock,
    budget_unlock,
    budget_update,
)
from apps.core.api.fields import ScopedPrimaryKeyRelatedField
from apps.core.api.viewsets import IdFilter
from apps.projects.models import Project
from apps.projects.selectors import project_list
from apps.wbs.models import ProjectCostType

MONEY = {"max_digits": 14, "decimal_places": 2}


def _project_cost_types(*, user):
    return ProjectCostType.objects.filter(project_cost_code__project__in=project_list(user=user).values("pk"))


# --- budgets ----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Budget")
class BudgetSerializer(serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(selector=project_list, queryset=Project.objects.all(),
                                           help_text="The project; one budget per project.")
    project_number = serializers.CharField(source="project.number", read_only=True)
    original_total = serializers.DecimalField(read_only=True, **MONEY)
    approved_changes_total = serializers.DecimalField(read_only=True, **MONEY)
    revised_total = serializers.DecimalField(read_only=True, help_text="Original budget plus approved changes.", **MONEY)
    estimated_cost_at_completion_total = serializers.DecimalField(source="forecast_total", read_only=True, **MONEY)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Budget
        fields = (
            "id", "project", "project_number", "is_locked", "locked_at", "export_forecast_amounts",
            "original_total", "approved_changes_total", "revised_total", "estimated_cost_at_completion_total",
            "line_count", "erp_status", "erp_synced_at", "created_at", "updated_at",
        )
        read_only_fields = ("id", "is_locked", "locked_at", "erp_status", "erp_synced_at", "created_at", "updated_at")
        validators = []


class BudgetFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id")

    class Meta:
        model = Budget
        fields = ("project", "is_locked")


class BudgetViewSet(HubViewSetMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                    mixins.ListModelMixin, viewsets.GenericViewSet):
    """Budgets of the caller's projects, with their totals."""

    rule_resource = Resource.BUDGET
    rule_operations = {"lock": Operation.LOCK, "unlock": Operation.LOCK}
    queryset_model = Budget
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    search_fields = ("project__number", "project__name")
    ordering_fields = ("project__number", "created_at", "revised_total")

    def scoped_queryset(self, user):
        return budget_list(user=user)

    def _fresh(self, budget):
        return self.scoped_queryset(self.request.user).get(pk=budget.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = budget_create(**serializer.validated_data, actor=request.user)
        return Response(self.get_serializer(self._fresh(budget)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            budget = self.locked_object()
            serializer = self.get_serializer(budget, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            project = data.pop("project", budget.project)
            if project.pk != budget.project_id:
                raise serializers.ValidationError({"project": ["A budget stays on its project."]})
            budget = budget_update(budget=budget, data=data, actor=request.user)
        return Response(self.get_serializer(self._fresh(budget)).data)

    @extend_schema(request=None, responses={200: BudgetSerializer}, summary="Lock the budget",
                   description="Lock the budget: its lines can no longer be added, edited or removed. Needs Admin on "
                   "the project's Budget tool; 409 when it is already locked.")
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        budget = budget_lock(budget=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self._fresh(budget)).data)

    @extend_schema(request=None, responses={200: BudgetSerializer}, summary="Unlock the budget",
                   description="Unlock the budget. Needs Admin on the project's Budget tool; 409 (with the reason) "
                   "when it cannot be unlocked now.")
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        budget = budget_unlock(budget=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self._fresh(budget)).data)


# --- budget lines -----------------------------------------------------------------------------


@extend_schema_serializer(component_name="BudgetLine")
class BudgetLineSerializer(serializers.ModelSerializer):
    budget = ScopedPrimaryKeyRelatedField(selector=budget_list, queryset=Budget.objects.all())
    project_cost_type = ScopedPrimaryKeyRelatedField(
        selector=_project_cost_types, queryset=ProjectCostType.objects.all(),
        help_text="The project's cost code / cost type this line budgets; it does not change later.",
    )
    project = serializers.IntegerField(source="budget.project_id", read_only=True)
    cost_code = serializers.CharField(source="project_cost_type.project_cost_code.code", read_only=True)
    cost_type = serializers.CharField(source="project_cost_type.cost_type.code", read_only=True)
    sub_job = serializers.SerializerMethodField()
    on_sage_job = serializers.BooleanField(source="on_sage", read_only=True,
                                           help_text="False for a line shown with “?”: it cannot take budget changes.")
    original_amount = serializers.DecimalField(required=False, **MONEY)
    approved_changes = serializers.DecimalField(read_only=True, **MONEY)
    revised_amount = serializers.DecimalField(read_only=True, **MONEY)
    unit_qty = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True,
                                        help_text="Kept in Trestle only; not sent to Sage.")
    unit_of_measure = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                            help_text="Kept in Trestle only; not sent to Sage.")

    class Meta:
        model = BudgetLine
        fields = (
            "id", "budget", "project", "project_cost_type", "sub_job", "cost_code", "cost_type", "on_sage_job",
            "original_amount", "approved_changes", "revised_amount", "estimated_cost_at_completion",
            "forecast_to_complete", "unit_qty", "unit_of_measure", "created_at", "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        validators = []

    def get_sub_job(self, line) -> str | None:
        sub_job = line.project_cost_type.project_cost_code.sub_job
        return sub_job.code if sub_job else None


class BudgetLineFilter(filters.FilterSet):
    budget = IdFilter(field_name="budget_id")
    project = IdFilter(field_name="budget__project_id")
    on_sage_job = filters.BooleanFilter(field_name="project_cost_type__erp_synced_at", lookup_expr="isnull",
                                        exclude=True, label="On the Sage job")

    class Meta:
        model = BudgetLine
        fields = ("budget", "project", "on_sage_job")


class BudgetLineViewSet(HubViewSetMixin, viewsets.ModelViewSet):
    """Lines of the budgets of the caller's projects, with approved changes and the revised budget."""

    rule_resource = Resource.BUDGET_LINE
    queryset_model = BudgetLine
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    search_fields = ("project_cost_type__project_cost_code__code", "project_cost_type__project_cost_code__description")
    ordering_fields = ("original_amount", "created_at")

    def scoped_queryset(self, user):
        return budget_line_list(user=user)

    def _fresh(self, line):
        return self.scoped_queryset(self.request.user).get(pk=line.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        line = budget_line_create(budget=data.pop("budget"), project_cost_type=data.pop("project_cost_type"),
                                  data=data, actor=request.user)
        return Response(self.get_serializer(self._fresh(line)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            line = self.locked_object()
            serializer = self.get_serializer(line, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            if data.pop("budget", line.budget).pk != line.budget_id:
                raise serializers.ValidationError({"budget": ["A line stays on its budget."]})
            line = budget_line_update(line=line, data=data, actor=request.user)
        return Response(self.get_serializer(self._fresh(line)).data)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            budget_line_delete(line=self.locked_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- budget changes ---------------------------------------------------------------------------


class BudgetChangeLineSerializer(serializers.ModelSerializer):
    budget_line = ScopedPrimaryKeyRelatedField(selector=budget_line_list, queryset=BudgetLine.objects.all())

    class Meta:
        model = BudgetChangeLine
        fields = ("budget_line", "amount")


@extend_schema_serializer(component_name="BudgetChange")
class BudgetChangeSerializer(serializers.ModelSerializer):
    budget = ScopedPrimaryKeyRelatedField(selector=budget_list, queryset=Budget.objects.all())
    lines = BudgetChangeLineSerializer(many=True)
    total = serializers.DecimalField(read_only=True, help_text="The sum of the lines (zero for a balanced transfer).",
                                     **MONEY)
    date = serializers.DateField(required=False)

    class Meta:
        model = BudgetChange
        fields = ("id", "budget", "number", "kind", "status", "description", "date", "lines", "total", "erp_status",
                  "created_at")
        read_only_fields = ("id", "number", "erp_status", "created_at")
        validators = []


class BudgetChangeFilter(filters.FilterSet):
    budget = IdFilter(field_name="budget_id")
    project = IdFilter(field_name="budget__project_id")

    class Meta:
        model = BudgetChange
        fields = ("budget", "project", "kind", "status")


class BudgetChangeViewSet(HubViewSetMixin, viewsets.ModelViewSet):
    """Budget changes of the caller's projects. Created once; PUT, PATCH and DELETE are refused (409)."""

    rule_resource = Resource.BUDGET_CHANGE
    # Asked as "may see it"; the service then refuses the edit or delete itself, with the reason.
    rule_operations = {"update": Operation.VIEW, "partial_update": Operation.VIEW, "destroy": Operation.VIEW}
    queryset_model = BudgetChange
    serializer_class = BudgetChangeSerializer
    filterset_class = BudgetChangeFilter
    search_fields = ("description",)
    ordering_fields = ("number", "date", "created_at")

    def scoped_queryset(self, user):
        return budget_change_list(user=user).prefetch_related("lines")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change = budget_change_create(
            budget=data["budget"], description=data.get("description", ""), date=data.get("date"),
            kind=data.get("kind", BudgetChange.Kind.CHANGE), status=data.get("status", BudgetChange.Status.APPROVED),
            lines=[(row["budget_line"], row["amount"]) for row in data.get("lines", [])], actor=request.user,
        )
        return Response(self.get_serializer(self.scoped_queryset(request.user).get(pk=change.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={409: None}, description="Always refused: a budget change cannot be "
                   "edited once created; create another change for the difference.")
    def update(self, request, *args, **kwargs):
        budget_change_update(change=self.get_object(), actor=request.user)

    @extend_schema(request=None, responses={409: None}, description="Always refused: a budget change cannot be "
                   "edited once created; create another change for the difference.")
    def partial_update(self, request, *args, **kwargs):
        budget_change_update(change=self.get_object(), actor=request.user)

    @extend_schema(responses={409: None}, description="Always refused: a budget change cannot be deleted once "
                   "created; create another change for the difference.")
    def destroy(self, request, *args, **kwargs):
        budget_change_delete(change=self.get_object(), actor=request.user)


def register(router) -> None:
    router.register("budgets", BudgetViewSet, basename="budget")
    router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
    router.register("budget-changes", BudgetChangeViewSet, basename="budget-change")
