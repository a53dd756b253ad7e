"""Projects (Sage jobs) and sub jobs (Sage extras)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.erp.lifecycle import ErpExportable


class Project(ErpExportable, TimeStampedModel):
    class Stage(models.TextChoices):
        BIDDING = "bidding", "Bidding"
        PRE_CONSTRUCTION = "pre_construction", "Pre-Construction"
        COURSE_OF_CONSTRUCTION = "course_of_construction", "Course of Construction"
        POST_CONSTRUCTION = "post_construction", "Post-Construction"
        WARRANTY = "warranty", "Warranty"
        CLOSED = "closed", "Closed"

    number = models.CharField("project number", max_length=30, unique=True)
    name = models.CharField(max_length=255)
    sage_job_id = models.CharField(
        "Sage Job ID",
        max_length=30,
        null=True,
        blank=True,
        unique=True,
        # R41–R43
        help_text="Entered by the approver at export, or the job id when imported from Sage.",
    )
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.PRE_CONSTRUCTION)
    is_active = models.BooleanField(default=True, db_index=True)
    cost_code_list = models.ForeignKey(
        "wbs.CostCodeList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        # R30
        help_text="Projects on a list that is not the Sage 300 CRE standard list cannot be sent to Sage.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"


class SubJob(ErpExportable, TimeStampedModel):
    """A sub job: a Sage Extra on the project's job (R48, R260–R261)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sub_jobs")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=255)
    sage_extra_id = models.CharField(
        "Sage Extra ID",
        max_length=30,
        null=True,
        blank=True,
        # R49
        help_text="The Sage extra this sub job is synced with (pre-filled from the code at export).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projects_sub_job_code_unique"),
            models.UniqueConstraint(
                fields=["project", "sage_extra_id"],
                condition=models.Q(sage_extra_id__isnull=False),
                name="projects_sub_job_extra_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.number}/{self.code} – {self.name}"
