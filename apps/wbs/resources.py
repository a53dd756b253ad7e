"""Standard cost codes and cost types as CSV/XLSX, imported through the WBS services.

Cost code rows name their list in ``cost_code_list``; a blank cell means the default list (the
Sage 300 CRE standard cost code list unless the caller chooses another). ``default_cost_types``
is a comma-separated list of cost type codes, e.g. ``L,M``.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy

from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from apps.core.exceptions import ApplicationError
from apps.core.imports import (
    AllOrNothingResourceMixin,
    StrictBooleanWidget,
    TextWidget,
    cell_text,
    duplicate_in_file_message,
    row_validation_error,
    split_codes,
)
from apps.core.validation import ErrorDict, add_error, merge_errors, text
from apps.wbs.models import CostCodeList, CostType, StandardCostCode
from apps.wbs.selectors import cost_type_list, erp_cost_code_list, standard_cost_code_list
from apps.wbs.services import (
    ERP_LIST_NAME,
    cost_code_list_get_or_create_erp,
    cost_type_row_errors,
    cost_types_upsert,
    standard_cost_code_default_cost_types_validate,
    standard_cost_code_row_errors,
    standard_cost_code_set_default_cost_types,
    standard_cost_codes_upsert,
)

COST_TYPE_COLUMNS = ("code", "description", "is_active")
COST_CODE_COLUMNS = ("cost_code_list", "code", "description", "division", "is_active", "default_cost_types")


# --- Cost types -------------------------------------------------------------------------


class CostTypeResource(AllOrNothingResourceMixin, resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    description = fields.Field(attribute="description", column_name="description", widget=TextWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=StrictBooleanWidget(), saves_null_values=False
    )

    required_columns = ("code", "description")

    class Meta:
        model = CostType
        name = "Cost types"
        fields = COST_TYPE_COLUMNS
        import_order = COST_TYPE_COLUMNS
        export_order = COST_TYPE_COLUMNS
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def get_queryset(self):
        return cost_type_list()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.actor = self.actor or kwargs.get("user")
        self._code_rows = self.first_rows(dataset, "code")

    def _values(self, instance, row) -> dict:
        values = {"code": instance.code, "description": instance.description}
        if "is_active" in row:
            values["is_active"] = instance.is_active
        return values

    def row_errors(self, instance, row, *, parse_errors, row_number=None, **kwargs) -> ErrorDict:
        errors = cost_type_row_errors(self._values(instance, row))
        repeat = duplicate_in_file_message(
            column="code", value=instance.code, rows=self._code_rows.get(instance.code, []), row_number=row_number
        )
        if repeat:
            add_error(errors, "code", repeat)
        return {field: messages for field, messages in errors.items() if field not in parse_errors}

    def do_instance_save(self, instance, is_create):
        cost_types_upsert(rows=[self._values(instance, self._row)], actor=self.actor)
        if is_create:
            instance.pk = CostType.objects.values_list("pk", flat=True).get(code=instance.code)
            instance._state.adding = False

    def save_instance(self, instance, is_create, row, **kwargs):
        self._row = row
        super().save_instance(instance, is_create, row, **kwargs)


# --- Standard cost codes ----------------------------------------------------------------


class CostCodeListWidget(widgets.Widget):
    """A list by name (any case); a blank cell means the resource's default list."""

    def __init__(
        self,
        *,
        lists_by_name: Callable[[], dict[str, CostCodeList]],
        default_list: Callable[[], CostCodeList],
        default_list_name: Callable[[], str],
    ):
        super().__init__()
        self.lists_by_name = lists_by_name
        self.default_list = default_list
        self.default_list_name = default_list_name

    def clean(self, value, row=None, **kwargs):
        name = cell_text(value)
        if not name or name.lower() == self.default_list_name().lower():
            return self.default_list()
        found = self.lists_by_name().get(name.lower())
        if found is None:
            names = ", ".join(sorted(cost_code_list.name for cost_code_list in self.lists_by_name().values()))
            raise ValueError(f"Unknown cost code list {name!r}; the lists are: {names or 'none yet'}.")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class CostTypeCodesWidget(widgets.ManyToManyWidget):
    """``"L,M"`` ↔ cost types by code. Cost types are read once per import."""

    def __init__(self, **kwargs):
        super().__init__(CostType, separator=",", field="code", **kwargs)
        self._by_code: dict[str, CostType] | None = None

    def by_code(self) -> dict[str, CostType]:
        if self._by_code is None:
            self._by_code = {cost_type.code: cost_type for cost_type in CostType.objects.all()}
        return self._by_code

    def clean(self, value, row=None, **kwargs):
        codes = split_codes(value)
        unknown = [code for code in codes if code not in self.by_code()]
        if unknown:
            raise ValueError(f"Unknown cost type {', '.join(unknown)}.")
        return [self.by_code()[code] for code in codes]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ",".join(cost_type.code for cost_type in value.all())


