"""A user's access, loaded once per request: company tool levels, approver flags, project levels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.access.models import COMPANY_TOOLS, Level, ProjectMembership, Tool, UserAccess
from apps.erp.item_types import ItemType

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from apps.projects.models import Project

_CACHE_ATTRIBUTE = "_trestle_access_profile"


class AccessProfile:
    def __init__(self, user: AbstractBaseUser):
        self.user = user
        self.is_superuser = bool(getattr(user, "is_superuser", False) and user.is_active)
        self.is_active = bool(user.is_authenticated and user.is_active)
        access = None
        if self.is_active:
            access = UserAccess.objects.select_related("company_template").filter(user_id=user.pk).first()
        template = access.company_template if access else None
        self._company_levels = {tool: (template.level(tool) if template else Level.NONE) for tool in COMPANY_TOOLS}
        self.can_create_new_project = bool(template and template.can_create_new_project)
        self.can_push_to_accounting = bool(access and access.can_push_to_accounting)
        self._switches = {
            "import": set(access.can_import_item_types) if access else {choice.value for choice in ItemType},
            "export": set(access.can_export_item_types) if access else {choice.value for choice in ItemType},
        }
        self._project_templates: dict[int, object | None] = {}
        self._all_memberships_loaded = False

    @property
    def is_accounting_approver(self) -> bool:
        """Standard or Admin on ERP Integrations plus Can Push to Accounting (R174)."""
        return self.can_push_to_accounting and self.level(Tool.ERP_INTEGRATIONS) >= Level.STANDARD

    def item_type_allowed(self, item_type: ItemType | str, direction: str) -> bool:
        return str(item_type) in self._switches[direction]

    def level(self, tool: Tool | str, project: Project | int | None = None) -> Level:
        tool = Tool(tool)
        if not self.is_active:
            return Level.NONE
        if self.is_superuser:
            return Level.ADMIN
        if tool in COMPANY_TOOLS:
            return self._company_levels[tool]
        if project is None:
            return Level.NONE
        template = self._project_template(project)
        return template.level(tool) if template else Level.NONE

    def is_member(self, project: Project | int) -> bool:
        return self.is_superuser or self._project_template(project) is not None

    @property
    def is_member_of_any_project(self) -> bool:
        return self.is_superuser or (self.is_active and any(self._memberships().values()))

    def best_project_level(self, tool: Tool | str) -> Level:
        """The highest level on a project tool over all the user's projects (for "on any project" questions)."""
        tool = Tool(tool)
        if not self.is_active:
            return Level.NONE
        if self.is_superuser:
            return Level.ADMIN
        levels = [template.level(tool) for template in self._memberships().values() if template is not None]
        return max(levels, default=Level.NONE)

    def view_direct_cost_details(self, project: Project | int) -> bool:
        if self.is_superuser:
            return True
        template = self._project_template(project)
        return bool(template and template.view_direct_cost_details and template.budget >= Level.READ_ONLY)

    def _memberships(self) -> dict[int, object | None]:
        """Every membership of the user, loaded once (one query) and shared with ``_project_template``."""
        if not self._all_memberships_loaded:
            for membership in ProjectMembership.objects.select_related("template").filter(user_id=self.user.pk):
                self._project_templates[membership.project_id] = membership.template
            self._all_memberships_loaded = True
        return self._project_templates

    def _project_template(self, project: Project | int):
        project_id = project if isinstance(project, int) else project.pk
        if project_id is None:  # a project being created: nobody is on its team yet
            return None
        if self._all_memberships_loaded:
            return self._project_templates.get(project_id)
        if project_id not in self._project_templates:
            membership = (
                ProjectMembership.objects.select_related("template")
                .filter(user_id=self.user.pk, project_id=project_id)
                .first()
            )
            self._project_templates[project_id] = membership.template if membership else None
        return self._project_templates[project_id]


def access_profile(user: AbstractBaseUser) -> AccessProfile:
    """The user's profile, cached on the user object for the rest of the request."""
    profile = getattr(user, _CACHE_ATTRIBUTE, None)
    if profile is None:
        profile = AccessProfile(user)
        try:
            setattr(user, _CACHE_ATTRIBUTE, profile)
        except AttributeError:  # AnonymousUser instances may refuse attributes
            pass
    return profile


def forget_access_profile(user: AbstractBaseUser) -> None:
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
