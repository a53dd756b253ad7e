"""Admin for the ERP Integrations tool's records: settings, sync runs and schedule, the logs.

The working screen is the ERP Integrations page (``apps.erp.admin_views``); these are the
supporting lists. Settings need Admin on ERP Integrations (P#16–P#18); the rest is read-only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from apps.access.checks import can, has_tool_level
from apps.access.matrix import Action
from apps.access.models import Level, Tool
from apps.core.exceptions import ApplicationError
from apps.erp import schedules
from apps.erp.models import ErpSettings, ErpTransition, ExportAttempt, StagedRecord, SyncRun, SyncSchedule
from apps.erp.sync import sync_start


def _erp_reader(request) -> bool:
    return has_tool_level(request.user, Tool.ERP_INTEGRATIONS, Level.READ_ONLY)


class ReadOnlyErpAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _erp_reader(request)

    def has_view_permission(self, request, obj=None):
        return _erp_reader(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ErpSettings)
class ErpSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "connected_at", "direct_export_commitments", "direct_export_commitment_change_orders",
                    "direct_export_invoices", "vendors_auto_update", "vendor_insurance_sync"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        ("Connection", {"fields": ["connected_at"]}),
        ("Direct Export (Enable or Disable ERP Direct Exports, P#18)", {
            "fields": ["direct_export_commitments", "direct_export_commitment_change_orders", "direct_export_invoices"],
        }),
        ("Advanced settings (P#16)", {"fields": [
            "vendors_auto_update", "vendor_insurance_sync", "import_extras_as_sub_jobs",
            "auto_add_cost_codes_to_budgets", "use_contract_number_as_sage_id",
        ]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def has_module_permission(self, request):
        return _erp_reader(request)

    def has_view_permission(self, request, obj=None):
        return _erp_reader(request)

    def has_add_permission(self, request):
        return bool(can(request.user, Action.CONFIGURE_ADVANCED_SETTINGS)) and not ErpSettings.objects.exists()

    def has_change_permission(self, request, obj=None):
        return bool(can(request.user, Action.CONFIGURE_ADVANCED_SETTINGS))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from apps.erp.services import erp_settings_save

        erp_settings_save(settings_row=obj, changed=form.changed_data, actor=request.user)


@admin.register(SyncSchedule)
class SyncScheduleAdmin(admin.ModelAdmin):
    list_display = ["dataset", "enabled", "every_minutes", "next_run"]
    list_editable = ["enabled", "every_minutes"]
    ordering = ["dataset"]

    def has_module_permission(self, request):
        return _erp_reader(request)

    def has_view_permission(self, request, obj=None):
        return _erp_reader(request)

    def has_add_permission(self, request):
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    def has_change_permission(self, request, obj=None):
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    def has_delete_permission(self, request, obj=None):
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    @admin.display(description="next run")
    def next_run(self, obj):
        return schedules.next_run(obj)

    def save_model(self, request, obj, form, change):
        schedules.sync_schedule_save(schedule=obj, actor=request.user)

    def delete_model(self, request, obj):
        schedules.sync_schedule_delete(schedule=obj, actor=request.user)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyErpAdmin):
    list_display = ["pk", "dataset", "trigger", "status_badge", "records_seen", "created", "updated", "unchanged",
                    "skipped", "failed", "started_by", "queued_at", "duration"]
    list_filter = ["dataset", "status", "trigger"]
    list_select_related = ["started_by"]
    ordering = ["-queued_at"]
    search_fields = ["errors"]
    actions = ["run_again"]
    readonly_fields = [f.name for f in SyncRun._meta.fields] + ["error_table"]
    exclude = ["errors"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        colour = {"succeeded": "#2e7d32", "partial": "#b26a00", "failed": "#c62828"}.get(obj.status, "#555")
        return format_html('<strong style="color:{}">{}</strong>', colour, obj.get_status_display())

    @admin.display(description="took")
    def duration(self, obj):
        if obj.started_at and obj.finished_at:
            return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"
        return "—"

    @admin.display(description="errors")
    def error_table(self, obj):
        if not obj.errors:
            return "None"
        rows = format_html("".join(
            format_html("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", e.get("record"), e.get("message"), e.get("resolution", ""))
            for e in obj.errors
        ))
        return format_html("<table><tr><th>Record</th><th>Problem</th><th>What to do</th></tr>{}</table>", rows)

    @admin.action(description="Run the selected datasets again")
    def run_again(self, request, queryset):
        for dataset in sorted(set(queryset.values_list("dataset", flat=True))):
            try:
                run = sync_start(dataset=dataset, trigger=SyncRun.Trigger.MANUAL, actor=request.user)
                self.message_user(request, f"Started {run}.", messages.SUCCESS)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)

    def get_actions(self, request):
        return super().get_actions(request) if _erp_reader(request) else {}


@admin.register(StagedRecord)
class StagedRecordAdmin(ReadOnlyErpAdmin):
    list_display = ["kind", "origin_id", "parent_origin_id", "name", "status", "linked_object_id", "last_seen_at"]
    list_filter = ["kind", "status"]
    search_fields = ["origin_id", "parent_origin_id", "name"]
    ordering = ["kind", "parent_origin_id", "origin_id"]


@admin.register(ErpTransition)
class ErpTransitionAdmin(ReadOnlyErpAdmin):
    list_display = ["created_at", "item_type", "object_id", "action", "from_status", "to_status", "actor", "comment"]
    list_filter = ["item_type", "action", "to_status"]
    list_select_related = ["actor"]
    search_fields = ["comment", "object_id"]
    ordering = ["-created_at"]
    show_full_result_count = False


@admin.register(ExportAttempt)
class ExportAttemptAdmin(ReadOnlyErpAdmin):
    list_display = ["pk", "item_type", "object_id", "erp_code", "status", "tries", "linked_existing", "error_code",
                    "created_at", "finished_at"]
    list_filter = ["item_type", "status", "linked_existing"]
    search_fields = ["erp_code", "error_message", "idempotency_key"]
    ordering = ["-created_at"]
    show_full_result_count = False
