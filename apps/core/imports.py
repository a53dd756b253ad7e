"""CSV/XLSX import and export plumbing shared by the admin and the management commands.

An import is **all or nothing**: it runs in one transaction that is rolled back when any row is
invalid or fails (``ALL_OR_NOTHING``), and every problem is reported as an ``ImportProblem``
``(row, field, message)``.

Row numbers count **data rows from 1; the header row is not counted**. "Row 3" is the third
data row, which a spreadsheet shows on line 4 (``ImportProblem.line``). This is also the number
django-import-export's own preview shows. Problems with the whole file (a missing or unknown
column, an unreadable file) have ``row=None``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import tablib
from tablib import InvalidDimensions
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError
from import_export import widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import Result, RowResult

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.validation import ErrorDict, RowsInvalid, add_error, merge_errors

ROW_NUMBERING = "Row N is the N-th data row, not counting the header row (a spreadsheet shows it on line N + 1)."
FILE_FIELD = "file"
ROW_FIELD = "row"

# import_data() keyword arguments that make an import all or nothing.
ALL_OR_NOTHING = {"raise_errors": False, "use_transactions": True, "rollback_on_validation_errors": True}


class ImportFileError(ApplicationError):
    """The file cannot be read as the format it claims to be."""

    default_code = "unreadable_file"


class StrictCSV(CSV):
    """CSV whose reading error names the row with more values than the header has columns
    (tablib only says "InvalidDimensions"). Short rows are padded, as a spreadsheet would."""

    def create_dataset(self, in_stream, **kwargs):
        try:
            return super().create_dataset(in_stream, **kwargs)
        except InvalidDimensions as exc:
            text_data = in_stream.decode(self.encoding or "utf-8") if isinstance(in_stream, bytes) else in_stream
            rows = list(csv.reader(io.StringIO(text_data)))
            width = len(rows[0])
            for number, row in enumerate(rows[1:], 1):
                if len(row) > width:
                    raise ImportFileError(
                        f"Row {number} has {len(row)} values but the header has {width} columns; "
                        "remove the extra values or name their column.",
                        field=FILE_FIELD,
                    ) from exc
            raise


FILE_FORMATS = {"csv": StrictCSV, "xlsx": XLSX}
ADMIN_FORMATS = [StrictCSV, XLSX]


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # 1-based data row; None when the problem is with the whole file
    field: str  # the column, or "file" / "row" when no single column is at fault
    message: str

    @property
    def line(self) -> int | None:
        """The spreadsheet line (the header is line 1)."""
        return None if self.row is None else self.row + 1

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return f"{where}, {self.field}: {self.message}"


@dataclass
class ImportOutcome:
    result: Result
    problems: list[ImportProblem]
    dry_run: bool
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return self.totals.get(RowResult.IMPORT_TYPE_NEW, 0)

    @property
    def updated(self) -> int:
        return self.totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)

    @property
    def unchanged(self) -> int:
        return self.totals.get(RowResult.IMPORT_TYPE_SKIP, 0)


# --- reading and writing files ----------------------------------------------------------


def file_format_for(path: str | Path, explicit: str | None = None) -> str:
    """``csv`` or ``xlsx``: the explicit choice, else the file's extension."""
    name = (explicit or Path(path).suffix.lstrip(".")).lower()
    if name not in FILE_FORMATS:
        raise ImportFileError(
            f"Cannot tell the format of {Path(path).name!r}; use a .csv or .xlsx file or pass --format csv|xlsx.",
            field=FILE_FIELD,
        )
    return name


def read_dataset(*, data: bytes, file_format: str) -> tablib.Dataset:
    """Parse an uploaded/read file into a dataset (CSV as UTF-8, with or without a BOM)."""
    format_class = FILE_FORMATS[file_format]
    try:
        if file_format == "csv":
            return format_class(encoding="utf-8-sig").create_dataset(data.decode("utf-8-sig"))
        return format_class().create_dataset(data)
    except ImportFileError:
        raise
    except UnicodeDecodeError as exc:
        raise ImportFileError("The CSV file is not UTF-8 text; save it as 'CSV UTF-8' and try again.") from exc
    except Exception as exc:  # noqa: BLE001 - tablib/openpyxl raise many types for a bad file
        raise ImportFileError(
            f"The file could not be read as {file_format.upper()} ({type(exc).__name__}); "
            "check that it is a real .csv or .xlsx file with a header row."
        ) from exc


