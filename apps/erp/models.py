"""The ERP Integrations tool's own records: settings, the transition log, export attempts,
records waiting in Ready to Import, sync runs and their schedule."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.erp.item_types import ItemType
from apps.core.models import TimeStampedModel
from apps.erp.lifecycle import ErpStatus


class ErpSettings(TimeStampedModel):
    """Company-wide ERP settings (one row). Defaults are DECISIONS.md's."""

    connected_at = models.DateTimeField(
        "integration connected at",
        null=True,
        blank=True,
        help_text="Projects created before this moment cannot be exported (R47, DECISIONS A27).",
    )
    direct_export_commitments = models.BooleanField("Direct Export: commitments", default=False)
    direct_export_commitment_change_orders = models.BooleanField("Direct Export: commitment change orders", default=False)
    direct_export_invoices = models.BooleanField("Direct Export: subcontractor invoices", default=False)
    vendors_auto_update = models.BooleanField(
        "Vendors will be automatically updated",
        default=False,
        help_text="Sage's address, city, state, ZIP, telephone and fax overwrite the linked company at every vendor "
        "sync (R18–R20).",
    )
    vendor_insurance_sync = models.BooleanField(
        "Vendor Insurance Sync", default=False, help_text="Import vendor insurance for linked companies (R21)."
    )
    import_extras_as_sub_jobs = models.BooleanField(
        "Add Sage extras as sub jobs", default=True, help_text="Import Sage extras into Trestle as sub jobs (R50)."
    )
    auto_add_cost_codes_to_budgets = models.BooleanField(
        "Automatically add new cost code/cost type combinations to budgets", default=False
    )
    use_contract_number_as_sage_id = models.BooleanField("Use the contract number as the commitment's Sage ID", default=False)

    class Meta:
        verbose_name = "ERP settings"
        verbose_name_plural = "ERP settings"

    def __str__(self) -> str:
        return "ERP settings"


class ErpTransition(models.Model):
    """Every lifecycle step of every exportable item: who, when, from, to, why."""

    item_type = models.CharField(max_length=40, choices=ItemType.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=ErpStatus.choices)
    to_status = models.CharField(max_length=20, choices=ErpStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["item_type", "object_id"], name="erp_transition_item")]

    def __str__(self) -> str:
        return f"{self.item_type} #{self.object_id}: {self.from_status} → {self.to_status}"


class ExportAttempt(TimeStampedModel):
    """One export of one item, carried by an idempotency key the ERP remembers.

    The key and the ERP code are fixed when the attempt is created; every retry of the attempt
    reuses them, so a write that reached the ERP before a crash is found, never repeated.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    item_type = models.CharField(max_length=40, choices=ItemType.choices)
    object_id = models.PositiveBigIntegerField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    erp_code = models.CharField("ERP code", max_length=50, help_text="The code sent to the ERP (fixed per attempt).")
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    tries = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Wait until then (e.g. an hourly rate limit).")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    linked_existing = models.BooleanField(default=False, help_text="The ERP already had this record; it was linked.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["item_type", "object_id"], name="erp_attempt_item")]
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "object_id"],
                condition=Q(status__in=["queued", "running"]),
                name="erp_one_active_attempt_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_type} #{self.object_id} ({self.status})"


class StagedRecord(TimeStampedModel):
    """An ERP record waiting in Ready to Import (vendors, jobs, extras), or archived there."""

    class Kind(models.TextChoices):
        VENDOR = "vendor", "Vendor"
        JOB = "job", "Job"
        EXTRA = "extra", "Extra (sub job)"

    class Status(models.TextChoices):
        STAGED = "staged", "Ready to import"
        IMPORTED = "imported", "Imported"
        ARCHIVED = "archived", "Archived"
        INVALID = "invalid", "Invalid"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    origin_id = models.CharField("ERP ID", max_length=50)
    parent_origin_id = models.CharField("parent ERP ID", max_length=50, blank=True, default="")
    name = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STAGED, db_index=True)
    invalid_reason = models.TextField(blank=True)
    linked_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "parent_origin_id", "origin_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "parent_origin_id", "origin_id"], name="erp_staged_record_unique")
        ]

    def __str__(self) -> str:
        parent = f"{self.parent_origin_id}/" if self.parent_origin_id else ""
        return f"{self.get_kind_display()} {parent}{self.origin_id} {self.name}".strip()


class Dataset(models.TextChoices):
    COST_CODES = "cost-codes", "Standard Cost Codes & Cost Types"
    VENDORS = "vendors", "Vendors"
    JOBS = "jobs", "Jobs"
    SUB_JOBS = "sub-jobs", "Sub Jobs"


class SyncRun(models.Model):
    """One pull of one dataset from the ERP."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "On demand (admin)"
        API = "api", "API"
        COMMAND = "command", "Command line"
        SCHEDULED = "scheduled", "Schedule"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with errors"
        FAILED = "failed", "Failed"

    dataset = models.CharField(max_length=40, choices=Dataset.choices)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pages_done = models.PositiveIntegerField(default=0)
    records_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    cursor = models.CharField(max_length=200, blank=True)
    errors = models.JSONField(default=list, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(status__in=["queued", "running"]), name="erp_one_active_sync_per_dataset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()} sync #{self.pk} ({self.get_status_display()})"


class SyncSchedule(TimeStampedModel):
    """How often a dataset is pulled on its own (Configure the Sync Schedule, P#17)."""

    dataset = models.CharField(max_length=40, choices=Dataset.choices, unique=True)
    enabled = models.BooleanField(default=True)
    every_minutes = models.PositiveIntegerField(default=60)
    q_schedule_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["dataset"]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()} every {self.every_minutes} min"
