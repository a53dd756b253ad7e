"""Vendors (companies) as CSV/XLSX: import through the company services, export from the selector.

A row is matched to an existing company by ``erp_company_id`` when the row has one, otherwise by
``name``. Every row is a Sage vendor, so Sage's vendor field limits apply (name ≤ 30, city ≤ 15 …).
"""

from __future__ import annotations

from copy import copy

from django.core.exceptions import ValidationError
from import_export import fields, resources

from apps.companies.models import Company, VendorType
from apps.companies.selectors import company_list
from apps.companies.services import (
    COMPANY_EDITABLE_FIELDS,
    company_archive,
    company_create,
    company_unarchive,
    company_update,
    company_validate,
)
from apps.core.imports import (
    AllOrNothingResourceMixin,
    StrictBooleanWidget,
    TextWidget,
    cell_text,
    duplicate_in_file_message,
)
from apps.core.validation import ErrorDict, add_error, merge_errors

VENDOR_COLUMNS = (
    "name",
    "erp_company_id",
    "address",
    "city",
    "state",
    "zip",
    "business_phone",
    "business_fax",
    "email",
    "erp_vendor_type",
    "is_archived",
)


def _text_field(name: str, **widget_kwargs) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget(**widget_kwargs))


class VendorTypeWidget(TextWidget):
    """A vendor type cell: Sage's four types in any case or spacing ("supplier" is Supplier); anything else is
    kept as typed, for the row's error to name it."""

    def clean(self, value, row=None, **kwargs):
        typed = super().clean(value, row=row, **kwargs)
        return VendorType.matching(typed) or typed