def export_data(*, resource, queryset, file_format: str) -> bytes:
    """The queryset rendered by ``resource`` as CSV (UTF-8) or XLSX bytes."""
    format_instance = FILE_FORMATS[file_format]()
    dataset = resource.export(queryset=queryset, force_native_type=format_instance.is_binary())
    data = format_instance.export_data(dataset)
    return data if isinstance(data, bytes) else data.encode("utf-8")


# --- running an import and reporting its problems --------------------------------------


def run_import(*, resource, dataset: tablib.Dataset, dry_run: bool = False, user=None, **kwargs: Any) -> ImportOutcome:
    """Import ``dataset`` all or nothing; with ``dry_run`` nothing is kept even when it is clean."""
    result = resource.import_data(dataset, dry_run=dry_run, user=user, **ALL_OR_NOTHING, **kwargs)
    return ImportOutcome(
        result=result,
        problems=import_problems(result=result, resource=resource),
        dry_run=dry_run,
        totals=dict(result.totals),
    )


def import_problems(*, result: Result, resource=None) -> list[ImportProblem]:
    """Every problem in ``result``, file-level first, then by row number."""
    columns = _columns_by_attribute(resource)
    problems: list[ImportProblem] = []
    for error in result.base_errors:
        problems.extend(_problems_from_exception(error.error, row=None, columns=columns))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = ROW_FIELD if attribute == NON_FIELD_ERRORS else columns.get(attribute, attribute)
            problems.extend(ImportProblem(invalid.number, column, str(message)) for message in messages)
    for error_row in result.error_rows:
        for error in error_row.errors:
            problems.extend(_problems_from_exception(error.error, row=error_row.number, columns=columns))
    order = {column: index for index, column in enumerate(columns.values())}
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0, order.get(p.field, len(order))))


def problems_table(problems: Iterable[ImportProblem]) -> str:
    """A plain-text table for the terminal: Row | Line | Column | Problem."""
    rows = [("Row", "Line", "Column", "Problem")]
    rows += [
        ("file" if p.row is None else str(p.row), "" if p.line is None else str(p.line), p.field, p.message)
        for p in problems
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows]
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    return "\n".join(lines)


def _columns_by_attribute(resource) -> dict[str, str]:
    """Attribute → column, in the resource's column order."""
    if resource is None:
        return {}
    return {f.attribute: f.column_name for f in resource.get_import_fields() if f.attribute and f.column_name}


def _problems_from_exception(exc: BaseException, *, row: int | None, columns: Mapping[str, str]) -> list[ImportProblem]:
    if isinstance(exc, ValidationFailed):
        return [
            ImportProblem(row, columns.get(name, name), message)
            for name, messages in exc.errors.items()
            for message in messages
        ]
    if isinstance(exc, ApplicationError):
        field_name = exc.field or (FILE_FIELD if row is None else ROW_FIELD)
        return [ImportProblem(row, columns.get(field_name, field_name), exc.message)]
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        return [
            ImportProblem(row, ROW_FIELD if name == NON_FIELD_ERRORS else columns.get(name, name), message)
            for name, messages in errors.items()
            for message in messages
        ]
    where = FILE_FIELD if row is None else ROW_FIELD
    if isinstance(exc, DatabaseError):
        return [ImportProblem(row, where, f"The database refused this row: {exc}")]
    return [ImportProblem(row, where, f"{type(exc).__name__}: {exc}")]


