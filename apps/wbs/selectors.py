"""Reads of the work breakdown structure. Every list joins what its screens show, once.

With ``user`` the rows are scoped: project cost codes and cost types to the projects that user
is on the team of, company reference data (lists, standard codes, cost types) to nothing when the
user may not see it (``apps.access.rules``). ``user=None`` is an internal read and is not scoped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from apps.access.rules import Operation, Resource, allowed
from apps.access.selectors import scope_to_projects
from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode


def _reference(queryset: QuerySet, resource: Resource, user) -> QuerySet:
    """Company reference data: everything, or nothing for a user who may not see it."""
    if user is not None and not allowed(user, resource, Operation.VIEW):
        return queryset.none()
    return queryset


def erp_cost_code_list() -> CostCodeList | None:
    """The one list the ERP sync fills ("Sage 300 CRE Standard Cost Codes"), if it exists yet."""
    return CostCodeList.objects.filter(source=CostCodeList.Source.ERP).first()


def cost_code_list_list(*, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[CostCodeList]:
    filters = filters or {}
    queryset = _reference(CostCodeList.objects.all(), Resource.COST_CODE_LIST, user)
    if "source" in filters:
        queryset = queryset.filter(source=filters["source"])
    if "available_for_new_projects" in filters:
        queryset = queryset.filter(available_for_new_projects=filters["available_for_new_projects"])
    return queryset.order_by("name")


def cost_type_list(*, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[CostType]:
    filters = filters or {}
    queryset = _reference(CostType.objects.all(), Resource.COST_TYPE, user)
    if "is_active" in filters:
        queryset = queryset.filter(is_active=filters["is_active"])
    if filters.get("codes") is not None:
        queryset = queryset.filter(code__in=filters["codes"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(code__icontains=term) | Q(description__icontains=term))
    return queryset.order_by("code")


def standard_cost_code_list(
    *, cost_code_list: CostCodeList | None = None, filters: Mapping[str, Any] | None = None, user=None
) -> QuerySet[StandardCostCode]:
    """Standard cost codes with their list and default cost types (prefetched in code order)."""
    filters = filters or {}
    queryset = StandardCostCode.objects.select_related("cost_code_list").prefetch_related(
        Prefetch("default_cost_types", queryset=CostType.objects.order_by("code"))
    )
    queryset = _reference(queryset, Resource.STANDARD_COST_CODE, user)
    if cost_code_list is not None:
        queryset = queryset.filter(cost_code_list=cost_code_list)
    if "is_active" in filters:
        queryset = queryset.filter(is_active=filters["is_active"])
    if filters.get("division"):
        queryset = queryset.filter(division=filters["division"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(code__icontains=term) | Q(description__icontains=term))
    return queryset.order_by("cost_code_list__name", "code")


def project_cost_code_list(
    *, project, filters: Mapping[str, Any] | None = None, user=None
) -> QuerySet[ProjectCostCode]:
    """A project's cost codes (``project=None``: every project's) with sub job, standard code and cost types."""
    filters = filters or {}
    queryset = ProjectCostCode.objects.select_related("project", "sub_job__project", "standard_cost_code").prefetch_related(
        Prefetch(
            "cost_types",
            queryset=ProjectCostType.objects.select_related("cost_type").order_by("cost_type__code"),
        )
    )
    if user is not None:
        queryset = scope_to_projects(queryset, user)
    if project is not None:
        queryset = queryset.filter(project=project)
    if "sub_job" in filters:
        queryset = queryset.filter(sub_job=filters["sub_job"])
    if "is_project_specific" in filters:
        queryset = queryset.filter(is_project_specific=filters["is_project_specific"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(code__icontains=term) | Q(description__icontains=term))
    # Project-level codes first, then each sub job's (NULLs sort differently on SQLite and PostgreSQL).
    return queryset.order_by("project__number", F("sub_job__code").asc(nulls_first=True), "code")


def project_cost_type_list(*, project=None, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[ProjectCostType]:
    filters = filters or {}
    queryset = ProjectCostType.objects.select_related(
        "project_cost_code__project", "project_cost_code__sub_job", "cost_type"
    )
    if user is not None:
        queryset = scope_to_projects(queryset, user, project_field="project_cost_code__project")
    if project is not None:
        queryset = queryset.filter(project_cost_code__project=project)
    if filters.get("project_cost_code") is not None:
        queryset = queryset.filter(project_cost_code=filters["project_cost_code"])
    return queryset.order_by("project_cost_code__project__number", "project_cost_code__code", "cost_type__code")
