"""Job Cost's standard cost codes and standard categories on the Sage desktop."""

from __future__ import annotations

from django.contrib import admin

from apps.sage300 import services
from apps.sage300.admin.base import SageForm, SageModelAdmin, adopt
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import StandardCategory, StandardCostCode


class StandardCostCodeForm(SageForm):
    class Meta:
        model = StandardCostCode
        fields = ("cost_code", "description")

    def validate_with_sage(self, cleaned_data: dict) -> None:
        creating = self.instance.pk is None
        services.validate_standard_cost_code(
            cost_code=cleaned_data.get("cost_code") if creating else self.instance.cost_code,
            description=cleaned_data.get("description"),
            creating=creating,
        )


@admin.register(StandardCostCode)
class StandardCostCodeAdmin(SageModelAdmin):
    form = StandardCostCodeForm
    list_display = ("cost_code", "description", "group_cost_code", "date_stamp")
    list_filter = ("group_cost_code",)
    search_fields = ("cost_code", "description")
    ordering = ("cost_code",)
    readonly_fields = ("group_cost_code", "created_at", "date_stamp")

    def get_readonly_fields(self, request, obj=None):
        return ("cost_code", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Jobs' cost codes were copied from this list; Sage keeps the list entry for them.
        return False

    def save_model(self, request, obj, form, change):
        with at_sage_desktop():
            if change:
                saved = services.standard_cost_code_update(
                    cost_code=obj.cost_code, description=form.cleaned_data["description"]
                )
            else:
                saved = services.standard_cost_code_create(
                    cost_code=form.cleaned_data["cost_code"], description=form.cleaned_data["description"]
                )
        adopt(obj, saved)


class StandardCategoryForm(SageForm):
    class Meta:
        model = StandardCategory
        fields = ("category", "description", "accumulate_as")

    def validate_with_sage(self, cleaned_data: dict) -> None:
        creating = self.instance.pk is None
        services.validate_standard_category(
            category=cleaned_data.get("category") if creating else self.instance.category,
            description=cleaned_data.get("description"),
            accumulate_as=cleaned_data.get("accumulate_as"),
            creating=creating,
        )


@admin.register(StandardCategory)
class StandardCategoryAdmin(SageModelAdmin):
    form = StandardCategoryForm
    list_display = ("category", "description", "accumulate_as", "date_stamp")
    list_filter = ("accumulate_as",)
    search_fields = ("category", "description")
    ordering = ("category",)
    readonly_fields = ("created_at", "date_stamp")

    def get_readonly_fields(self, request, obj=None):
        return ("category", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Job categories must stay standard categories (Sage's estimate import checks them).
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with at_sage_desktop():
            if change:
                saved = services.standard_category_update(
                    category=obj.category, description=data["description"], accumulate_as=data["accumulate_as"]
                )
            else:
                saved = services.standard_category_create(
                    category=data["category"], description=data["description"], accumulate_as=data["accumulate_as"]
                )
        adopt(obj, saved)
