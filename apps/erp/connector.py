"""The boundary between Trestle and an ERP.

Hub code never imports an ERP's own models; it asks ``get_connector()`` for an object that
satisfies ``ErpConnector``. The Sage 300 CRE connector (``apps.sage300.connector``) is the one
shipped; another ERP is another connector named by ``settings.TRESTLE_ERP_CONNECTOR``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class FieldLimit:
    """A length limit the ERP imposes on one field, with the ERP's own label for the field."""

    max_length: int
    erp_label: str

    def message(self) -> str:
        # Sage's wording: "[Name] is too long, maximum length is 30 characters."
        return f"[{self.erp_label}] is too long, maximum length is {self.max_length} characters."


@dataclass(frozen=True)
class ConnectorLimits:
    """Field limits per record type, checked at *Send to ERP* and on import (DESIGN §4)."""

    job: dict[str, FieldLimit] = field(default_factory=dict)
    sub_job: dict[str, FieldLimit] = field(default_factory=dict)
    vendor: dict[str, FieldLimit] = field(default_factory=dict)
    cost_code: dict[str, FieldLimit] = field(default_factory=dict)
    cost_type: dict[str, FieldLimit] = field(default_factory=dict)
    commitment: dict[str, FieldLimit] = field(default_factory=dict)
    commitment_change_order: dict[str, FieldLimit] = field(default_factory=dict)
    prime_contract_change_order: dict[str, FieldLimit] = field(default_factory=dict)
    invoice: dict[str, FieldLimit] = field(default_factory=dict)

    def violations(self, record_type: str, values: dict[str, object]) -> dict[str, str]:
        """Map each field of ``values`` that breaks a limit to the ERP's message for it."""
        limits: dict[str, FieldLimit] = getattr(self, record_type)
        problems = {}
        for name, limit in limits.items():
            value = values.get(name)
            if value is not None and len(str(value)) > limit.max_length:
                problems[name] = limit.message()
        return problems


@runtime_checkable
class ErpConnector(Protocol):
    name: str
    limits: ConnectorLimits


@lru_cache(maxsize=1)
def get_connector() -> ErpConnector:
    return import_string(settings.TRESTLE_ERP_CONNECTOR)()