class CompanyResource(AllOrNothingResourceMixin, resources.ModelResource):
    name = _text_field("name")
    erp_company_id = _text_field("erp_company_id", blank_as_none=True)
    address = _text_field("address")
    city = _text_field("city")
    state = _text_field("state")
    zip = _text_field("zip")
    business_phone = _text_field("business_phone")
    business_fax = _text_field("business_fax")
    email = _text_field("email")
    erp_vendor_type = fields.Field(attribute="erp_vendor_type", column_name="erp_vendor_type", widget=VendorTypeWidget())
    is_archived = fields.Field(
        attribute="is_archived", column_name="is_archived", widget=StrictBooleanWidget(), saves_null_values=False
    )

    required_columns = ("name",)

    class Meta:
        model = Company
        name = "Vendors (companies)"
        fields = VENDOR_COLUMNS
        import_order = VENDOR_COLUMNS
        export_order = VENDOR_COLUMNS
        # The real lookup is get_instance(): erp_company_id when the row has one, else name.
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def get_queryset(self):
        return company_list()

    # --- import ----------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if kwargs.get("user") is not None and self.actor is None:
            self.actor = kwargs["user"]
        self._by_erp_id: dict[str, Company] = {}
        self._by_name: dict[str, list[Company]] = {}
        self._by_pk: dict[int, Company] = {}
        for company in Company.objects.all():
            self._by_pk[company.pk] = company
            if company.erp_company_id:
                self._by_erp_id[company.erp_company_id] = company
            self._by_name.setdefault(company.name, []).append(company)
        self._erp_id_rows = self.first_rows(dataset, "erp_company_id")
        self._name_rows = self._rows_without_erp_id_by_name(dataset)
        self._vendors_in_sage = self._look_up_vendors(dataset)

    def _look_up_vendors(self, dataset) -> dict[str, bool] | str:
        """Which of the file's new ERP Company IDs Sage has: one request for the whole file (or why not)."""
        from apps.erp.connector import get_connector
        from apps.erp.errors import ErpError
        from apps.erp.records import VendorExport

        headers = dataset.headers or []
        if "erp_company_id" not in headers:
            return {}
        index = headers.index("erp_company_id")
        wanted = sorted({cell_text(values[index]).upper() for values in dataset if cell_text(values[index])}
                        - set(self._by_erp_id))
        if not wanted:
            return {}
        try:
            answers = get_connector().find_written([VendorExport(v, "", "", "", "", "", "", "") for v in wanted])
        except ErpError as error:
            return f"{error.message} {error.resolution}"
        return {vendor_id: found is not None for vendor_id, found in zip(wanted, answers)}

    def _rows_without_erp_id_by_name(self, dataset) -> dict[str, list[int]]:
        headers = dataset.headers or []
        name_index = headers.index("name")
        erp_index = headers.index("erp_company_id") if "erp_company_id" in headers else None
        seen: dict[str, list[int]] = {}
        for number, values in enumerate(dataset, 1):
            name = cell_text(values[name_index])
            if name and (erp_index is None or not cell_text(values[erp_index])):
                seen.setdefault(name, []).append(number)
        return seen

    def get_instance(self, instance_loader, row):
        erp_company_id = self.fields["erp_company_id"].clean(row) if "erp_company_id" in row else None
        if erp_company_id:
            found = self._by_erp_id.get(erp_company_id)
            return copy(found) if found else None
        name = self.fields["name"].clean(row)
        matches = self._by_name.get(name, [])
        if len(matches) > 1:
            ids = ", ".join(c.erp_company_id or f"#{c.pk}" for c in matches)
            raise ValidationError(
                {"name": f"Several companies are named {name!r} ({ids}); add erp_company_id to say which one."}
            )
        return copy(matches[0]) if matches else None

    def row_errors(self, instance, row, *, parse_errors, row_number=None, **kwargs) -> ErrorDict:
        errors: ErrorDict = {}
        columns = self.present_columns(row)
        values = {column: getattr(instance, column) for column in COMPANY_EDITABLE_FIELDS if column in columns}
        erp_company_id = self.fields["erp_company_id"].clean(row) if "erp_company_id" in columns else None
        is_new = instance.pk is None
        if is_new and erp_company_id:
            values["erp_company_id"] = erp_company_id
        errors = merge_errors(
            errors,
            company_validate(data=values, company=None if is_new else self._pristine(instance)),
        )
        repeat = erp_company_id and duplicate_in_file_message(
            column="erp_company_id", value=erp_company_id, rows=self._erp_id_rows.get(erp_company_id, []), row_number=row_number
        )
        if repeat:
            # The repeat is the problem; "already linked" to the company the first row creates would only confuse.
            errors["erp_company_id"] = [repeat]
        elif is_new and erp_company_id and "erp_company_id" not in errors:
            in_sage = self._vendors_in_sage
            if isinstance(in_sage, str):
                add_error(errors, "erp_company_id", f"Could not check vendor {erp_company_id} in Sage 300 CRE: {in_sage}")
            elif not in_sage.get(erp_company_id.upper(), False):
                add_error(errors, "erp_company_id", (
                    f"Sage 300 CRE has no vendor {erp_company_id}. Leave erp_company_id empty to add the company "
                    "unlinked (and send it to Sage), or correct the ID."
                ))
        name = values.get("name", "")
        repeat = not erp_company_id and name and duplicate_in_file_message(
            column="name", value=name, rows=self._name_rows.get(name, []), row_number=row_number
        )
        if repeat:
            add_error(errors, "name", f"{repeat} Rows without an erp_company_id are matched by name.")
        # Parsing errors already name their column; keep only the first message per column.
        return {field: messages for field, messages in errors.items() if field not in parse_errors}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The ERP Company ID of an existing company never changes through an import (R59).
        if field.attribute == "erp_company_id" and instance.pk is not None:
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def _pristine(self, instance: Company) -> Company:
        """The company as stored (the instance being imported is a copy the row has changed)."""
        return self._by_pk[instance.pk]

    def do_instance_save(self, instance, is_create):
        columns = self._current_columns
        values = {column: getattr(instance, column) for column in COMPANY_EDITABLE_FIELDS if column in columns}
        if is_create:
            company = company_create(**values, is_archived=bool(instance.is_archived), actor=self.actor)
            if instance.erp_company_id:
                from apps.companies.erp import company_link_vendor

                # Linked through the engine: a transition in the log, the vendor id reserved, Ready to Import told.
                company_link_vendor(company=company, vendor_id=instance.erp_company_id, actor=self.actor, checked=True)
            instance.pk = company.pk
            instance._state.adding = False
            return
        company = self._pristine(instance)
        company_update(company=company, data=values, actor=self.actor)
        if "is_archived" in columns and instance.is_archived != company.is_archived:
            (company_archive if instance.is_archived else company_unarchive)(company=company, actor=self.actor)

    def save_instance(self, instance, is_create, row, **kwargs):
        self._current_columns = self.present_columns(row)
        super().save_instance(instance, is_create, row, **kwargs)
