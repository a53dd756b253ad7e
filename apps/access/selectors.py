"""Which projects a user can see. Every list of project data is filtered through here."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from guardian.shortcuts import get_objects_for_user

from apps.projects.models import Project

VIEW_PROJECT = "projects.view_project"


def visible_projects(user) -> QuerySet[Project]:
    """Projects the user is a member of (guardian grant), or all of them for a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return get_objects_for_user(user, VIEW_PROJECT, klass=Project, accept_global_perms=False, with_superuser=False)


def visible_project_ids(user) -> QuerySet:
    return visible_projects(user).values("pk")


def scope_to_projects(queryset: QuerySet, user, *, project_field: str = "project") -> QuerySet:
    """Filter any queryset of project-owned rows down to the projects the user can see."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{project_field}__in": visible_project_ids(user)})


def with_user_counts(queryset: QuerySet) -> QuerySet:
    """Permission templates with ``company_users_count`` and ``memberships_count`` (one query for a page)."""
    from apps.access.models import ProjectMembership, UserAccess

    def counted(model, field):
        rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n")[:1], output_field=IntegerField()), 0)

    return queryset.annotate(company_users_count=counted(UserAccess, "company_template"),
                             memberships_count=counted(ProjectMembership, "template"))
