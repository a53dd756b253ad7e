"""A unique key the database refused, read back as "which field, which value" for a 400 on that field.

Services check unique keys before they write, with their own messages; two requests at the same
moment can both pass that check, and the database's unique constraint then refuses the second. That
refusal (``IntegrityError``) is turned into the same kind of answer here, once for every resource:
PostgreSQL names the table, columns and values (``Key (project_id, code)=(5, BLDG) already exists.``),
SQLite the table and columns (``UNIQUE constraint failed: projects_subjob.project_id, projects_subjob.code``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models

_PG_DETAIL = re.compile(r"Key \((?P<columns>.+?)\)=\((?P<values>.*)\) already exists")
_SQLITE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


@dataclass(frozen=True)
class UniqueViolation:
    model: type[models.Model]
    field: str  # the field a person entered (not the parent it is unique within)
    value: str | None
    within: tuple[str, ...]  # verbose names of the parents it is unique within ("project")

    @property
    def message(self) -> str:
        noun = self.model._meta.verbose_name
        label = self.model._meta.get_field(self.field).verbose_name
        value = f" {self.value}" if self.value not in (None, "") else ""
        where = "".join(f" on this {parent}" for parent in self.within)
        return f"A {noun} with {label}{value} already exists{where}. Choose another {label}."


def _model_of_table(table: str) -> type[models.Model] | None:
    return next((model for model in apps.get_models() if model._meta.db_table == table), None)


def _field_of_column(model, column: str):
    return next((field for field in model._meta.concrete_fields if field.column == column), None)


def _columns_and_values(error: IntegrityError) -> tuple[str | None, list[str], list[str] | None] | None:
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        if getattr(cause, "sqlstate", None) != "23505":
            return None
        match = _PG_DETAIL.search(diag.message_detail or "")
        if not match:
            return None
        columns = [column.strip().strip('"') for column in match["columns"].split(",")]
        values = [value.strip() for value in match["values"].split(",")]
        return diag.table_name, columns, values if len(values) == len(columns) else None
    match = _SQLITE.search(str(error))
    if not match:
        return None
    qualified = [name.strip() for name in match["columns"].split(",")]
    if not all("." in name for name in qualified):
        return None
    tables = {name.split(".", 1)[0] for name in qualified}
    if len(tables) != 1:
        return None
    return tables.pop(), [name.split(".", 1)[1] for name in qualified], None


def unique_violation(error: IntegrityError, data: Mapping | None = None) -> UniqueViolation | None:
    """What ``error`` says about a unique key, or None when it is not a unique key of a known model."""
    found = _columns_and_values(error)
    if found is None:
        return None
    table, columns, values = found
    model = _model_of_table(table) if table else None
    if model is None:
        return None
    fields = [_field_of_column(model, column) for column in columns]
    if any(field is None for field in fields):
        return None
    entered = [index for index, field in enumerate(fields) if not field.is_relation] or [len(fields) - 1]
    index = entered[-1]
    field = fields[index]
    value = values[index] if values else None
    if value is None and data is not None and isinstance(data.get(field.name), str | int):
        value = str(data.get(field.name))
    within = tuple(str(other.verbose_name) for position, other in enumerate(fields) if position != index)
    return UniqueViolation(model=model, field=field.name, value=value, within=within)
