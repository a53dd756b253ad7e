"""Who may do what: tools, levels, permission templates, project membership and approvers.

A user's level on a company-level tool comes from their company permission template; their
level on a project-level tool comes from the template of their membership on that project.
Changing a template changes everyone on it, because levels are always read through it.
django-guardian holds the per-project object grants (``view_project``), kept in step with
memberships by ``apps.access.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.core.models import TimeStampedModel
from apps.erp.item_types import ItemType


class Tool(models.TextChoices):
    # company level
    ERP_INTEGRATIONS = "erp_integrations", "ERP Integrations"
    DIRECTORY = "directory", "Directory"
    COMPANY_ADMIN = "company_admin", "Admin (company)"
    # project level
    BUDGET = "budget", "Budget"
    COMMITMENTS = "commitments", "Commitments"
    CHANGE_ORDERS = "change_orders", "Change Orders"
    PRIME_CONTRACTS = "prime_contracts", "Prime Contracts"
    INVOICING = "invoicing", "Invoicing"
    DIRECT_COSTS = "direct_costs", "Direct Costs"
    REPORTS = "reports", "Reports"
    PROJECT_ADMIN = "project_admin", "Admin (project)"


COMPANY_TOOLS = (Tool.ERP_INTEGRATIONS, Tool.DIRECTORY, Tool.COMPANY_ADMIN)
PROJECT_TOOLS = (
    Tool.BUDGET,
    Tool.COMMITMENTS,
    Tool.CHANGE_ORDERS,
    Tool.PRIME_CONTRACTS,
    Tool.INVOICING,
    Tool.DIRECT_COSTS,
    Tool.REPORTS,
    Tool.PROJECT_ADMIN,
)


class Level(models.IntegerChoices):
    NONE = 0, "None"
    READ_ONLY = 1, "Read Only"
    STANDARD = 2, "Standard"
    ADMIN = 3, "Admin"


def _level_field(tool: Tool) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(tool.label, choices=Level.choices, default=Level.NONE)


class PermissionTemplate(TimeStampedModel):
    """A named set of tool levels. Company templates set company tools, project templates project tools."""

    class Scope(models.TextChoices):
        COMPANY = "company", "Company"
        PROJECT = "project", "Project"

    name = models.CharField(max_length=100, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    description = models.CharField(max_length=255, blank=True)

    erp_integrations = _level_field(Tool.ERP_INTEGRATIONS)
    directory = _level_field(Tool.DIRECTORY)
    company_admin = _level_field(Tool.COMPANY_ADMIN)
    can_create_new_project = models.BooleanField(
        "Create New Project (Directory granular permission)",
        default=False,
        # P#34
        help_text="With Standard on Directory, lets the user view the list of synced sub jobs.",
    )

    budget = _level_field(Tool.BUDGET)
    commitments = _level_field(Tool.COMMITMENTS)
    change_orders = _level_field(Tool.CHANGE_ORDERS)
    prime_contracts = _level_field(Tool.PRIME_CONTRACTS)
    invoicing = _level_field(Tool.INVOICING)
    direct_costs = _level_field(Tool.DIRECT_COSTS)
    reports = _level_field(Tool.REPORTS)
    project_admin = _level_field(Tool.PROJECT_ADMIN)
    assign_to_project_creator = models.BooleanField(
        "give this template to whoever creates a project",
        default=False,
        help_text="Project templates only: the creator of a new project joins its team with this template.",
    )
    view_direct_cost_details = models.BooleanField(
        "View Direct Cost Details (Budget granular permission)",
        default=False,
        # R163
        help_text="Lets the user open the job cost transaction detail behind a Direct Costs value.",
    )

    class Meta:
        ordering = ["scope", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_scope_display()})"

    def level(self, tool: Tool | str) -> Level:
        return Level(getattr(self, str(tool)))

    def clean(self) -> None:
        foreign = PROJECT_TOOLS if self.scope == self.Scope.COMPANY else COMPANY_TOOLS
        wrong = [Tool(tool).label for tool in foreign if getattr(self, str(tool)) != Level.NONE]
        if wrong:
            raise ValidationError(
                f"A {self.get_scope_display().lower()} template cannot set levels on {', '.join(wrong)}; "
                "those tools belong to the other kind of template."
            )


def _all_item_types() -> list[str]:
    return [choice.value for choice in ItemType]


class UserAccess(TimeStampedModel):
    """A user's company directory record: company template and accounting approver privilege."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access")
    company_template = models.ForeignKey(
        PermissionTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="company_users",
        limit_choices_to={"scope": PermissionTemplate.Scope.COMPANY},
    )
    can_push_to_accounting = models.BooleanField(
        "Can Push to Accounting",
        default=False,
        # R174
        help_text="With Standard or Admin on ERP Integrations this makes the user an accounting approver.",
    )
    can_import_item_types = models.JSONField(
        "may import", default=_all_item_types, blank=True, help_text="Item types this approver may import."
    )
    can_export_item_types = models.JSONField(
        "may export", default=_all_item_types, blank=True, help_text="Item types this approver may export."
    )

    class Meta:
        verbose_name = "user access"
        verbose_name_plural = "user access"

    def __str__(self) -> str:
        return f"Access of {self.user}"

    def clean(self) -> None:
        if self.company_template_id and self.company_template.scope != PermissionTemplate.Scope.COMPANY:
            raise ValidationError({"company_template": "Choose a company permission template."})
        valid = set(_all_item_types())
        for field in ("can_import_item_types", "can_export_item_types"):
            unknown = set(getattr(self, field) or []) - valid
            if unknown:
                raise ValidationError({field: f"Unknown item types: {', '.join(sorted(unknown))}."})


class ProjectMembership(TimeStampedModel):
    """A user on a project, with the project permission template that sets their project tool levels."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="memberships")
    template = models.ForeignKey(
        PermissionTemplate,
        on_delete=models.PROTECT,
        related_name="memberships",
        limit_choices_to={"scope": PermissionTemplate.Scope.PROJECT},
    )

    class Meta:
        ordering = ["project", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="access_one_membership_per_project")]

    def __str__(self) -> str:
        return f"{self.user} on {self.project.number} as {self.template.name}"


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """guardian's per-project grants for users, with a real foreign key (fast, cascades on delete)."""

    content_object = models.ForeignKey("projects.Project", on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("projects.Project", on_delete=models.CASCADE)
