"""The Job Cost import file: one ``Job`` record, its ``CostCode`` records and their ``Category`` records.

This is the file a real install imports through Job Cost → Tools → Import (the seed: "a Job
Cost import file containing 3 types of records"). Sage's general import rules apply (Sage KB
224924350057997): comma-separated fields, CR/LF line ends, the record type in column 1, text
fields quoted, numbers bare with a decimal point and no thousands separators; a line ending in
``,+`` continues on the next line. Sage does not publish the column order of these records
(reference/sage300.md §9.8), so ``LAYOUTS`` is Trestle's own, versioned as ``LAYOUT_VERSION``;
an embedded double quote is doubled, as in CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from typing import Union

from apps.sage300.errors import SageError
from apps.sage300.rules import check_amount, text

LAYOUT_VERSION = "trestle-jc-import-1"
LINE_END = "\r\n"
CONTINUATION = ",+"


@dataclass(frozen=True)
class JobImportRecord:
    job: str
    description: str
    status: str = "Unstarted"
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    billing_method: str = "Contracts"
    billing_level: str = ""
    uses_extras: bool = False
    original_contract_amount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class CostCodeImportRecord:
    job: str
    cost_code: str
    description: str = ""
    extra: str = ""


@dataclass(frozen=True)
class CategoryImportRecord:
    job: str
    cost_code: str
    category: str
    description: str = ""
    extra: str = ""
    original_estimate: Decimal = Decimal("0.00")
    original_estimate_units: Decimal = Decimal("0.0000")
    cost_unit_description: str = ""


ImportRecord = Union[JobImportRecord, CostCodeImportRecord, CategoryImportRecord]

# Column kinds: text is quoted; money (2 places) and units (4 places) are bare; flags are "Y"/"N".
TEXT, MONEY, UNITS, FLAG = "text", "money", "units", "flag"


@dataclass(frozen=True)
class Layout:
    record_type: str
    record_class: type
    columns: tuple[tuple[str, str], ...]  # (field name, kind), after the record type in column 1


LAYOUTS: dict[str, Layout] = {
    layout.record_type: layout
    for layout in (
        Layout(
            "Job",
            JobImportRecord,
            (
                ("job", TEXT),
                ("description", TEXT),
                ("status", TEXT),
                ("address_1", TEXT),
                ("address_2", TEXT),
                ("city", TEXT),
                ("state", TEXT),
                ("zip_code", TEXT),
                ("billing_method", TEXT),
                ("billing_level", TEXT),
                ("uses_extras", FLAG),
                ("original_contract_amount", MONEY),
            ),
        ),
        Layout(
            "CostCode",
            CostCodeImportRecord,
            (("job", TEXT), ("extra", TEXT), ("cost_code", TEXT), ("description", TEXT)),
        ),
        Layout(
            "Category",
            CategoryImportRecord,
            (
                ("job", TEXT),
                ("extra", TEXT),
                ("cost_code", TEXT),
                ("category", TEXT),
                ("description", TEXT),
                ("original_estimate", MONEY),
                ("original_estimate_units", UNITS),
                ("cost_unit_description", TEXT),
            ),
        ),
    )
}
_LAYOUT_BY_CLASS = {layout.record_class: layout for layout in LAYOUTS.values()}


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _render_value(value: object, kind: str) -> str:
    if kind == TEXT:
        return _quote(text(value))
    if kind == FLAG:
        return _quote("Y" if value else "N")
    places = 2 if kind == MONEY else 4
    return str(Decimal(value or 0).quantize(Decimal(1).scaleb(-places)))


def render_job_import_file(records: Iterable[ImportRecord]) -> str:
    """The import file for ``records``, one record per line, in the order given."""
    lines = []
    for record in records:
        layout = _LAYOUT_BY_CLASS[type(record)]
        values = [_quote(layout.record_type)]
        values += [_render_value(getattr(record, name), kind) for name, kind in layout.columns]
        lines.append(",".join(values))
    return "".join(line + LINE_END for line in lines)


def _logical_lines(content: str) -> list[tuple[int, str]]:
    """Join continuation lines; each logical line keeps the number of its first physical line."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, line in enumerate(content.splitlines(), start=1):
        if pending is not None:
            line = pending[1] + line
            number = pending[0]
            pending = None
        if line.rstrip().endswith(CONTINUATION):
            # Keep the comma, drop the "+": the next line's first field follows it.
            pending = (number, line.rstrip()[:-1])
            continue
        if line.strip():
            joined.append((number, line))
    if pending is not None and pending[1].strip():
        joined.append(pending)
    return joined


def _parse_value(raw: str, kind: str, *, field: str, row: int) -> object:
    if kind == TEXT:
        return raw.strip()
    if kind == FLAG:
        return raw.strip().upper() in {"Y", "YES", "1", "TRUE"}
    return check_amount(raw, field=field, places=2 if kind == MONEY else 4, row=row)


def parse_job_import_file(content: str) -> list[ImportRecord]:
    """The records of an import file; a malformed line raises ``SageError`` naming its line."""
    records: list[ImportRecord] = []
    for number, line in _logical_lines(content):
        values = next(csv.reader([line], skipinitialspace=True))
        record_type = values[0].strip()
        layout = LAYOUTS.get(record_type)
        if layout is None:
            raise SageError("unknown_record_type", row=number, record_type=record_type)
        cells = values[1:]
        if len(cells) > len(layout.columns):
            raise SageError(
                "too_many_fields",
                row=number,
                record_type=record_type,
                count=len(values),
                max_count=len(layout.columns) + 1,
            )
        # Trailing fields may be left off; blank and left-off fields take the record's defaults.
        cells += [""] * (len(layout.columns) - len(cells))
        defaults = {f.name: f.default for f in fields(layout.record_class) if f.default is not MISSING}
        arguments = {}
        for (name, kind), raw in zip(layout.columns, cells):
            if raw.strip() == "" and name in defaults:
                arguments[name] = defaults[name]
            else:
                arguments[name] = _parse_value(raw, kind, field=name, row=number)
        records.append(layout.record_class(**arguments))
    return records

