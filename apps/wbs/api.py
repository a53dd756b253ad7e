"""REST API v1 for the work breakdown structure.

Standard cost codes and cost types come from Sage 300 CRE (sync and imports), so they are read-only
here, except a standard code's default cost types (permission table row 15). Project cost codes are
added from the project's standard list and their cost types chosen; reads are scoped to the
caller's projects and writes go through ``apps.wbs.services`` with ``actor=request.user``.
"""

from __future__ import annotations

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.access.rules import Operation, Resource
from apps.core.api.fields import ScopedPrimaryKeyRelatedField
from apps.access.api import HubViewSetMixin
from apps.core.api.viewsets import IdFilter
from apps.projects.models import Project, SubJob
from apps.projects.selectors import project_list, sub_job_list
from apps.wbs.models import CostType, ProjectCostCode, StandardCostCode
from apps.wbs.selectors import cost_type_list, project_cost_code_list, standard_cost_code_list
from apps.wbs.services import (
    project_cost_code_add_from_standard,
    project_cost_code_remove,
    project_cost_type_remove,
    project_cost_types_assign,
    standard_cost_code_set_default_cost_types,
)


class OffersActiveOnly:
    """A related field whose choices (the browsable API's form, OPTIONS) are the active rows only.

    A deactivated row sent anyway still reaches the service, which says why it cannot be used."""

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        queryset = queryset.filter(is_active=True)
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {self.to_representation(item): self.display_value(item) for item in queryset}


class CostTypeCodesField(OffersActiveOnly, serializers.SlugRelatedField):
    """Cost types by code, e.g. ``["L", "M"]``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", CostType.objects.all())
        super().__init__(**kwargs)


class ActiveScopedPrimaryKeyRelatedField(OffersActiveOnly, ScopedPrimaryKeyRelatedField):
    pass


# --- cost types -------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CostType")
class CostTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostType
        fields = ("id", "code", "description", "is_active", "erp_synced_at", "created_at", "updated_at")
        read_only_fields = fields


class CostTypeFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = CostType
        fields = ("is_active", "code")


class CostTypeViewSet(HubViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Cost types (Sage standard categories). Read-only: they are imported from Sage 300 CRE."""

    rule_resource = Resource.COST_TYPE
    queryset_model = CostType
    serializer_class = CostTypeSerializer
    filterset_class = CostTypeFilter
    search_fields = ("code", "description")
    ordering_fields = ("code", "description", "updated_at")

    def scoped_queryset(self, user):
        return cost_type_list(user=user)


# --- standard cost codes ----------------------------------------------------------------------


