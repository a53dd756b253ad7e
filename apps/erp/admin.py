"""Admin for the ERP Integrations tool's records: settings, sync runs and schedule, the logs.

The working screen is the ERP Integrations page (``apps.erp.admin_views``); these are the
supporting lists. Settings need Admin on ERP Integrations (P#16–P#18); the rest is read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from apps.access.checks import can, has_tool_level
from apps.access.matrix import Action
from apps.access.models import Level, Tool
from apps.core.exceptions import ApplicationError
from apps.erp import schedules
from apps.erp.models import (
    ErpIdReservation,
    ErpSettings,
    ErpTransition,
    ExportAttempt,
    ExportTry,
    StagedRecord,
    SyncRun,
    SyncSchedule,
)
from apps.erp.registry import dataset_choices, direct_export_documents, settings_specs
from apps.erp.selectors import with_next_run
from apps.erp.services import erp_option
from apps.erp.sync import sync_run_summary, sync_start


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


class ErpSettingsForm(forms.ModelForm):
    """The settings the registry declares: a Direct Export switch per type that allows one (P#18), and
    the domains' yes/no settings (P#16)."""

    class Meta:
        model = ErpSettings
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance
        for doc in direct_export_documents():
            self.fields[f"direct_export:{doc.item_type}"] = forms.BooleanField(
                label=f"Direct Export: {doc.item_type.label.lower()}", required=False,
                initial=str(doc.item_type) in (current.direct_export or []),
                help_text="Send to ERP exports it at once, without an approver.",
            )
        for spec in settings_specs():
            self.fields[f"option:{spec.key}"] = forms.BooleanField(
                label=spec.label, required=False, initial=erp_option(spec.key, current), help_text=spec.help_text,
            )

    def direct_export(self) -> list[str]:
        return [name.split(":", 1)[1] for name, value in self.cleaned_data.items()
                if name.startswith("direct_export:") and value]

    def options(self) -> dict[str, bool]:
        return {name.split(":", 1)[1]: bool(value) for name, value in self.cleaned_data.items()
                if name.startswith("option:")}


@admin.register(ErpSettings)
class ErpSettingsAdmin(admin.ModelAdmin):
    form = ErpSettingsForm
    list_display = ["__str__", "connected_at", "connected_company"]
    readonly_fields = ["connection", "created_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        form = self.get_form(request, obj)
        names = list(form.base_fields) + [name for name in form(instance=obj or ErpSettings()).fields
                                          if name not in form.base_fields]
        direct = [name for name in names if name.startswith("direct_export:")]
        options = [name for name in names if name.startswith("option:")]
        fieldsets = [("Connection to Sage 300 CRE", {"fields": ["connection"]})]
        if direct:
            fieldsets.append(("Direct Export", {"fields": direct}))
        fieldsets.append(("Advanced settings", {"fields": options}))
        fieldsets.append((None, {"fields": ["created_at", "updated_at"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = []
        form = super().get_form(request, obj, change=change, **kwargs)
        declared = ErpSettingsForm(instance=obj or ErpSettings())
        form.base_fields.update(declared.fields)
        return form

    @admin.display(description="connection")
    def connection(self, obj):
        if obj is None or obj.connected_at is None:
            return format_html(
                "Not connected yet. Projects created after you connect can be exported. "
                '<a class="button" href="{}">Connect to Sage 300 CRE</a>', reverse("admin:erp_erpsettings_connect"),
            )
        return format_html(
            "Connected to {} since {}.", obj.connected_company or "Sage 300 CRE",
            timezone.localtime(obj.connected_at).strftime("%Y-%m-%d %H:%M"),
        )

    def get_urls(self):
        return [
            path("connect/", self.admin_site.admin_view(self.connect_view), name="erp_erpsettings_connect"),
            *super().get_urls(),
        ]

    def connect_view(self, request):
        from apps.erp.services import erp_connect

        if request.method != "POST":
            return TemplateResponse(request, "admin/erp/connect.html", {
                **self.admin_site.each_context(request), "title": "Connect to Sage 300 CRE", "opts": self.model._meta,
            })
        try:
            settings_row = erp_connect(actor=request.user)
        except ApplicationError as error:
            self.message_user(request, f"{error.message} {getattr(error, 'resolution', '')}".strip(), messages.ERROR)
        else:
            self.message_user(request, f"Connected to {settings_row.connected_company}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:erp_erpsettings_changelist"))

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
        from apps.erp.services import erp_settings, erp_settings_save

        if obj.pk is None:
            obj.pk = erp_settings().pk
        erp_settings_save(direct_export=form.direct_export(), options=form.options(), actor=request.user)


@admin.register(SyncSchedule)
class SyncScheduleAdmin(admin.ModelAdmin):
    list_display = ["dataset_label", "enabled", "every_minutes", "full_every_minutes", "last_checked_at",
                    "last_full_at", "next_run"]
    list_editable = ["enabled", "every_minutes", "full_every_minutes"]
    list_display_links = ["dataset_label"]
    ordering = ["dataset"]
    readonly_fields = ["last_checked_at", "last_full_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "dataset":
            # A dataset has one schedule: only those without one are offered.
            taken = set(SyncSchedule.objects.values_list("dataset", flat=True))
            return forms.ChoiceField(choices=[c for c in dataset_choices() if c[0] not in taken], label="Dataset")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["dataset", *self.readonly_fields] if obj else self.readonly_fields

    @admin.display(description="dataset", ordering="dataset")
    def dataset_label(self, obj):
        return str(obj).rsplit(" every ", 1)[0]

    def has_module_permission(self, request):
        return _erp_reader(request)

    def has_view_permission(self, request, obj=None):
        return _erp_reader(request)

    def has_add_permission(self, request):
        # No Add once every dataset has its schedule (a second one for a dataset is always refused).
        if SyncSchedule.objects.count() >= len(dataset_choices()):
            return False
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    def has_change_permission(self, request, obj=None):
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    def has_delete_permission(self, request, obj=None):
        return bool(can(request.user, Action.CONFIGURE_SYNC_SCHEDULE))

    def get_queryset(self, request):
        return with_next_run(super().get_queryset(request))  # no query per row for "next run"

    @admin.display(description="next run")
    def next_run(self, obj):
        if not hasattr(obj, "q_next_run"):
            return schedules.next_run(obj)
        if not obj.enabled:
            return "paused"
        return obj.q_next_run or "—"

    def save_model(self, request, obj, form, change):
        schedules.sync_schedule_save(schedule=obj, actor=request.user)

    def delete_model(self, request, obj):
        schedules.sync_schedule_delete(schedule=obj, actor=request.user)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyErpAdmin):
    list_display = ["pk", "dataset", "trigger", "mode", "status_badge", "records_seen", "created", "updated", "unchanged",
                    "skipped", "failed", "explanation", "started_by", "queued_at", "duration"]
    list_filter = ["dataset", "status", "trigger", "mode"]
    list_select_related = ["started_by"]
    ordering = ["-queued_at"]
    search_fields = ["errors"]
    actions = ["run_again"]
    readonly_fields = ["what_happened"] + [
        f.name for f in SyncRun._meta.fields if f.name not in ("errors", "notes", "explained")
    ] + ["error_table"]
    exclude = ["errors", "notes", "explained"]

    @admin.display(description="what the counts mean")
    def explanation(self, obj):
        return "; ".join(sync_run_summary(obj)[1:]) or "—"

    @admin.display(description="what happened")
    def what_happened(self, obj):
        return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul>", format_html_join(
            "", "<li>{}</li>", ((line,) for line in sync_run_summary(obj))
        ))

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


class ExportTryInline(admin.TabularInline):
    model = ExportTry
    fields = ["number", "worker", "started_at", "finished_at", "outcome", "error_code", "error_message", "steps"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportAttempt)
class ExportAttemptAdmin(ReadOnlyErpAdmin):
    list_display = ["pk", "item_type", "object_id", "erp_code", "status", "tries", "linked_existing", "error_code",
                    "created_at", "finished_at"]
    list_filter = ["item_type", "status", "linked_existing"]
    search_fields = ["erp_code", "error_message", "=idempotency_key"]
    ordering = ["-created_at"]
    show_full_result_count = False
    inlines = [ExportTryInline]


@admin.register(ExportTry)
class ExportTryAdmin(ReadOnlyErpAdmin):
    """One row per try of an export: which worker, when, how it ended, what it wrote."""

    list_display = ["attempt", "number", "worker", "started_at", "finished_at", "outcome", "error_code"]
    list_filter = ["outcome", "attempt__item_type"]
    list_select_related = ["attempt"]
    search_fields = ["worker", "error_message", "=attempt__erp_code"]
    ordering = ["-started_at"]
    show_full_result_count = False


@admin.register(ErpIdReservation)
class ErpIdReservationAdmin(ReadOnlyErpAdmin):
    list_display = ["erp_code", "identity", "item_type", "object_id", "created_at"]
    list_filter = ["item_type"]
    search_fields = ["erp_code", "identity"]
    ordering = ["identity"]
