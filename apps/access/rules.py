"""Who may view, add, change and delete each hub resource: one table, on top of the permission matrix.

``RULES`` maps (resource, operation) to what the user needs. The admin (``apps.access.admin_mixins``),
the REST API (``apps.access.api``) and the hub services (``require_permitted`` when they are
given an ``actor``) all ask ``permits`` here; nothing else decides. A pair missing from the table is
refused. Superusers may do everything; inactive or anonymous users nothing.

Project-owned resources are asked about a project (``obj`` or ``project=``). Asked without one
("may this user change sub jobs at all?", e.g. to show the admin's Add button or an API list), the
question is whether the user has that right on *any* of their projects; the object-level question
is asked again before anything is touched, and the selectors only ever return projects the user is
a member of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.db import models

from apps.access.matrix import MATRIX, Action, Decision, decide
from apps.access.models import Level, Tool
from apps.access.profiles import AccessProfile, access_profile
from apps.core.exceptions import PermissionRefused

if TYPE_CHECKING:
    from apps.projects.models import Project


class Resource(models.TextChoices):
    COST_CODE_LIST = "cost_code_list", "cost code lists"
    STANDARD_COST_CODE = "standard_cost_code", "standard cost codes"
    COST_TYPE = "cost_type", "cost types"
    COMPANY = "company", "companies"
    COMPANY_INSURANCE = "company_insurance", "company insurance"
    PROJECT = "project", "projects"
    SUB_JOB = "sub_job", "sub jobs"
    PROJECT_COST_CODE = "project_cost_code", "project cost codes"
    PROJECT_COST_TYPE = "project_cost_type", "project cost types"
    BUDGET = "budget", "budgets"
    BUDGET_LINE = "budget_line", "budget lines"
    BUDGET_CHANGE = "budget_change", "budget changes"


class Operation(models.TextChoices):
    VIEW = "view", "view"
    ADD = "add", "add"
    CHANGE = "change", "change"
    DELETE = "delete", "delete"
    IMPORT = "import", "import"
    EXPORT = "export", "export"
    ASSIGN_DEFAULT_COST_TYPES = "assign_default_cost_types", "assign default cost types to"
    ACTIVATE = "activate", "activate or deactivate"
    ARCHIVE = "archive", "archive or unarchive"
    LOCK = "lock", "lock or unlock"


# Resources whose rows belong to one project: asked about that project.
PROJECT_RESOURCES = frozenset({
    Resource.PROJECT, Resource.SUB_JOB, Resource.PROJECT_COST_CODE, Resource.PROJECT_COST_TYPE,
    Resource.BUDGET, Resource.BUDGET_LINE, Resource.BUDGET_CHANGE,
})


# --- requirements ---------------------------------------------------------------------------


class Requirement(Protocol):
    def met(self, profile: AccessProfile, project: Project | None) -> bool: ...

    def describe(self, project: Project | None) -> str: ...


def _on_project(project: Project | None) -> str:
    if project is None:
        return " on one of your projects"
    return f" on project {project.number}" if project.pk is not None else " on the new project"


@dataclass(frozen=True)
class CompanyLevel:
    """A minimum level on a company tool (ERP Integrations, Directory, Admin)."""

    tool: Tool
    level: Level

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        return profile.level(self.tool) >= self.level

    def describe(self, project: Project | None) -> str:
        return f"{Level(self.level).label} on {Tool(self.tool).label}"


@dataclass(frozen=True)
class ProjectLevel:
    """A minimum level on a project tool of the project (without a project: of any of the user's projects)."""

    tool: Tool
    level: Level

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        if project is None:
            return profile.best_project_level(self.tool) >= self.level
        return profile.level(self.tool, project) >= self.level

    def describe(self, project: Project | None) -> str:
        return f"{Level(self.level).label} on {Tool(self.tool).label}{_on_project(project)}"


@dataclass(frozen=True)
class Member:
    """Membership of the project (without a project: of any project)."""

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        if project is None:
            return profile.is_member_of_any_project
        return project.pk is not None and profile.is_member(project)

    def describe(self, project: Project | None) -> str:
        if project is None:
            return "to be on a project's team"
        return f"to be on the team of project {project.number}"


@dataclass(frozen=True)
class MatrixRow:
    """A row of the permission matrix (``apps.access.matrix``), at company level."""

    action: Action

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        return bool(decide(profile, self.action))

    def describe(self, project: Project | None) -> str:
        rule = MATRIX[self.action]
        return f"{Level(rule.erp_level).label} on ERP Integrations (permission table row {rule.row})"


@dataclass(frozen=True)
class CreateNewProjectPermission:
    """Standard or above on Directory together with its Create New Project granular permission."""

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        return profile.level(Tool.DIRECTORY) >= Level.STANDARD and profile.can_create_new_project

    def describe(self, project: Project | None) -> str:
        return "Standard on Directory with the Create New Project permission"


@dataclass(frozen=True)
class AnyOf:
    requirements: tuple[Requirement, ...]

    def met(self, profile: AccessProfile, project: Project | None) -> bool:
        return any(requirement.met(profile, project) for requirement in self.requirements)

    def describe(self, project: Project | None) -> str:
        return " or ".join(requirement.describe(project) for requirement in self.requirements)


# --- the table ------------------------------------------------------------------------------

V, A, C, D = Operation.VIEW, Operation.ADD, Operation.CHANGE, Operation.DELETE

# Company reference data (standard cost codes, cost types, cost code lists): project managers pick
# codes, so being on any project's team is enough to see them.
REFERENCE_VIEW = AnyOf((CompanyLevel(Tool.ERP_INTEGRATIONS, Level.READ_ONLY), Member()))
ERP_ADMIN = CompanyLevel(Tool.ERP_INTEGRATIONS, Level.ADMIN)

DIRECTORY_READ = CompanyLevel(Tool.DIRECTORY, Level.READ_ONLY)
DIRECTORY_STANDARD = CompanyLevel(Tool.DIRECTORY, Level.STANDARD)
DIRECTORY_ADMIN = CompanyLevel(Tool.DIRECTORY, Level.ADMIN)

PROJECT_MEMBER = Member()
PROJECT_ADMIN_STANDARD = ProjectLevel(Tool.PROJECT_ADMIN, Level.STANDARD)
PROJECT_ADMIN_ADMIN = ProjectLevel(Tool.PROJECT_ADMIN, Level.ADMIN)

# The project's Budget tool: Read Only sees the budget, Standard keeps its lines and adds budget
# changes, Admin creates the budget, locks and unlocks it. Budget changes are never changed or
# deleted (R73), so those pairs are absent and refused.
BUDGET_READ = ProjectLevel(Tool.BUDGET, Level.READ_ONLY)
BUDGET_STANDARD = ProjectLevel(Tool.BUDGET, Level.STANDARD)
BUDGET_ADMIN = ProjectLevel(Tool.BUDGET, Level.ADMIN)


def _reference(resource: Resource) -> dict[tuple[Resource, Operation], Requirement]:
    return {
        (resource, V): REFERENCE_VIEW,
        (resource, Operation.EXPORT): REFERENCE_VIEW,
        (resource, A): ERP_ADMIN,
        (resource, C): ERP_ADMIN,
        (resource, D): ERP_ADMIN,
        (resource, Operation.IMPORT): ERP_ADMIN,
    }


def _directory(resource: Resource) -> dict[tuple[Resource, Operation], Requirement]:
    return {
        (resource, V): DIRECTORY_READ,
        (resource, Operation.EXPORT): DIRECTORY_READ,
        (resource, A): DIRECTORY_STANDARD,
        (resource, C): DIRECTORY_STANDARD,
        (resource, D): DIRECTORY_ADMIN,
        (resource, Operation.ARCHIVE): DIRECTORY_ADMIN,
        (resource, Operation.IMPORT): DIRECTORY_ADMIN,
    }


def _project_data(resource: Resource) -> dict[tuple[Resource, Operation], Requirement]:
    return {
        (resource, V): PROJECT_MEMBER,
        (resource, A): PROJECT_ADMIN_STANDARD,
        (resource, C): PROJECT_ADMIN_STANDARD,
        (resource, D): PROJECT_ADMIN_ADMIN,
    }


RULES: dict[tuple[Resource, Operation], Requirement] = {
    **_reference(Resource.COST_CODE_LIST),
    **_reference(Resource.COST_TYPE),
    **_reference(Resource.STANDARD_COST_CODE),
    (Resource.STANDARD_COST_CODE, Operation.ASSIGN_DEFAULT_COST_TYPES): MatrixRow(Action.ASSIGN_DEFAULT_COST_TYPES),
    (Resource.STANDARD_COST_CODE, Operation.ACTIVATE): ERP_ADMIN,
    **_directory(Resource.COMPANY),
    **_directory(Resource.COMPANY_INSURANCE),
    (Resource.PROJECT, V): PROJECT_MEMBER,
    (Resource.PROJECT, A): AnyOf(
        (CompanyLevel(Tool.COMPANY_ADMIN, Level.STANDARD), CreateNewProjectPermission())
    ),
    (Resource.PROJECT, C): PROJECT_ADMIN_STANDARD,
    (Resource.PROJECT, D): PROJECT_ADMIN_ADMIN,
    **_project_data(Resource.SUB_JOB),
    **_project_data(Resource.PROJECT_COST_CODE),
    **_project_data(Resource.PROJECT_COST_TYPE),
    (Resource.BUDGET, V): BUDGET_READ,
    (Resource.BUDGET, Operation.EXPORT): BUDGET_READ,
    (Resource.BUDGET, A): BUDGET_ADMIN,
    (Resource.BUDGET, C): BUDGET_ADMIN,
    (Resource.BUDGET, Operation.LOCK): BUDGET_ADMIN,
    (Resource.BUDGET_LINE, V): BUDGET_READ,
    (Resource.BUDGET_LINE, Operation.EXPORT): BUDGET_READ,
    (Resource.BUDGET_LINE, A): BUDGET_STANDARD,
    (Resource.BUDGET_LINE, C): BUDGET_STANDARD,
    (Resource.BUDGET_LINE, D): BUDGET_STANDARD,
    (Resource.BUDGET_CHANGE, V): BUDGET_READ,
    (Resource.BUDGET_CHANGE, A): BUDGET_STANDARD,
}


# --- asking ---------------------------------------------------------------------------------


def project_of(resource: Resource | str, obj) -> Project | None:
    """The project a row of ``resource`` belongs to (None for company-level data)."""
    resource = Resource(resource)
    if obj is None or resource not in PROJECT_RESOURCES:
        return None
    if resource == Resource.PROJECT:
        return obj
    if resource == Resource.PROJECT_COST_TYPE:
        return obj.project_cost_code.project
    if resource in (Resource.BUDGET_LINE, Resource.BUDGET_CHANGE):
        return obj.budget.project
    return obj.project


def permits(
    user,
    resource: Resource | str,
    operation: Operation | str,
    *,
    obj=None,
    project: Project | None = None,
) -> Decision:
    """Whether ``user`` may take ``operation`` on ``resource`` (on ``obj`` / in ``project`` when given)."""
    resource, operation = Resource(resource), Operation(operation)
    if user is None or not user.is_authenticated:
        return Decision(False, "Sign in first.")
    profile = access_profile(user)
    if not profile.is_active:
        return Decision(False, "This account is inactive.")
    if profile.is_superuser:
        return Decision(True)
    if obj is not None and project is None:
        project = project_of(resource, obj)
    if resource not in PROJECT_RESOURCES:
        project = None
    requirement = RULES.get((resource, operation))
    if requirement is None:
        return Decision(False, f"No one may {operation.label} {resource.label} in Trestle.")
    if requirement.met(profile, project):
        return Decision(True)
    return Decision(False, f"To {operation.label} {resource.label} you need {requirement.describe(project)}.")


def allowed(user, resource: Resource | str, operation: Operation | str, *, obj=None, project: Project | None = None) -> bool:
    return permits(user, resource, operation, obj=obj, project=project).allowed


def require_permitted(
    user, resource: Resource | str, operation: Operation | str, *, obj=None, project: Project | None = None
) -> None:
    """Raise ``PermissionRefused`` (403) with the reason when ``user`` may not do it."""
    decision = permits(user, resource, operation, obj=obj, project=project)
    if not decision:
        raise PermissionRefused(decision.reason)


def require_actor(
    actor, resource: Resource | str, operation: Operation | str, *, obj=None, project: Project | None = None
) -> None:
    """For services: ``actor=None`` is the system (sync, commands, internal calls) and is not checked."""
    if actor is not None:
        require_permitted(actor, resource, operation, obj=obj, project=project)

