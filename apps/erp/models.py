"""The ERP Integrations tool's own records: settings, the transition log, export attempts and their
tries, reserved ERP ids, records waiting in Ready to Import, sync runs and their schedule.

Nothing here names a document type: item types, dataset keys and staged kinds are whatever the
domains declare in their ``erp.py`` (``apps.erp.registry``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus


class ErpSettings(TimeStampedModel):
    """Company-wide ERP settings (one row).

    ``direct_export`` lists the item types exported at Send without an approver (R5, R7);
    ``options`` holds the yes/no settings the domains declare (``SettingSpec``), by key.
    """

    connected_at = models.DateTimeField(
        "connected to the ERP at",
        null=True,
        blank=True,
        editable=False,
        help_text="Set by Connect. Projects created before this moment cannot be exported.",
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    connected_company = models.CharField("ERP company", max_length=200, blank=True, editable=False)
    direct_export = models.JSONField("Direct Export for", default=list, blank=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "ERP settings"
        verbose_name_plural = "ERP settings"

    def __str__(self) -> str:
        return "ERP settings"


class TransitionAction(models.TextChoices):
    """Every event in an item's ERP life, as the transition log names it."""

    SEND = "send", "Sent to ERP Integrations"
    SEND_DIRECT = "send_direct", "Sent straight to the ERP (Direct Export)"
    RETRIEVE = "retrieve", "Retrieved by the sender"
    ACCEPT = "accept", "Accepted for export"
    REJECT = "reject", "Rejected"
    RESEND = "resend", "Sent again"
    RETRY = "retry", "Retried"
    EXPORT_SUCCEEDED = "export_succeeded", "Exported"
    EXPORT_FAILED = "export_failed", "Export failed"
    UNLINK = "unlink", "Unlinked from the ERP"
    LINK = "link", "Linked to an ERP record"
    IMPORT = "import", "Imported from the ERP"


class ErpTransition(models.Model):
    """Every lifecycle step of every exportable item: who, when, from, to, why (``apps.erp.audit``)."""

    item_type = models.CharField(max_length=40, choices=ItemType.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=30, choices=TransitionAction.choices)
    from_status = models.CharField(max_length=20, choices=ErpStatus.choices)
    to_status = models.CharField(max_length=20, choices=ErpStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["item_type", "object_id"], name="erp_transition_item")]
        verbose_name = "ERP transition"

    def __str__(self) -> str:
        return f"{self.item_type} #{self.object_id}: {self.get_action_display()}"


class ExportAttempt(TimeStampedModel):
    """One export of one item, carried by an idempotency key.

    ``plan`` holds the steps' records as sent (fixed when the attempt is created, so every try of
    the attempt sends the same requests); ``steps_done`` what the ERP answered for each step
    written. A retry resumes at the first step not done; a step's key is the attempt's key and the
    step's name, so a write that reached the ERP before a crash is found, never repeated.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    item_type = models.CharField(max_length=40, choices=ItemType.choices)
    object_id = models.PositiveBigIntegerField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    erp_code = models.CharField("ERP code", max_length=50, help_text="The ERP id sent (fixed per attempt).")
    payload = models.JSONField("approver's fields", default=dict, blank=True)
    plan = models.JSONField(default=list, blank=True, help_text="The steps' records, as sent.")
    steps_done = models.JSONField(default=dict, blank=True, help_text="What the ERP answered, per step written.")
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
        verbose_name = "export attempt"
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "object_id"],
                condition=Q(status__in=["queued", "running"]),
                name="erp_one_active_attempt_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_type} #{self.object_id} ({self.status})"

    def step_key(self, step_name: str) -> str:
        return f"{self.idempotency_key}:{step_name}"


class ExportTry(models.Model):
    """One try of an export attempt by one worker: when, what it wrote, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        WILL_RETRY = "will_retry", "Failed; will retry"
        FAILED = "failed", "Failed"
        SUPERSEDED = "superseded", "Superseded (another worker took over)"
        LATE_SUCCESS = "late_success", "Wrote after the export had ended"
        LOST = "lost", "Worker stopped"

    attempt = models.ForeignKey(ExportAttempt, on_delete=models.CASCADE, related_name="tries_log")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RUNNING, db_index=True)
    steps = models.JSONField(default=dict, blank=True, help_text="The steps this try wrote or found written.")
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["attempt", "number"]
        verbose_name = "export try"
        verbose_name_plural = "export tries"
        constraints = [models.UniqueConstraint(fields=["attempt", "number"], name="erp_export_try_unique")]

    def __str__(self) -> str:
        return f"try {self.number} of {self.attempt}"


