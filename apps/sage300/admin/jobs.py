"""Jobs, extras, cost codes and categories: the Job Cost side of the Sage desktop."""

from __future__ import annotations

from django.contrib import admin

from apps.sage300 import services
from apps.sage300.admin.base import ReadOnlyInline, SageForm, SageModelAdmin, ServiceDeleteMixin, adopt
from apps.sage300.faults import at_sage_desktop
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.models import Category, CostCode, Extra, Job, StandardCategory

JOB_DETAIL_FIELDS = (
    "description",
    "address_1",
    "address_2",
    "city",
    "state",
    "zip_code",
    "billing_method",
    "billing_level",
    "uses_extras",
    "original_contract_amount",
)


class JobForm(SageForm):
    class Meta:
        model = Job
        fields = ("job", "status", *JOB_DETAIL_FIELDS)

    def validate_with_sage(self, cleaned_data: dict) -> None:
        if self.instance.pk is None:
            services.validate_job_import([job_record(cleaned_data)])
        else:
            changes = {name: cleaned_data[name] for name in self.changed_data if name in JOB_DETAIL_FIELDS}
            services.validate_job_update(job=self.instance.job, changes=changes)


def job_record(data: dict) -> JobImportRecord:
    return JobImportRecord(
        job=data.get("job") or "",
        status=data.get("status") or Job._meta.get_field("status").default,
        original_contract_amount=data.get("original_contract_amount") or 0,
        **{name: data.get(name) or "" for name in JOB_DETAIL_FIELDS if name != "original_contract_amount"},
    )


class ExtraInline(ReadOnlyInline):
    model = Extra
    fields = ("extra", "description")
    readonly_fields = fields


class JobCostCodeInline(ReadOnlyInline):
    model = CostCode
    fields = ("extra", "cost_code", "description", "group_cost_code")
    readonly_fields = fields
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("extra")