@extend_schema_serializer(component_name="StandardCostCode")
class StandardCostCodeSerializer(serializers.ModelSerializer):
    cost_code_list_name = serializers.CharField(source="cost_code_list.name", read_only=True)
    default_cost_types = CostTypeCodesField(many=True, read_only=True)

    class Meta:
        model = StandardCostCode
        fields = (
            "id",
            "cost_code_list",
            "cost_code_list_name",
            "code",
            "description",
            "division",
            "is_active",
            "default_cost_types",
            "erp_synced_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


@extend_schema_serializer(component_name="StandardCostCodeDefaultCostTypes")
class StandardCostCodeDefaultCostTypesSerializer(serializers.Serializer):
    default_cost_types = CostTypeCodesField(
        many=True, allow_empty=True, help_text="Cost type codes; they become exactly the code's defaults."
    )


class StandardCostCodeFilter(filters.FilterSet):
    cost_code_list = IdFilter(field_name="cost_code_list_id")
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = StandardCostCode
        fields = ("cost_code_list", "is_active", "division", "code")


class StandardCostCodeViewSet(HubViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Standard cost codes of the company's lists. Read-only (they come from Sage 300 CRE) except
    their default cost types."""

    rule_resource = Resource.STANDARD_COST_CODE
    rule_operations = {"default_cost_types": Operation.ASSIGN_DEFAULT_COST_TYPES}
    queryset_model = StandardCostCode
    serializer_class = StandardCostCodeSerializer
    filterset_class = StandardCostCodeFilter
    search_fields = ("code", "description")
    ordering_fields = ("code", "description", "division", "updated_at")

    def scoped_queryset(self, user):
        return standard_cost_code_list(user=user)

    def get_serializer_class(self):
        if self.action == "default_cost_types":
            return StandardCostCodeDefaultCostTypesSerializer
        return StandardCostCodeSerializer

    @extend_schema(
        request=StandardCostCodeDefaultCostTypesSerializer,
        responses=StandardCostCodeSerializer,
        summary="Assign the default cost types of a standard cost code",
    )
    @action(detail=True, methods=["put"], url_path="default-cost-types")
    def default_cost_types(self, request, pk=None):
        with transaction.atomic():
            code = self.locked_object()
            serializer = StandardCostCodeDefaultCostTypesSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            standard_cost_code_set_default_cost_types(
                standard_cost_code=code, cost_types=serializer.validated_data["default_cost_types"], actor=request.user
            )
        stored = standard_cost_code_list().get(pk=code.pk)
        return Response(StandardCostCodeSerializer(stored, context=self.get_serializer_context()).data)


# --- project cost codes -----------------------------------------------------------------------


@extend_schema_serializer(component_name="ProjectCostCode")
class ProjectCostCodeSerializer(serializers.ModelSerializer):
    project_number = serializers.CharField(source="project.number", read_only=True)
    sub_job_code = serializers.CharField(source="sub_job.code", read_only=True, allow_null=True, default=None)
    cost_types = serializers.SerializerMethodField()

    class Meta:
        model = ProjectCostCode
        fields = (
            "id",
            "project",
            "project_number",
            "sub_job",
            "sub_job_code",
            "standard_cost_code",
            "code",
            "description",
            "is_project_specific",
            "cost_types",
            "erp_synced_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cost_types(self, obj) -> list[str]:
        return [assignment.cost_type.code for assignment in obj.cost_types.all()]


@extend_schema_serializer(component_name="ProjectCostCodeCreate")
class ProjectCostCodeCreateSerializer(serializers.Serializer):
    project = ScopedPrimaryKeyRelatedField(selector=project_list, queryset=Project.objects.all())
    sub_job = ScopedPrimaryKeyRelatedField(
        selector=sub_job_list, queryset=SubJob.objects.all(), required=False, allow_null=True, default=None,
        help_text="One of the project's own sub jobs; left out, the code is on the project itself.",
    )
    standard_cost_code = ActiveScopedPrimaryKeyRelatedField(
        selector=standard_cost_code_list,
        queryset=StandardCostCode.objects.all(),
        help_text="An active code of the project's standard cost code list.",
    )
    cost_types = CostTypeCodesField(
        many=True, required=False, help_text="Cost type codes; left out, the standard code's default cost types."
    )


@extend_schema_serializer(component_name="ProjectCostCodeUpdate")
class ProjectCostCodeUpdateSerializer(serializers.Serializer):
    cost_types = CostTypeCodesField(
        many=True,
        allow_empty=True,
        help_text="Cost type codes; the code's cost types become exactly these (removing one Sage has is refused).",
    )


class ProjectCostCodeFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id")
    sub_job = IdFilter(field_name="sub_job_id")
    has_sub_job = filters.BooleanFilter(field_name="sub_job", lookup_expr="isnull", exclude=True)
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = ProjectCostCode
        fields = ("project", "sub_job", "has_sub_job", "is_project_specific", "code")


class ProjectCostCodeViewSet(
    HubViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Cost codes of the caller's projects. A code is added from the project's standard list; what
    changes afterwards is its cost types."""

    rule_resource = Resource.PROJECT_COST_CODE
    queryset_model = ProjectCostCode
    serializer_class = ProjectCostCodeSerializer
    filterset_class = ProjectCostCodeFilter
    search_fields = ("code", "description", "project__number", "sub_job__code")
    ordering_fields = ("code", "description", "project__number", "created_at", "updated_at")

    def scoped_queryset(self, user):
        return project_cost_code_list(project=None, user=user)

    def get_serializer_class(self):
        if self.action == "create":
            return ProjectCostCodeCreateSerializer
        if self.action in ("update", "partial_update"):
            return ProjectCostCodeUpdateSerializer
        return ProjectCostCodeSerializer

    def _output(self, project_cost_code) -> dict:
        stored = project_cost_code_list(project=None).get(pk=project_cost_code.pk)
        return ProjectCostCodeSerializer(stored, context=self.get_serializer_context()).data

    @extend_schema(request=ProjectCostCodeCreateSerializer, responses={201: ProjectCostCodeSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project_cost_code = project_cost_code_add_from_standard(
            project=data["project"],
            standard_cost_code=data["standard_cost_code"],
            sub_job=data.get("sub_job"),
            cost_types=data.get("cost_types"),
            actor=request.user,
        )
        return Response(self._output(project_cost_code), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectCostCodeUpdateSerializer, responses=ProjectCostCodeSerializer)
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            project_cost_code = self.locked_object()
            serializer = self.get_serializer(data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            if "cost_types" in serializer.validated_data:
                self._set_cost_types(project_cost_code, serializer.validated_data["cost_types"])
        return Response(self._output(project_cost_code))

    @extend_schema(request=ProjectCostCodeUpdateSerializer, responses=ProjectCostCodeSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def _set_cost_types(self, project_cost_code: ProjectCostCode, cost_types: list[CostType]) -> None:
        wanted = {cost_type.pk for cost_type in cost_types}
        assignments = list(project_cost_code.cost_types.select_related("cost_type").order_by("cost_type__code"))
        assigned = {assignment.cost_type_id for assignment in assignments}
        new = [cost_type for cost_type in cost_types if cost_type.pk not in assigned]
        if new:
            project_cost_types_assign(project_cost_code=project_cost_code, cost_types=new, actor=self.request.user)
        for assignment in assignments:
            if assignment.cost_type_id not in wanted:
                project_cost_type_remove(project_cost_type=assignment, actor=self.request.user)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            project_cost_code_remove(project_cost_code=self.locked_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("standard-cost-codes", StandardCostCodeViewSet, basename="standard-cost-code")
    router.register("cost-types", CostTypeViewSet, basename="cost-type")
    router.register("project-cost-codes", ProjectCostCodeViewSet, basename="project-cost-code")
