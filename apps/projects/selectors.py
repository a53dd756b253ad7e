"""Reads of projects and sub jobs.

With ``user`` the rows are scoped to the projects that user is on the team of (guardian's
``view_project`` grant, ``apps.access.selectors``); superusers see every project. ``user=None`` is an
internal read (sync, imports, commands) and is not scoped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from apps.access.selectors import scope_to_projects
from apps.projects.models import Project, SubJob


def project_list(*, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[Project]:
    """Projects by number, with their cost code list. Filters: ``is_active``, ``stage``,
    ``integrated`` (has a Sage Job ID), ``cost_code_list``, ``search`` (number, name, Sage Job ID, city)."""
    filters = filters or {}
    queryset = Project.objects.select_related("cost_code_list", "erp_sent_by", "erp_approved_by")
    if user is not None:
        queryset = scope_to_projects(queryset, user, project_field="pk")
    if "is_active" in filters:
        queryset = queryset.filter(is_active=filters["is_active"])
    if filters.get("stage"):
        queryset = queryset.filter(stage=filters["stage"])
    if "integrated" in filters:
        queryset = queryset.filter(sage_job_id__isnull=not filters["integrated"])
    if filters.get("cost_code_list") is not None:
        queryset = queryset.filter(cost_code_list=filters["cost_code_list"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(number__icontains=term) | Q(name__icontains=term) | Q(sage_job_id__iexact=term) | Q(city__icontains=term)
        )
    return queryset.order_by("number")


def sub_job_list(
    *, project: Project | None = None, filters: Mapping[str, Any] | None = None, user=None
) -> QuerySet[SubJob]:
    """Sub jobs with their project, by project number and code."""
    filters = filters or {}
    queryset = SubJob.objects.select_related("project", "erp_sent_by", "erp_approved_by")
    if user is not None:
        queryset = scope_to_projects(queryset, user)
    if project is not None:
        queryset = queryset.filter(project=project)
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(code__icontains=term) | Q(name__icontains=term))
    return queryset.order_by("project__number", "code")