@admin.register(Job)
class JobAdmin(ServiceDeleteMixin, SageModelAdmin):
    form = JobForm
    list_display = ("job", "description", "status", "city", "state", "billing_method", "uses_extras", "date_stamp")
    list_filter = ("status", "billing_method", "uses_extras")
    search_fields = ("job", "description", "city")
    ordering = ("job",)
    readonly_fields = ("created_at", "date_stamp")
    inlines = (ExtraInline, JobCostCodeInline)
    actions = ("close_jobs", "reopen_jobs")

    def get_readonly_fields(self, request, obj=None):
        # The job id never changes; the status changes only through the close/reopen actions.
        return ("job", "status", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            if change:
                changes = {name: form.cleaned_data[name] for name in form.changed_data if name in JOB_DETAIL_FIELDS}
                adopt(obj, services.job_update(job=obj.job, **changes))
            else:
                adopt(obj, services.job_import(records=[job_record(form.cleaned_data)]))

    def delete_check(self, obj):
        services.validate_job_delete(job=obj.job)

    def delete_with_service(self, obj):
        services.job_delete(job=obj.job)

    @admin.action(description="Close selected jobs")
    def close_jobs(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("job"),
            service=lambda job: services.job_close(job=job.job),
            label=lambda job: job.job,
            done=("Closed 1 job: {labels}.", "Closed {count} jobs: {labels}."),
        )

    @admin.action(description="Reopen selected jobs")
    def reopen_jobs(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("job"),
            service=lambda job: services.job_reopen(job=job.job),
            label=lambda job: job.job,
            done=("Reopened 1 job: {labels}.", "Reopened {count} jobs: {labels}."),
        )


class ExtraForm(SageForm):
    class Meta:
        model = Extra
        fields = ("job", "extra", "description")

    def validate_with_sage(self, cleaned_data: dict) -> None:
        services.validate_extra_create(
            job=cleaned_data["job"].job, extra=cleaned_data.get("extra"), description=cleaned_data.get("description")
        )


@admin.register(Extra)
class ExtraAdmin(ServiceDeleteMixin, SageModelAdmin):
    form = ExtraForm
    list_display = ("job", "extra", "description", "date_stamp")
    list_select_related = ("job",)
    list_filter = ("job__status",)
    search_fields = ("extra", "description", "job__job", "job__description")
    ordering = ("job_id", "extra")
    autocomplete_fields = ("job",)
    readonly_fields = ("created_at", "date_stamp")

    def has_change_permission(self, request, obj=None):
        return False  # an extra's code is its identity; recreate it to change it

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            adopt(
                obj,
                services.extra_create(
                    job=form.cleaned_data["job"].job,
                    extra=form.cleaned_data["extra"],
                    description=form.cleaned_data["description"],
                ),
            )

    def delete_check(self, obj):
        services.validate_extra_delete(job=obj.job_id, extra=obj.extra)

    def delete_with_service(self, obj):
        services.extra_delete(job=obj.job_id, extra=obj.extra)


class CategoryInline(ReadOnlyInline):
    model = Category
    fields = ("category", "description", "original_estimate", "approved_estimate_changes", "total_estimate",
              "msc_cat_amt_1", "msc_cat_amt_2", "cost_unit_description")
    readonly_fields = fields


class CostCodeForm(SageForm):
    class Meta:
        model = CostCode
        fields = ("job", "extra", "cost_code", "description")

    def record(self) -> CostCodeImportRecord:
        data = self.cleaned_data
        return CostCodeImportRecord(
            job=data["job"].job,
            extra=data["extra"].extra if data.get("extra") else "",
            cost_code=data.get("cost_code") or "",
            description=data.get("description") or "",
        )

    def validate_with_sage(self, cleaned_data: dict) -> None:
        services.validate_job_add_cost_codes(job=cleaned_data["job"].job, records=[self.record()])


@admin.register(CostCode)
class CostCodeAdmin(ServiceDeleteMixin, SageModelAdmin):
    form = CostCodeForm
    list_display = ("cost_code", "description", "job", "extra", "group_cost_code", "date_stamp")
    list_select_related = ("job", "extra")
    list_filter = ("group_cost_code", "job__status")
    search_fields = ("cost_code", "description", "job__job")
    ordering = ("job_id", "cost_code")
    autocomplete_fields = ("job",)
    raw_id_fields = ("extra",)
    readonly_fields = ("group_cost_code", "created_at", "date_stamp")
    inlines = (CategoryInline,)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            added = services.job_add_cost_codes(job=form.cleaned_data["job"].job, records=[form.record()])
        adopt(obj, added.cost_codes[0])

    def _extra_code(self, obj) -> str:
        return obj.extra.extra if obj.extra_id else ""

    def delete_check(self, obj):
        services.validate_job_cost_code_delete(job=obj.job_id, extra=self._extra_code(obj), cost_code=obj.cost_code)

    def delete_with_service(self, obj):
        services.job_cost_code_delete(job=obj.job_id, extra=self._extra_code(obj), cost_code=obj.cost_code)


class StandardCategoryFilter(admin.SimpleListFilter):
    """Filter by category, offering the (short) standard list rather than scanning every job category."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return list(StandardCategory.objects.values_list("category", "description"))

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


class CategoryForm(SageForm):
    class Meta:
        model = Category
        fields = ("cost_code", "category", "description", "original_estimate", "original_estimate_units", "cost_unit_description")

    def record(self) -> CategoryImportRecord:
        data = self.cleaned_data
        cost_code = data["cost_code"]
        return CategoryImportRecord(
            job=cost_code.job_id,
            extra=cost_code.extra.extra if cost_code.extra_id else "",
            cost_code=cost_code.cost_code,
            category=data.get("category") or "",
            description=data.get("description") or "",
            original_estimate=data.get("original_estimate") or 0,
            original_estimate_units=data.get("original_estimate_units") or 0,
            cost_unit_description=data.get("cost_unit_description") or "",
        )

    def validate_with_sage(self, cleaned_data: dict) -> None:
        services.validate_job_add_cost_codes(job=cleaned_data["cost_code"].job_id, records=[self.record()])


@admin.register(Category)
class CategoryAdmin(ServiceDeleteMixin, SageModelAdmin):
    form = CategoryForm
    list_display = (
        "category",
        "description",
        "cost_code",
        "job",
        "original_estimate",
        "approved_estimate_changes",
        "total_estimate",
        "msc_cat_amt_1",
        "msc_cat_amt_2",
    )
    list_select_related = ("cost_code", "cost_code__extra")
    list_filter = (StandardCategoryFilter,)
    search_fields = ("category", "description", "cost_code__cost_code", "cost_code__job__job")
    ordering = ("cost_code_id", "category")
    raw_id_fields = ("cost_code",)
    readonly_fields = ("approved_estimate_changes", "approved_est_unit_changes", "total_estimate", "msc_cat_amt_1",
                       "msc_cat_amt_2", "created_at", "date_stamp")

    @admin.display(description="job", ordering="cost_code__job_id")
    def job(self, obj: Category) -> str:
        return obj.cost_code.job_id

    def has_change_permission(self, request, obj=None):
        return False  # estimates change through estimate entries, not by editing the category

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            added = services.job_add_cost_codes(job=form.cleaned_data["cost_code"].job_id, records=[form.record()])
        adopt(obj, added.categories[0])

    def _key(self, obj) -> dict:
        cost_code = obj.cost_code
        return {
            "job": cost_code.job_id,
            "extra": cost_code.extra.extra if cost_code.extra_id else "",
            "cost_code": cost_code.cost_code,
            "category": obj.category,
        }

    def delete_check(self, obj):
        services.validate_job_category_delete(**self._key(obj))

    def delete_with_service(self, obj):
        services.job_category_delete(**self._key(obj))
