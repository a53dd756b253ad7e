"""What every API viewset shares that knows nothing of access or domains: ids and id filters."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # a bigint; larger numbers are not ids (and would overflow SQLite)


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """Filter by a related row's id: a bounded integer, and no way to learn whether another project's row exists."""

    field_class = IdField
