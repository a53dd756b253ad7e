"""REST API v1 for projects (Sage jobs) and sub jobs (Sage extras).

Reads come from ``apps.projects.selectors`` scoped to the caller's projects; writes go through
``apps.projects.services`` with ``actor=request.user`` (the services check the access rules again).
"""

from __future__ import annotations

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.erp.item_types import ItemType
from apps.access.rules import Resource
from apps.erp.api import ErpActionsMixin, ErpStateField
from apps.core.api.fields import ScopedPrimaryKeyRelatedField
from apps.access.api import HubViewSetMixin
from apps.core.api.viewsets import IdFilter
from apps.projects.models import Project, SubJob
from apps.projects.selectors import project_list, sub_job_list
from apps.projects.services import (
    project_create,
    project_delete,
    project_update,
    sub_job_create,
    sub_job_delete,
    sub_job_update,
)
from apps.wbs.models import CostCodeList
from apps.wbs.selectors import cost_code_list_list

ERP_READ_ONLY = ("erp_status", "erp_synced_at")


# --- projects ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Project")
class ProjectSerializer(serializers.ModelSerializer):
    erp = ErpStateField(ItemType.PROJECT)
    cost_code_list = ScopedPrimaryKeyRelatedField(
        selector=cost_code_list_list,
        queryset=CostCodeList.objects.all(),
        allow_null=True,
        required=False,
        help_text="The standard cost code list; left out, the Sage 300 CRE standard list when there is one.",
    )

    class Meta:
        model = Project
        fields = (
            "id",
            "number",
            "name",
            "sage_job_id",
            "address",
            "city",
            "state",
            "zip",
            "stage",
            "is_active",
            "cost_code_list",
            *ERP_READ_ONLY,
            "erp",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "sage_job_id", *ERP_READ_ONLY, "created_at", "updated_at")
        # The service checks the project number (case-insensitively, with its own message).
        extra_kwargs = {"number": {"validators": []}}


class ProjectFilter(filters.FilterSet):
    number = filters.CharFilter(field_name="number", lookup_expr="iexact")
    integrated = filters.BooleanFilter(method="filter_integrated", label="Integrated (has a Sage Job ID)")
    cost_code_list = IdFilter(field_name="cost_code_list_id")

    class Meta:
        model = Project
        fields = ("stage", "is_active", "number", "integrated", "cost_code_list")

    def filter_integrated(self, queryset, name, value):
        return queryset.filter(sage_job_id__isnull=not value)


class RefreshCostCodesSerializer(serializers.Serializer):
    cost_codes_added = serializers.IntegerField(read_only=True)
    cost_types_added = serializers.IntegerField(read_only=True)
    skipped = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="What was not brought over, and why.")
    message = serializers.CharField(read_only=True)


class ProjectViewSet(ErpActionsMixin, HubViewSetMixin, viewsets.ModelViewSet):
    """Projects the caller is on the team of (all of them for a superuser)."""

    rule_resource = Resource.PROJECT
    erp_item_type = ItemType.PROJECT
    queryset_model = Project
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ("number", "name", "sage_job_id", "city")
    ordering_fields = ("number", "name", "stage", "created_at", "updated_at")

    def scoped_queryset(self, user):
        return project_list(user=user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = project_create(**serializer.validated_data, actor=request.user)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            project = self.locked_object()
            serializer = self.get_serializer(project, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            project = project_update(project=project, data=serializer.validated_data, actor=request.user)
        return Response(self.get_serializer(project).data)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            project_delete(project=self.locked_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: RefreshCostCodesSerializer},
        summary="Refresh Cost Codes",
        description="Bring the cost codes and categories added to the project's job in Sage 300 CRE onto the "
        "synced project (nothing is removed). Needs Admin on ERP Integrations (403 otherwise); 404 for a project you "
        "are not on; 409 when the project is not synced with a Sage job; 503 when Sage 300 CRE does not answer "
        "(nothing was changed; try again).",
    )
    @action(detail=True, methods=["post"], url_path="erp/refresh-cost-codes", url_name="erp-refresh-cost-codes")
    def erp_refresh_cost_codes(self, request, pk=None):
        from apps.projects.erp import refresh_cost_codes_message
        from apps.wbs.erp import project_cost_codes_refresh

        project = self.get_object()
        counts = project_cost_codes_refresh(project=project, actor=request.user)
        return Response(RefreshCostCodesSerializer({
            "cost_codes_added": counts.cost_codes_added, "cost_types_added": counts.cost_types_added,
            "skipped": counts.skipped, "message": refresh_cost_codes_message(project, counts),
        }).data)


# --- sub jobs ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="SubJob")
class SubJobSerializer(serializers.ModelSerializer):
    erp = ErpStateField(ItemType.SUB_JOB)
    project = ScopedPrimaryKeyRelatedField(
        selector=project_list,
        queryset=Project.objects.all(),
        help_text="The project; a sub job stays on the project it was created on.",
    )
    project_number = serializers.CharField(source="project.number", read_only=True)

    class Meta:
        model = SubJob
        fields = (
            "id",
            "project",
            "project_number",
            "code",
            "name",
            "sage_extra_id",
            *ERP_READ_ONLY,
            "erp",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "sage_extra_id", *ERP_READ_ONLY, "created_at", "updated_at")
        validators = []  # the service checks the code within the project, with its own message

    def validate_project(self, project):
        if self.instance is not None and project.pk != self.instance.project_id:
            raise serializers.ValidationError("A sub job cannot move to another project.")
        return project


class SubJobFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id")
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = SubJob
        fields = ("project", "code")


class SubJobViewSet(ErpActionsMixin, HubViewSetMixin, viewsets.ModelViewSet):
    """Sub jobs of the caller's projects."""

    rule_resource = Resource.SUB_JOB
    erp_item_type = ItemType.SUB_JOB
    queryset_model = SubJob
    serializer_class = SubJobSerializer
    filterset_class = SubJobFilter
    search_fields = ("code", "name", "project__number")
    ordering_fields = ("code", "name", "project__number", "created_at", "updated_at")

    def scoped_queryset(self, user):
        return sub_job_list(user=user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sub_job = sub_job_create(project=data["project"], code=data["code"], name=data["name"], actor=request.user)
        return Response(self.get_serializer(sub_job).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            sub_job = self.locked_object()
            serializer = self.get_serializer(sub_job, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = {field: value for field, value in serializer.validated_data.items() if field in ("code", "name")}
            sub_job = sub_job_update(sub_job=sub_job, data=data, actor=request.user)
        return Response(self.get_serializer(sub_job).data)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            sub_job_delete(sub_job=self.locked_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="project")
    router.register("sub-jobs", SubJobViewSet, basename="sub-job")
