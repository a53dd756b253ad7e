"""Work breakdown structure: the ERP's standard cost codes and cost types, and each project's codes.

New cost codes are created in the ERP and imported here, never created in Trestle (R26, R32).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


class CostCodeList(TimeStampedModel):
    """A company-level list of standard cost codes.

    Exactly one list has ``source=erp``: the "Sage 300 CRE Standard Cost Codes" list that the ERP
    sync keeps up to date (R24). Projects on any other list cannot be integrated (R30).
    """

    class Source(models.TextChoices):
        ERP = "erp", "ERP standard cost code list"
        TRESTLE_DEFAULT = "trestle_default", "Trestle default list"
        CUSTOM = "custom", "Custom imported list"

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.CUSTOM)
    available_for_new_projects = models.BooleanField(
        default=True,
        # R27
        help_text="Keep this on for the Sage 300 CRE list whenever projects will be sent to Sage.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=Q(source="erp"), name="wbs_one_erp_cost_code_list"),
        ]

    def __str__(self) -> str:
        return self.name


class CostType(TimeStampedModel):
    """A cost type, imported from a Sage standard category (L, M, S, E, O …)."""

    code = models.CharField(max_length=3, unique=True)
    description = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    erp_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        permissions = [("import_costtype", "Can import cost types from CSV/XLSX")]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"


class StandardCostCode(TimeStampedModel):
    """A cost code on a company-level list. On the ERP list it mirrors a Sage standard cost code."""

    cost_code_list = models.ForeignKey(CostCodeList, on_delete=models.CASCADE, related_name="cost_codes")
    code = models.CharField(max_length=30)
    description = models.CharField(max_length=200)
    division = models.CharField(max_length=30, blank=True, help_text="The code's first section, e.g. 01 for 01-100.")
    is_active = models.BooleanField(default=True, help_text="A deactivated code cannot be added to a project.")  # R29
    default_cost_types = models.ManyToManyField(CostType, blank=True, related_name="default_for_cost_codes")
    erp_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cost_code_list", "code"]
        permissions = [("import_standardcostcode", "Can import standard cost codes from CSV/XLSX")]
        constraints = [
            models.UniqueConstraint(fields=["cost_code_list", "code"], name="wbs_standard_cost_code_unique_in_list"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"


class ProjectCostCode(TimeStampedModel):
    """A cost code on a project (optionally under a sub job). Mirrors a Sage job cost code."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="cost_codes")
    sub_job = models.ForeignKey(
        "projects.SubJob",
        on_delete=models.PROTECT,  # a sub job with cost codes cannot be deleted (R51)
        null=True,
        blank=True,
        related_name="cost_codes",
    )
    standard_cost_code = models.ForeignKey(
        StandardCostCode, on_delete=models.PROTECT, null=True, blank=True, related_name="project_cost_codes"
    )
    code = models.CharField(max_length=30)
    description = models.CharField(max_length=200)
    is_project_specific = models.BooleanField(
        default=False,
        # R34
        help_text="Created in Sage under Setup → Cost Codes for this job only; shown distinctly.",
    )
    erp_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "sub_job", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"], condition=Q(sub_job__isnull=True), name="wbs_project_cost_code_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "sub_job", "code"],
                condition=Q(sub_job__isnull=False),
                name="wbs_sub_job_cost_code_unique",
            ),
        ]

    def __str__(self) -> str:
        prefix = f"{self.sub_job.code}/" if self.sub_job_id else ""
        return f"{prefix}{self.code} – {self.description}"


class ProjectCostType(TimeStampedModel):
    """A cost type assigned to a project cost code: one Sage category on the job."""

    project_cost_code = models.ForeignKey(ProjectCostCode, on_delete=models.CASCADE, related_name="cost_types")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT, related_name="project_assignments")
    erp_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_cost_code", "cost_type"]
        constraints = [
            models.UniqueConstraint(fields=["project_cost_code", "cost_type"], name="wbs_project_cost_type_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project_cost_code.code}.{self.cost_type.code}"
