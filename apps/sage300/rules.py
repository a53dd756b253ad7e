"""Sage's field rules as small pure checks; each raises ``SageError`` with Sage's message.

Services and the admin's forms share them, so a person in the admin and the hub through the
connector hear exactly the same refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from apps.sage300.errors import SageError, too_long
from apps.sage300.limits import LABELS, ColumnLimit

# Custom Descriptions for cost codes in this company: 2 to 4 sections of letters/digits joined
# by "-" or "." (e.g. 01-100, 12-3456-789). Procore's connector does not support unsectioned codes.
COST_CODE_FORMAT = re.compile(r"^[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+){1,3}$")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")


def text(value: object) -> str:
    """Sage trims surrounding blanks from every text field."""
    return "" if value is None else str(value).strip()


def require(value: object, *, field: str, row: int | None = None) -> str:
    value = text(value)
    if not value:
        raise SageError("blank", field=field, row=row)
    return value


def check_length(value: str, limit: ColumnLimit, *, field: str, row: int | None = None) -> None:
    if len(value) > limit.max_length:
        raise too_long(limit, field=field, row=row, length=len(value))


def check_lengths(values: Mapping[str, object], limits: Mapping[str, ColumnLimit], *, row: int | None = None) -> None:
    """Check every field of ``values`` that has a limit, in the table's field order."""
    for field, limit in limits.items():
        if field in values:
            check_length(text(values[field]), limit, field=field, row=row)


def check_choice(value: str, choices: Iterable[str], *, field: str, row: int | None = None) -> None:
    if value not in set(choices):
        raise SageError("invalid_value", field=field, row=row, label=LABELS[field], value=value)


def check_cost_code_format(code: str, *, field: str = "cost_code", row: int | None = None) -> None:
    if not COST_CODE_FORMAT.match(code):
        raise SageError("cost_code_format", field=field, row=row, code=code)


def is_group_cost_code(code: str) -> bool:
    """Summary ("group") cost codes end in a section of zeros, e.g. 01-000."""
    last_section = re.split(r"[-.]", code)[-1]
    return set(last_section) == {"0"}


def normalized_job(job: str) -> str:
    """The job's code as Sage compares it: "24-101", "24.101" and "24101" are the same code."""
    return _NOT_ALPHANUMERIC.sub("", job).upper()


def check_amount(
    value: object, *, field: str, places: int = 2, max_digits: int = 14, row: int | None = None
) -> Decimal:
    """Parse an amount (Decimal, int or numeric string) that fits ``max_digits``.``places``."""
    if isinstance(value, float):
        # Floats cannot hold cents exactly; the caller passes strings or Decimals.
        raise SageError("invalid_value", field=field, row=row, label=LABELS[field], value=value)
    raw = text(value) if not isinstance(value, Decimal) else value
    if raw == "":
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(raw)
    except InvalidOperation:
        raise SageError("invalid_value", field=field, row=row, label=LABELS[field], value=raw) from None
    quantum = Decimal(1).scaleb(-places)
    # Refused rather than rounded: more decimals than the field holds, or more digits before the point.
    if (
        not amount.is_finite()
        or abs(amount) >= Decimal(10) ** (max_digits - places)
        or amount != amount.quantize(quantum)
    ):
        raise SageError("invalid_value", field=field, row=row, label=LABELS[field], value=raw)
    return amount.quantize(quantum)