class ErpIdReservation(models.Model):
    """An ERP identity held by one item from Accept until it lets go (reject, unlink, delete).

    Two items can never be accepted with one Sage job, extra or vendor, even while the first is
    still exporting: the second insert of an identity fails on the unique constraint.
    """

    identity = models.CharField(max_length=150, unique=True)
    item_type = models.CharField(max_length=40, choices=ItemType.choices)
    object_id = models.PositiveBigIntegerField()
    erp_code = models.CharField("ERP code", max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["item_type", "object_id"], name="erp_reservation_item")]
        verbose_name = "reserved ERP id"

    def __str__(self) -> str:
        return f"{self.erp_code} ({self.item_type} #{self.object_id})"


class StagedRecord(TimeStampedModel):
    """An ERP record waiting in Ready to Import (vendors, jobs, extras …), or archived there."""

    class Status(models.TextChoices):
        STAGED = "staged", "Ready to import"
        IMPORTED = "imported", "Imported"
        ARCHIVED = "archived", "Archived"
        INVALID = "invalid", "Invalid"

    kind = models.CharField(max_length=20)
    origin_id = models.CharField("ERP ID", max_length=50)
    parent_origin_id = models.CharField("parent ERP ID", max_length=50, blank=True, default="")
    name = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STAGED, db_index=True)
    invalid_reason = models.TextField(blank=True)
    linked_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    erp_deleted_at = models.DateTimeField(
        "gone from the ERP at", null=True, blank=True, help_text="A full sync no longer found it in the ERP."
    )

    class Meta:
        ordering = ["kind", "parent_origin_id", "origin_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "parent_origin_id", "origin_id"], name="erp_staged_record_unique")
        ]

    def __str__(self) -> str:
        parent = f"{self.parent_origin_id}/" if self.parent_origin_id else ""
        return f"{self.kind} {parent}{self.origin_id} {self.name}".strip()


class SyncRun(models.Model):
    """One pull of one dataset from the ERP: a full pass, or only what changed since the last run."""

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

    class Mode(models.TextChoices):
        FULL = "full", "Full pass"
        INCREMENTAL = "incremental", "Changes only"

    dataset = models.CharField(max_length=40)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.FULL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_since = models.DateTimeField(null=True, blank=True, help_text="Incremental: changes after this moment.")
    high_water = models.DateTimeField(null=True, blank=True, help_text="The newest change stamp read.")
    pages_done = models.PositiveIntegerField(default=0)
    records_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField("gone from the ERP", default=0)
    cursor = models.CharField(max_length=200, blank=True)
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="What the run did beyond its counts.")
    explained = models.JSONField(
        "what the counts mean", default=dict, blank=True,
        help_text="Records skipped and why, waiting for something, or updated in Trestle, with how many of each.",
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["dataset", "status", "-queued_at"], name="erp_syncrun_dataset")]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(status__in=["queued", "running"]), name="erp_one_active_sync_per_dataset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset_label} sync #{self.pk} ({self.get_status_display()})"

    @property
    def dataset_label(self) -> str:
        from apps.erp.registry import dataset

        spec = dataset(self.dataset)
        return spec.label if spec else self.dataset

    def get_dataset_display(self) -> str:
        return self.dataset_label


class SyncSchedule(TimeStampedModel):
    """How often a dataset is pulled on its own (Configure the Sync Schedule, P#17).

    Every ``every_minutes`` the changes since the last run are read; every ``full_every_minutes``
    a full pass reads everything (and notices records deleted in the ERP).
    """

    dataset = models.CharField(max_length=40, unique=True)
    enabled = models.BooleanField(default=True)
    every_minutes = models.PositiveIntegerField("changes every (minutes)", default=1)
    full_every_minutes = models.PositiveIntegerField("full pass every (minutes)", default=24 * 60)
    last_full_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The last scheduled check, whether or not it found changes."
    )
    q_schedule_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["dataset"]

    def __str__(self) -> str:
        from apps.erp.registry import dataset

        spec = dataset(self.dataset)
        return f"{spec.label if spec else self.dataset} every {self.every_minutes} min"
