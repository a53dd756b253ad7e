from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from apps.access.admin_mixins import RulesAdminMixin, RulesInlineMixin
from apps.access.rules import Resource
from apps.companies.models import Company, CompanyInsurance
from apps.companies.resources import CompanyResource
from apps.companies.selectors import company_insurance_list, company_list
from apps.companies.services import (
    COMPANY_EDITABLE_FIELDS,
    INSURANCE_FIELDS,
    company_archive,
    company_create,
    company_delete,
    company_delete_problem,
    company_insurance_upsert,
    company_insurance_validate,
    company_unarchive,
    company_update,
    company_validate,
)
from apps.core.admin_mixins import (
    AllOrNothingImportExportMixin,
    NoHistoryRevertMixin,
    ServiceAdminMixin,
    add_service_errors,
    adopt,
    badge,
    fresh,
    run_service_action,
)
from apps.core.exceptions import ApplicationError
from apps.erp.admin_mixins import ErpAdminMixin
from apps.core.money import format_money


class CompanyAdminForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = COMPANY_EDITABLE_FIELDS

    def validate_unique(self):
        """Uniqueness is the service validator's job (with its own wording)."""

    def clean(self):
        cleaned = super().clean()
        data = {field: cleaned[field] for field in COMPANY_EDITABLE_FIELDS if field in cleaned}
        add_service_errors(self, company_validate(data=data, company=self.instance if self.instance.pk else None))
        return cleaned


class CompanyInsuranceInline(RulesInlineMixin, admin.TabularInline):
    """Insurance comes from Sage (R62); it is shown here and managed on its own page."""

    rule_resource = Resource.COMPANY_INSURANCE
    model = CompanyInsurance
    fields = ("insurance_type", "policy_number", "insurance_provider", "limit", "effective_date", "expiration_date", "imported_from_erp")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="limit")
    def limit(self, obj):
        return format_money(obj.limit_amount)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(
    ErpAdminMixin, RulesAdminMixin, ServiceAdminMixin, NoHistoryRevertMixin, AllOrNothingImportExportMixin, SimpleHistoryAdmin
):
    rule_resource = Resource.COMPANY
    form = CompanyAdminForm
    resource_classes = [CompanyResource]
    list_display = ("name", "erp_company_id", "sage_link", "city", "state", "business_phone", "erp_vendor_type", "is_archived")
    list_filter = ("is_archived", "erp_inactive", ("erp_company_id", admin.EmptyFieldListFilter), "erp_vendor_type")
    search_fields = ("name", "erp_company_id", "city", "email")
    ordering = ("name",)
    list_select_related = False
    readonly_fields = ("erp_company_id", "erp_inactive", "is_archived", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "email", "erp_vendor_type")}),
        ("Address", {"fields": ("address", "city", "state", "zip", "business_phone", "business_fax")}),
        ("Sage 300 CRE", {"fields": ("erp_company_id", "erp_inactive", "is_archived", "created_at", "updated_at")}),
    )
    inlines = [CompanyInsuranceInline]
    actions = ["archive_companies", "unarchive_companies"]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return company_list(user=request.user)

    @admin.display(description="Sage vendor")
    def sage_link(self, obj):
        if obj.erp_inactive:
            return badge("inactive in Sage", colour="#b91c1c")
        if obj.erp_company_id:
            return badge("linked", colour="#15803d")
        return "—"

    def save_model(self, request, obj, form, change):
        if change:
            data = {field: form.cleaned_data[field] for field in form.changed_data if field in COMPANY_EDITABLE_FIELDS}
            company = company_update(company=fresh(obj), data=data, actor=request.user)
        else:
            data = {field: form.cleaned_data[field] for field in COMPANY_EDITABLE_FIELDS}
            company = company_create(**data, actor=request.user)
        adopt(obj, company)

    def delete_problem(self, obj):
        return company_delete_problem(company=obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_problem(obj):
            return False  # linked to Sage, or in the ERP workflow: no Delete button the service would refuse
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        company_delete(company=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for company in queryset:
            try:
                company_delete(company=company, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)

    @admin.action(description="Archive selected companies", permissions=["archive"])
    def archive_companies(self, request, queryset):
        run_service_action(self, request, queryset, service=company_archive, argument="company", done="{count} archived.")

    @admin.action(description="Unarchive selected companies", permissions=["archive"])
    def unarchive_companies(self, request, queryset):
        run_service_action(
            self, request, queryset, service=company_unarchive, argument="company", done="{count} unarchived."
        )


class CompanyInsuranceAdminForm(forms.ModelForm):
    class Meta:
        model = CompanyInsurance
        fields = ("company", "insurance_type", *INSURANCE_FIELDS)

    def validate_unique(self):
        """One policy per type is an upsert in the service; the service validator speaks for it."""

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company") or (self.instance.company if self.instance.pk else None)
        insurance_type = cleaned.get("insurance_type") or self.instance.insurance_type
        if company is not None and insurance_type:
            data = {field: cleaned.get(field) for field in INSURANCE_FIELDS}
            errors = company_insurance_validate(company=company, insurance_type=insurance_type, data=data)
            if not self.instance.pk and CompanyInsurance.objects.filter(company=company, insurance_type=insurance_type).exists():
                errors.setdefault("insurance_type", []).append(
                    f"{company.name} already has a {CompanyInsurance.InsuranceType(insurance_type).label} policy; change that one."
                )
            add_service_errors(self, errors)
        return cleaned


@admin.register(CompanyInsurance)
class CompanyInsuranceAdmin(RulesAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    rule_resource = Resource.COMPANY_INSURANCE
    form = CompanyInsuranceAdminForm
    list_display = ("company", "insurance_type", "policy_number", "insurance_provider", "limit", "effective_date", "expiration_date", "imported_from_erp")
    list_filter = ("insurance_type", "imported_from_erp")
    search_fields = ("company__name", "company__erp_company_id", "policy_number", "insurance_provider")
    ordering = ("company__name", "insurance_type")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("imported_from_erp", "created_at", "updated_at")

    def get_queryset(self, request):
        return company_insurance_list(user=request.user)

    @admin.display(description="limit", ordering="limit_amount")
    def limit(self, obj):
        return format_money(obj.limit_amount)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ("company", "insurance_type", *self.readonly_fields)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.imported_from_erp:  # kept in step with Sage (R62, R64): view only
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.imported_from_erp:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        insurance = company_insurance_upsert(
            company=obj.company,
            insurance_type=obj.insurance_type,
            **{field: form.cleaned_data.get(field, getattr(obj, field)) for field in INSURANCE_FIELDS},
            actor=request.user,
        )
        adopt(obj, insurance)