class StandardCostCodeResource(AllOrNothingResourceMixin, resources.ModelResource):
    cost_code_list = fields.Field(attribute="cost_code_list", column_name="cost_code_list")
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    description = fields.Field(attribute="description", column_name="description", widget=TextWidget())
    division = fields.Field(attribute="division", column_name="division", widget=TextWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=StrictBooleanWidget(), saves_null_values=False
    )
    default_cost_types = fields.Field(
        attribute="default_cost_types", column_name="default_cost_types", widget=CostTypeCodesWidget()
    )

    required_columns = ("code", "description")

    class Meta:
        model = StandardCostCode
        name = "Standard cost codes"
        fields = COST_CODE_COLUMNS
        import_order = COST_CODE_COLUMNS
        export_order = COST_CODE_COLUMNS
        # The real lookup is get_instance(): the row's list (or the default list) and its code.
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, actor=None, default_cost_code_list: CostCodeList | None = None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._default_list = default_cost_code_list
        self._lists_by_name: dict[str, CostCodeList] | None = None
        self.fields["cost_code_list"].widget = CostCodeListWidget(
            lists_by_name=self.lists_by_name, default_list=self.default_list, default_list_name=self.default_list_name
        )

    def get_queryset(self):
        return standard_cost_code_list()

    def lists_by_name(self) -> dict[str, CostCodeList]:
        if self._lists_by_name is None:
            self._lists_by_name = {c.name.lower(): c for c in CostCodeList.objects.all()}
        return self._lists_by_name

    def default_list(self) -> CostCodeList:
        """The list for rows that leave ``cost_code_list`` blank; the ERP list is created on first need."""
        if self._default_list is None:
            self._default_list = cost_code_list_get_or_create_erp(actor=self.actor)
            self.lists_by_name()[self._default_list.name.lower()] = self._default_list
        return self._default_list

    def default_list_name(self) -> str:
        """A file exported from an install whose ERP list does not exist here yet still names it."""
        if self._default_list is not None:
            return self._default_list.name
        existing = erp_cost_code_list()
        return existing.name if existing is not None else ERP_LIST_NAME

    # --- import ----------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.actor = self.actor or kwargs.get("user")
        self._codes = {
            (code.cost_code_list_id, code.code): code
            for code in StandardCostCode.objects.select_related("cost_code_list")
        }
        self._default_name_for_keys = self.default_list_name().lower()
        self._code_rows = self._rows_by_list_and_code(dataset)

    def _list_key(self, value) -> object:
        """Which list a row's ``cost_code_list`` cell means, so duplicates are found across spellings."""
        name = cell_text(value).lower()
        if not name or name == self._default_name_for_keys:
            return "default"
        found = self.lists_by_name().get(name)
        return found.pk if found is not None else f"unknown:{name}"

    def _rows_by_list_and_code(self, dataset) -> dict[tuple[object, str], list[int]]:
        headers = dataset.headers
        code_index = headers.index("code")
        list_index = headers.index("cost_code_list") if "cost_code_list" in headers else None
        seen: dict[tuple[object, str], list[int]] = {}
        for number, values in enumerate(dataset, 1):
            code = cell_text(values[code_index])
            if code:
                key = self._list_key(values[list_index] if list_index is not None else "")
                seen.setdefault((key, code), []).append(number)
        return seen

    def get_instance(self, instance_loader, row):
        try:
            cost_code_list = self.fields["cost_code_list"].clean(row) if "cost_code_list" in row else self.default_list()
        except ValueError:
            return None  # reported against the column by import_instance()
        found = self._codes.get((cost_code_list.pk, self.fields["code"].clean(row)))
        return copy(found) if found else None

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        if "cost_code_list" not in (row or {}):
            instance.cost_code_list = self.default_list()
        return instance

    def _values(self, instance, row) -> dict:
        values = {"code": instance.code, "description": instance.description}
        if "division" in row and (instance.pk is not None or instance.division):
            values["division"] = instance.division
        if "is_active" in row:
            values["is_active"] = instance.is_active
        return values

    def row_errors(self, instance, row, *, parse_errors, row_number=None, **kwargs) -> ErrorDict:
        if instance.cost_code_list_id is None:
            return {}
        widget: CostTypeCodesWidget = self.fields["default_cost_types"].widget
        values = self._values(instance, row)
        if "default_cost_types" in row:
            values["default_cost_types"] = split_codes(row["default_cost_types"])
        errors = standard_cost_code_row_errors(
            values, cost_code_list=instance.cost_code_list, cost_types_by_code=widget.by_code()
        )
        if "default_cost_types" in row and "default_cost_types" not in errors:
            chosen = [widget.by_code()[code] for code in values["default_cost_types"]]
            errors = merge_errors(errors, standard_cost_code_default_cost_types_validate(cost_types=chosen))
        key = self._list_key(row.get("cost_code_list", ""))
        repeat = duplicate_in_file_message(
            column="code",
            value=instance.code,
            rows=self._code_rows.get((key, text(instance.code)), []),
            row_number=row_number,
        )
        if repeat:
            add_error(errors, "code", repeat)
        return {field: messages for field, messages in errors.items() if field not in parse_errors}

    def do_instance_save(self, instance, is_create):
        standard_cost_codes_upsert(
            cost_code_list=instance.cost_code_list, rows=[self._values(instance, self._row)], actor=self.actor
        )
        if is_create:
            instance.pk = StandardCostCode.objects.values_list("pk", flat=True).get(
                cost_code_list=instance.cost_code_list, code=instance.code
            )
            instance._state.adding = False

    def save_instance(self, instance, is_create, row, **kwargs):
        self._row = row
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        """Default cost types go through their service (R31), not a direct ``set()``."""
        if "default_cost_types" not in row or (kwargs.get("dry_run") and not kwargs.get("using_transactions")):
            return
        cost_types = self.fields["default_cost_types"].clean(row)
        try:
            standard_cost_code_set_default_cost_types(
                standard_cost_code=instance, cost_types=cost_types, actor=self.actor
            )
        except ApplicationError as exc:
            raise row_validation_error(exc) from exc
