"""The company's settings, its GL periods, and the API bridge's own books (ledger and hourly usage)."""

from __future__ import annotations

from django.contrib import admin

from apps.sage300 import services
from apps.sage300.admin.base import ReadOnlyAdmin, SageForm, SageModelAdmin, adopt
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import GLPeriod, SageApiUsage, SageCompany

COMPANY_SETTINGS = (
    "company_name",
    "hourly_request_limit",
    "fault_failure_rate",
    "fault_after_commit_share",
    "fault_slow_ms",
    "fault_seed",
)


@admin.register(SageCompany)
class SageCompanyAdmin(SageModelAdmin):
    list_display = (
        "company_name",
        "sage_version",
        "hourly_request_limit",
        "fault_failure_rate",
        "fault_after_commit_share",
        "fault_slow_ms",
        "fault_seed",
    )
    ordering = ("id",)
    search_fields = ("company_name",)
    readonly_fields = ("sage_version",)
    fieldsets = (
        (None, {"fields": ("company_name", "sage_version", "hourly_request_limit")}),
        (
            "Fault injection (tests and soak runs)",
            {
                "fields": ("fault_failure_rate", "fault_after_commit_share", "fault_slow_ms", "fault_seed"),
                "description": "Requests through the API bridge fail, slow down or hit the hourly limit as set "
                "here. Work done on these admin pages is the accountant's own and is never affected.",
            },
        ),
    )

    def changelist_view(self, request, extra_context=None):
        self._desk_only(request)
        services.get_company()  # the one company row exists from the first visit on
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in COMPANY_SETTINGS}
        adopt(obj, services.sage_company_configure(**changes))


class GLPeriodForm(SageForm):
    """Adding a GL period sets up its whole fiscal year, as Sage's period setup does."""

    class Meta:
        model = GLPeriod
        fields = ("fiscal_year",)
        help_texts = {"fiscal_year": "The twelve monthly periods of this year are created (open); existing ones are kept."}

    def validate_with_sage(self, cleaned_data: dict) -> None:
        services.validate_fiscal_year(cleaned_data.get("fiscal_year"))


@admin.register(GLPeriod)
class GLPeriodAdmin(SageModelAdmin):
    form = GLPeriodForm
    list_display = ("__str__", "fiscal_year", "period", "start_date", "end_date", "status")
    list_filter = ("status", "fiscal_year")
    search_fields = ("fiscal_year",)
    ordering = ("-fiscal_year", "period")
    actions = ("open_periods", "close_periods")

    def has_change_permission(self, request, obj=None):
        return False  # dates are fixed by the fiscal year; the status changes through the actions

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            periods = services.gl_periods_ensure(fiscal_year=form.cleaned_data["fiscal_year"])
        adopt(obj, periods[0])

    @admin.action(description="Open selected GL periods")
    def open_periods(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("fiscal_year", "period"),
            service=lambda period: services.gl_period_open(fiscal_year=period.fiscal_year, period=period.period),
            label=str,
            done=("Opened 1 GL period: {labels}.", "Opened {count} GL periods: {labels}."),
        )

    @admin.action(description="Close selected GL periods")
    def close_periods(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("fiscal_year", "period"),
            service=lambda period: services.gl_period_close(fiscal_year=period.fiscal_year, period=period.period),
            label=str,
            done=("Closed 1 GL period: {labels}.", "Closed {count} GL periods: {labels}."),
        )


@admin.register(SageApiUsage)
class SageApiUsageAdmin(ReadOnlyAdmin):
    """Requests per clock hour, one row per worker shard (each process adds its own count every few requests)."""

    list_display = ("hour_start", "shard", "request_count")
    list_filter = ("hour_start",)
    ordering = ("-hour_start", "shard")
    readonly_fields = ("hour_start", "shard", "request_count")
