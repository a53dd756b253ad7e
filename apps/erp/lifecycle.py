"""The export lifecycle every exportable document shares (DESIGN §5), as an abstract model.

    not_in_erp ──send──▶ ready_to_export ──accept──▶ exporting ──ok──▶ synced
         ▲                 │   │                        │                 │
         └────retrieve─────┘   └──reject──▶ rejected    └─fail─▶ failed_to_export
                                              │  ▲                    │  │
                                              └resend─▶ready_to_export│  └retry─▶ exporting
                                                       rejected ◀─────┘
    synced ──unlink──▶ not_in_erp
    not_in_erp ──send (Direct Export on)──▶ exporting
    not_in_erp ──link (imported from, or linked to, an ERP record)──▶ synced

Transitions only change fields; ``apps.erp.services`` locks the row, checks permission,
runs the transition, saves, logs it and enqueues the export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition


class ErpStatus(models.TextChoices):
    NOT_IN_ERP = "not_in_erp", "Not in ERP"
    READY_TO_EXPORT = "ready_to_export", "Ready to export"
    EXPORTING = "exporting", "Exporting"
    SYNCED = "synced", "Synced"
    FAILED_TO_EXPORT = "failed_to_export", "Failed to export"
    REJECTED = "rejected", "Rejected"


class ErpExportable(models.Model):
    erp_status = FSMField(
        "ERP status", max_length=20, choices=ErpStatus.choices, default=ErpStatus.NOT_IN_ERP, db_index=True
    )
    erp_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    erp_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    erp_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    erp_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    erp_synced_at = models.DateTimeField("synced with ERP at", null=True, blank=True, editable=False)
    erp_fields = models.JSONField(
        "approver's ERP fields", default=dict, blank=True, editable=False, help_text="Entered at Accept."
    )
    erp_error_code = models.CharField(max_length=50, blank=True, editable=False)
    erp_error_message = models.TextField(blank=True, editable=False)
    erp_error_resolution = models.TextField(blank=True, editable=False)
    erp_rejection_comment = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    # --- transitions (fields only) -------------------------------------------------------

    @transition(field=erp_status, source=ErpStatus.NOT_IN_ERP, target=ErpStatus.READY_TO_EXPORT)
    def erp_send(self):
        self.erp_rejection_comment = ""
        self._clear_erp_error()

    @transition(field=erp_status, source=ErpStatus.NOT_IN_ERP, target=ErpStatus.EXPORTING)
    def erp_send_direct(self):
        self._clear_erp_error()

    @transition(field=erp_status, source=ErpStatus.READY_TO_EXPORT, target=ErpStatus.NOT_IN_ERP)
    def erp_retrieve(self):
        pass

    @transition(field=erp_status, source=ErpStatus.READY_TO_EXPORT, target=ErpStatus.EXPORTING)
    def erp_accept(self):
        self._clear_erp_error()

    @transition(
        field=erp_status, source=[ErpStatus.READY_TO_EXPORT, ErpStatus.FAILED_TO_EXPORT], target=ErpStatus.REJECTED
    )
    def erp_reject(self, comment: str = ""):
        self.erp_rejection_comment = comment

    @transition(field=erp_status, source=ErpStatus.REJECTED, target=ErpStatus.READY_TO_EXPORT)
    def erp_resend(self):
        self.erp_rejection_comment = ""
        self._clear_erp_error()

    @transition(field=erp_status, source=ErpStatus.FAILED_TO_EXPORT, target=ErpStatus.EXPORTING)
    def erp_retry(self):
        self._clear_erp_error()

    @transition(field=erp_status, source=ErpStatus.EXPORTING, target=ErpStatus.SYNCED)
    def erp_export_succeeded(self):
        self._clear_erp_error()

    @transition(field=erp_status, source=ErpStatus.EXPORTING, target=ErpStatus.FAILED_TO_EXPORT)
    def erp_export_failed(self, *, code: str, message: str, resolution: str):
        self.erp_error_code = code
        self.erp_error_message = message
        self.erp_error_resolution = resolution

    @transition(field=erp_status, source=ErpStatus.SYNCED, target=ErpStatus.NOT_IN_ERP)
    def erp_unlink(self):
        self.erp_synced_at = None
        self.erp_fields = {}

    @transition(
        field=erp_status, source=[ErpStatus.NOT_IN_ERP, ErpStatus.REJECTED], target=ErpStatus.SYNCED
    )
    def erp_link(self):
        self.erp_rejection_comment = ""
        self._clear_erp_error()

    def _clear_erp_error(self):
        self.erp_error_code = ""
        self.erp_error_message = ""
        self.erp_error_resolution = ""

    # --- reading ----------------------------------------------------------------------------

    @property
    def is_synced(self) -> bool:
        return self.erp_status == ErpStatus.SYNCED

    @property
    def is_in_erp_workflow(self) -> bool:
        """Sent, exporting or synced: the document's ERP-relevant fields are locked."""
        return self.erp_status in (ErpStatus.READY_TO_EXPORT, ErpStatus.EXPORTING, ErpStatus.SYNCED)


ERP_LIFECYCLE_FIELDS = [
    "erp_status",
    "erp_sent_by",
    "erp_sent_at",
    "erp_approved_by",
    "erp_approved_at",
    "erp_synced_at",
    "erp_fields",
    "erp_error_code",
    "erp_error_message",
    "erp_error_resolution",
    "erp_rejection_comment",
]
