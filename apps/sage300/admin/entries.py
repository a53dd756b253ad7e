"""Job Cost entries and their batches: what Trestle's exports put in Sage, and "Post batch".

Entries come from imports (Trestle's budget exports); nobody types or edits them here. The accountant's one
job on these pages is posting: the unposted batch's "Post batch" button (or the list's action) posts every
entry at once, or shows Sage's reason for posting none.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.sage300 import services
from apps.sage300.admin.base import ReadOnlyAdmin
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import BatchStatus, JCBatch, JCTransaction, TransactionType


@admin.register(JCTransaction)
class JCTransactionAdmin(ReadOnlyAdmin):
    list_display = (
        "row_id",
        "transaction_type",
        "job_code",
        "extra",
        "cost_code",
        "category",
        "amount",
        "accounting_date",
        "description",
        "batch_number",
        "posted",
    )
    list_filter = (
        "posted",
        "transaction_type",
        ("job", admin.RelatedOnlyFieldListFilter),
        ("batch", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("job__job", "cost_code", "description", "ref_1", "chg_mgt_ref_1")
    ordering = ("-row_id",)
    fields = (
        "row_id",
        "transaction_type",
        "application_of_origin",
        "job",
        "extra",
        "cost_code",
        "category",
        "amount",
        "units",
        "action",
        "accounting_date",
        "transaction_date",
        "description",
        "ref_1",
        "chg_mgt_ref_1",
        "batch",
        "posted",
        "posted_at",
        "date_stamp",
    )
    readonly_fields = fields

    @admin.display(description="job", ordering="job_id")
    def job_code(self, obj: JCTransaction) -> str:
        return obj.job_id

    @admin.display(description="batch", ordering="batch_id")
    def batch_number(self, obj: JCTransaction) -> int:
        return obj.batch_id


@admin.register(JCBatch)
class JCBatchAdmin(ReadOnlyAdmin):
    list_display = ("batch", "status", "entry_count", "created_at", "posted_at")
    list_filter = ("status",)
    ordering = ("-batch",)
    actions = ("post_batches",)
    fields = ("batch", "status", "entries", "amounts_by_type", "created_at", "posted_at")
    readonly_fields = fields
    change_form_template = "admin/sage300/jcbatch/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_entries=Count("transactions"))

    @admin.display(description="entries", ordering="_entries")
    def entry_count(self, obj: JCBatch) -> int:
        return obj._entries

    @admin.display(description="amounts by type")
    def amounts_by_type(self, obj: JCBatch) -> str:
        """Estimates and forecasts are different amounts: each type's total on its own line, never one sum."""
        rows = (obj.transactions.values("transaction_type").annotate(total=Sum("amount"), count=Count("row_id"))
                .order_by("transaction_type"))
        lines = [(TransactionType(row["transaction_type"]).label, row["count"], "entry" if row["count"] == 1 else "entries",
                  f"{row['total']:,.2f}") for row in rows]
        return format_html_join(mark_safe("<br>"), "{}: {} {}, {}", lines) or "-"  # noqa: S308 - a constant

    @admin.display(description="entries")
    def entries(self, obj: JCBatch) -> str:
        url = reverse("admin:sage300_jctransaction_changelist") + f"?batch__batch__exact={obj.batch}"
        return format_html('<a href="{}">{} entr{}</a>', url, obj._entries, "y" if obj._entries == 1 else "ies")

    # --- posting ------------------------------------------------------------------------------------------

    def get_urls(self):
        post = self.admin_site.admin_view(self.post_view)
        return [path("<int:object_id>/post/", post, name="sage300_jcbatch_post"), *super().get_urls()]

    def _post(self, request, batch: JCBatch) -> bool:
        try:
            with at_sage_desktop():
                posted = services.jc_batch_post(batch=batch.batch)
        except SageError as error:
            self.message_user(request, f"Batch {batch.batch} was not posted; nothing in it changed. "
                              f"Sage says: {error.message}", messages.ERROR)
            return False
        self.message_user(request, f"Batch {batch.batch}: {posted.summary()} The job estimates now include them.",
                          messages.SUCCESS)
        return True

    def post_view(self, request, object_id: int):
        self._desk_only(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = get_object_or_404(JCBatch, pk=object_id)
        self._post(request, batch)
        return HttpResponseRedirect(reverse("admin:sage300_jcbatch_change", args=[batch.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_post": batch is not None and batch.status == BatchStatus.UNPOSTED,
            "post_url": reverse("admin:sage300_jcbatch_post", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Post selected batches")
    def post_batches(self, request, queryset):
        for batch in queryset.order_by("batch"):
            if batch.status == BatchStatus.POSTED:
                self.message_user(request, f"Batch {batch.batch} was posted already.", messages.WARNING)
                continue
            self._post(request, batch)
