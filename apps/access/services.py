"""Writes to access control: templates, directory records (approvers) and project memberships.

guardian's per-project ``view_project`` grant follows the membership in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from apps.access.checks import has_tool_level, require_tool_level
from apps.access.models import Level, PermissionTemplate, ProjectMembership, Tool, UserAccess
from apps.access.profiles import forget_access_profile
from apps.access.selectors import VIEW_PROJECT
from apps.core.exceptions import ValidationFailed


def _require_company_admin(actor, doing: str) -> None:
    if actor is not None:
        require_tool_level(actor, Tool.COMPANY_ADMIN, Level.ADMIN, doing=doing)


def _require_team_manager(actor, project) -> None:
    """Company admins manage every project's team; a project's Admin-tool admins manage theirs."""
    if actor is None or has_tool_level(actor, Tool.COMPANY_ADMIN, Level.ADMIN):
        return
    require_tool_level(actor, Tool.PROJECT_ADMIN, Level.ADMIN, project=project, doing="manage the project's team")


@transaction.atomic
def permission_template_save(*, template: PermissionTemplate, actor=None) -> PermissionTemplate:
    """Create or change a template. Everyone on it gets the new levels at once."""
    _require_company_admin(actor, "manage permission templates")
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def user_access_set(
    *,
    user,
    company_template: PermissionTemplate | None,
    can_push_to_accounting: bool = False,
    can_import_item_types: list[str] | None = None,
    can_export_item_types: list[str] | None = None,
    actor=None,
) -> UserAccess:
    _require_company_admin(actor, "change a user's company permissions")
    access, _ = UserAccess.objects.select_for_update().get_or_create(user=user)
    access.company_template = company_template
    access.can_push_to_accounting = can_push_to_accounting
    if can_import_item_types is not None:
        access.can_import_item_types = list(can_import_item_types)
    if can_export_item_types is not None:
        access.can_export_item_types = list(can_export_item_types)
    access.full_clean()
    access.save()
    forget_access_profile(user)
    return access


@transaction.atomic
def project_membership_set(*, user, project, template: PermissionTemplate, actor=None) -> ProjectMembership:
    """Put ``user`` on ``project`` with ``template`` (or change their template there)."""
    _require_team_manager(actor, project)
    if template.scope != PermissionTemplate.Scope.PROJECT:
        raise ValidationFailed({"template": "Choose a project permission template."})
    membership, created = ProjectMembership.objects.select_for_update().get_or_create(
        user=user, project=project, defaults={"template": template}
    )
    if not created and membership.template_id != template.pk:
        membership.template = template
        membership.save(update_fields=["template", "updated_at"])
    assign_perm(VIEW_PROJECT, user, project)
    forget_access_profile(user)
    return membership


@transaction.atomic
def project_membership_remove(*, membership: ProjectMembership, actor=None) -> None:
    _require_team_manager(actor, membership.project)
    user, project = membership.user, membership.project
    membership.delete()
    remove_perm(VIEW_PROJECT, user, project)
    forget_access_profile(user)


@transaction.atomic
def project_grants_resync() -> tuple[int, int]:
    """Rebuild guardian's project grants from memberships. Returns (granted, revoked)."""
    from apps.access.models import ProjectUserObjectPermission
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(content_type__app_label="projects", codename="view_project")
    wanted = set(ProjectMembership.objects.values_list("user_id", "project_id"))
    existing_rows = ProjectUserObjectPermission.objects.filter(permission=permission)
    existing = set(existing_rows.values_list("user_id", "content_object_id"))
    stale = existing - wanted
    for user_id, project_id in stale:
        existing_rows.filter(user_id=user_id, content_object_id=project_id).delete()
    ProjectUserObjectPermission.objects.bulk_create(
        [
            ProjectUserObjectPermission(user_id=user_id, content_object_id=project_id, permission=permission)
            for user_id, project_id in wanted - existing
        ]
    )
    return len(wanted - existing), len(stale)