# --- widgets ----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A CSV or XLSX cell as trimmed text. Spreadsheet numbers lose a meaningless ``.0`` (ZIP 60601.0 → 60601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    """Trimmed text; with ``blank_as_none`` an empty cell means "no value" (for nullable unique ids)."""

    def __init__(self, *, blank_as_none: bool = False, **kwargs):
        super().__init__(allow_blank=not blank_as_none, **kwargs)
        self.blank_as_none = blank_as_none

    def clean(self, value, row=None, **kwargs):
        cleaned = cell_text(value)
        if not cleaned and self.blank_as_none:
            return None
        return cleaned

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class StrictBooleanWidget(widgets.Widget):
    """Yes/no cells: TRUE/FALSE, yes/no, y/n, 1/0 (any case). Anything else is an error, never a silent False.

    An empty cell returns ``None``; with ``Field(saves_null_values=False)`` it leaves the value as it is.
    """

    TRUE = {"true", "yes", "y", "1", "t"}
    FALSE = {"false", "no", "n", "0", "f"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        cleaned = cell_text(value).lower()
        if not cleaned:
            return None
        if cleaned in self.TRUE:
            return True
        if cleaned in self.FALSE:
            return False
        raise ValueError(f"{cell_text(value)!r} is not a yes/no value; use TRUE or FALSE.")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "TRUE" if value else "FALSE"


def split_codes(value: Any) -> list[str]:
    """``"L,M"`` / ``"L; M"`` → ``["L", "M"]`` (order kept, repeats dropped)."""
    codes: list[str] = []
    for part in cell_text(value).replace(";", ",").split(","):
        code = part.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


# --- resources --------------------------------------------------------------------------


class AllOrNothingResourceMixin:
    """Strict files for ``ModelResource`` subclasses.

    * the header is checked first: required columns present, no unknown or repeated columns
      (header names are trimmed and lower-cased); a bad header stops every row;
    * completely blank lines are skipped (their numbers still count);
    * ``row_errors()`` adds each resource's own checks to the widgets' parsing errors, so a row
      reports all its problems at once;
    * a service's ``ApplicationError`` at save time becomes a validation error of that row.
    """

    required_columns: tuple[str, ...] = ()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._header_invalid = False
        errors = self._header_errors(dataset)
        if errors:
            self._header_invalid = True
            raise ValidationFailed(errors)
        if len(dataset) == 0:
            self._header_invalid = True
            raise ValidationFailed({FILE_FIELD: "The file has a header row but no data rows."})

    def _header_errors(self, dataset) -> ErrorDict:
        known = [f.column_name for f in self.get_import_fields()]
        headers: list[str] = []
        errors: ErrorDict = {}
        for index, raw in enumerate(dataset.headers or [], 1):
            header = cell_text(raw).lower()
            if not header:
                column_values = [row[index - 1] for row in dataset]
                if any(cell_text(v) for v in column_values):
                    add_error(errors, FILE_FIELD, f"Column {index} has values but no header; name it or delete it.")
                header = f"__unnamed_{index}"
            elif header not in known:
                add_error(
                    errors, header, f"Unknown column {header!r}; the columns are: {', '.join(known)}."
                )
            elif header in headers:
                add_error(errors, header, f"Column {header!r} appears more than once in the header.")
            headers.append(header)
        for column in self.required_columns:
            if column not in headers:
                add_error(errors, column, f"Required column {column!r} is missing from the header row.")
        if not errors:
            dataset.headers = headers
        return errors

    def import_row(self, row, instance_loader, **kwargs):
        if getattr(self, "_header_invalid", False) or not any(cell_text(value) for value in row.values()):
            # Not imported and not counted (a blank line, or any line of a file whose header is wrong).
            return self.get_row_result_class()()
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors: ErrorDict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = {name: list(messages) for name, messages in exc.message_dict.items()}
        errors = merge_errors(errors, self.row_errors(instance, row, parse_errors=errors, **kwargs))
        if errors:
            raise ValidationError(errors)

    def row_errors(self, instance, row, *, parse_errors: ErrorDict, **kwargs) -> ErrorDict:
        """Problems of one row beyond parsing (a resource's own rules). Override."""
        return {}

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            super().save_instance(instance, is_create, row, **kwargs)
        except ApplicationError as exc:
            raise row_validation_error(exc) from exc

    def save_m2m(self, instance, row, **kwargs):
        try:
            super().save_m2m(instance, row, **kwargs)
        except ApplicationError as exc:
            raise row_validation_error(exc) from exc

    # Helpers for subclasses -------------------------------------------------------------

    def present_columns(self, row) -> set[str]:
        return {name for name in row if not name.startswith("__unnamed_")}

    @staticmethod
    def first_rows(dataset, column: str, key=None) -> dict[str, list[int]]:
        """Value of ``column`` → the data rows it appears on (blank values ignored)."""
        if column not in (dataset.headers or []):
            return {}
        index = dataset.headers.index(column)
        seen: dict[str, list[int]] = {}
        for number, values in enumerate(dataset, 1):
            value = cell_text(values[index])
            if value:
                seen.setdefault(key(value) if key else value, []).append(number)
        return seen


def row_validation_error(exc: ApplicationError) -> ValidationError:
    """A service's refusal of one row, keyed by field (a one-row bulk write's "Row 1:" prefix dropped)."""
    if isinstance(exc, RowsInvalid) and len(exc.row_errors) == 1:
        return ValidationError(next(iter(exc.row_errors.values())))
    if isinstance(exc, ValidationFailed):
        return ValidationError(exc.errors)
    return ValidationError({exc.field or NON_FIELD_ERRORS: [exc.message]})


def duplicate_in_file_message(*, column: str, value: str, rows: list[int], row_number: int | None) -> str | None:
    """The message for a repeat of ``value`` (``rows``: every data row it is on), or ``None`` on its first row."""
    if len(rows) < 2 or row_number is None or row_number == rows[0]:
        return None
    return f"{column} {value!r} already appears on row {rows[0]} of this file; each {column} may appear only once."
