"""What every API viewset shares that knows nothing of access or domains: ids and id filters."""

from __future__ import annotations

import re

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # a bigint; larger numbers are not ids (and would overflow SQLite)
_ID = re.compile(r"[1-9][0-9]{0,18}")  # ASCII digits only: str.isdigit() and int() also accept "²", "①", "١"


def parse_id(value: object) -> int | None:
    """A row id from a URL or a form (ASCII digits, 1 … MAX_ID), or None for anything else."""
    text = str(value) if value is not None else ""
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """Filter by a related row's id: a bounded integer, and no way to learn whether another project's row exists."""

    field_class = IdField
