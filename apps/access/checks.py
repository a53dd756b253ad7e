"""The one door every permission question goes through: ``can`` / ``require``.

Admin, API and services call these; they read the matrix (``apps.access.matrix``) and the
user's tool levels (``apps.access.profiles``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.access.matrix import Action, Decision, decide
from apps.access.models import Level, Tool
from apps.erp.item_types import ItemType
from apps.access.profiles import access_profile
from apps.core.exceptions import PermissionRefused

if TYPE_CHECKING:
    from apps.projects.models import Project


def can(user, action: Action | str, *, project: Project | None = None, item_type: ItemType | None = None) -> Decision:
    if user is None or not user.is_authenticated:
        return Decision(False, "Sign in first.")
    return decide(access_profile(user), Action(action), project=project, item_type=item_type)


def require(user, action: Action | str, *, project: Project | None = None, item_type: ItemType | None = None) -> None:
    decision = can(user, action, project=project, item_type=item_type)
    if not decision:
        raise PermissionRefused(decision.reason)


def tool_level(user, tool: Tool | str, project: Project | int | None = None) -> Level:
    if user is None or not user.is_authenticated:
        return Level.NONE
    return access_profile(user).level(tool, project)


def has_tool_level(user, tool: Tool | str, level: Level, project: Project | int | None = None) -> bool:
    return tool_level(user, tool, project) >= level


def require_tool_level(user, tool: Tool | str, level: Level, *, project: Project | None = None, doing: str) -> None:
    """Refuse with a message naming the tool and level needed for ``doing`` (e.g. "edit a project")."""
    if not has_tool_level(user, tool, level, project):
        where = f" on project {project.number}" if project is not None else ""
        raise PermissionRefused(f"To {doing} you need {Level(level).label} on {Tool(tool).label}{where}.")


def is_project_member(user, project: Project | int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return access_profile(user).is_member(project)


def is_accounting_approver(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    profile = access_profile(user)
    return profile.is_superuser or profile.is_accounting_approver
