"""AP vendors and their insurance on the Sage desktop."""

from __future__ import annotations

from django.contrib import admin

from apps.sage300 import services
from apps.sage300.admin.base import ReadOnlyInline, SageForm, SageModelAdmin, ServiceDeleteMixin, adopt
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import Vendor, VendorInsurance

VENDOR_DETAIL_FIELDS = (
    "name",
    "vendor_type",
    "address_1",
    "address_2",
    "city",
    "state",
    "zip_code",
    "telephone",
    "fax_number",
)


class VendorForm(SageForm):
    class Meta:
        model = Vendor
        fields = ("vendor", *VENDOR_DETAIL_FIELDS)

    def validate_with_sage(self, cleaned_data: dict) -> None:
        if self.instance.pk is None:
            services.validate_vendor_create(**{name: cleaned_data.get(name) or "" for name in self.Meta.fields})
        else:
            changes = {name: cleaned_data[name] for name in self.changed_data if name in VENDOR_DETAIL_FIELDS}
            services.validate_vendor_update(vendor=self.instance.vendor, changes=changes)


class VendorInsuranceInline(ReadOnlyInline):
    model = VendorInsurance
    fields = ("insurance_type", "policy_number", "insurance_company", "limit", "effective_date", "expiration_date")
    readonly_fields = fields


@admin.register(Vendor)
class VendorAdmin(SageModelAdmin):
    form = VendorForm
    list_display = ("vendor", "name", "vendor_type", "inactive", "city", "state", "telephone", "date_stamp")
    list_filter = ("inactive", "vendor_type")
    search_fields = ("vendor", "name", "city")
    ordering = ("vendor",)
    readonly_fields = ("inactive", "created_at", "date_stamp")
    inlines = (VendorInsuranceInline,)
    actions = ("inactivate_vendors", "activate_vendors")

    def get_readonly_fields(self, request, obj=None):
        return ("vendor", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Sage keeps vendors for their history; a vendor no longer used is made inactive.
        return False

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            if change:
                changes = {name: form.cleaned_data[name] for name in form.changed_data if name in VENDOR_DETAIL_FIELDS}
                adopt(obj, services.vendor_update(vendor=obj.vendor, **changes))
            else:
                adopt(
                    obj,
                    services.vendor_create(**{name: form.cleaned_data.get(name) or "" for name in VendorForm.Meta.fields}),
                )

    @admin.action(description="Inactivate selected vendors")
    def inactivate_vendors(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("vendor"),
            service=lambda vendor: services.vendor_inactivate(vendor=vendor.vendor),
            label=lambda vendor: vendor.vendor,
            done=("Inactivated 1 vendor: {labels}.", "Inactivated {count} vendors: {labels}."),
        )

    @admin.action(description="Reactivate selected vendors")
    def activate_vendors(self, request, queryset):
        self.run_for_each(
            request,
            queryset.order_by("vendor"),
            service=lambda vendor: services.vendor_activate(vendor=vendor.vendor),
            label=lambda vendor: vendor.vendor,
            done=("Reactivated 1 vendor: {labels}.", "Reactivated {count} vendors: {labels}."),
        )


INSURANCE_FIELDS = (
    "vendor",
    "insurance_type",
    "policy_number",
    "insurance_company",
    "limit",
    "effective_date",
    "expiration_date",
)


class VendorInsuranceForm(SageForm):
    class Meta:
        model = VendorInsurance
        fields = INSURANCE_FIELDS

    def arguments(self) -> dict:
        data = self.cleaned_data
        # On the change page the vendor and the type are read-only: they come from the record.
        vendor = data["vendor"] if "vendor" in self.fields else self.instance.vendor
        insurance_type = data.get("insurance_type") if "insurance_type" in self.fields else self.instance.insurance_type
        return {
            "vendor": vendor.vendor,
            "insurance_type": insurance_type or "",
            "policy_number": data.get("policy_number") or "",
            "insurance_company": data.get("insurance_company") or "",
            "limit": data.get("limit") or 0,
            "effective_date": data.get("effective_date"),
            "expiration_date": data.get("expiration_date"),
        }

    def validate_with_sage(self, cleaned_data: dict) -> None:
        services.validate_vendor_insurance(**self.arguments())


@admin.register(VendorInsurance)
class VendorInsuranceAdmin(ServiceDeleteMixin, SageModelAdmin):
    form = VendorInsuranceForm
    list_display = (
        "vendor",
        "insurance_type",
        "policy_number",
        "insurance_company",
        "limit",
        "effective_date",
        "expiration_date",
    )
    list_select_related = ("vendor",)
    list_filter = ("insurance_type",)
    search_fields = ("vendor__vendor", "vendor__name", "policy_number", "insurance_company")
    ordering = ("vendor_id", "insurance_type")
    autocomplete_fields = ("vendor",)
    readonly_fields = ("created_at", "date_stamp")

    def get_readonly_fields(self, request, obj=None):
        return ("vendor", "insurance_type", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            adopt(obj, services.vendor_insurance_set(**form.arguments()))

    def delete_check(self, obj):
        services.assert_vendor_active(obj.vendor)

    def delete_with_service(self, obj):
        services.vendor_insurance_remove(vendor=obj.vendor_id, insurance_type=obj.insurance_type)
