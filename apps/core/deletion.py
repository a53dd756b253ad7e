"""Deleting a row that other rows still need: a refusal that says what holds it, never a 500.

A ``PROTECT`` foreign key from an app further up (a budget line on a project cost type, say) makes Django
raise ``ProtectedError`` before anything is deleted. ``delete_or_refuse`` turns that into a ``Conflict``
naming what holds the row, so the lower app needs no knowledge of the apps built on it.
"""

from __future__ import annotations

from django.db.models import ProtectedError

from apps.core.exceptions import Conflict

SHOWN = 3


def delete_or_refuse(obj, *, label: str) -> None:
    """Delete ``obj``, or refuse with "<label> cannot be removed: 2 budget lines use it (…). …"."""
    try:
        obj.delete()
    except ProtectedError as error:
        holders = list(error.protected_objects)
        meta = holders[0]._meta
        kind = meta.verbose_name if len(holders) == 1 else meta.verbose_name_plural
        names = ", ".join(str(holder) for holder in holders[:SHOWN])
        more = f" and {len(holders) - SHOWN} more" if len(holders) > SHOWN else ""
        raise Conflict(
            f"{label} cannot be removed: {len(holders)} {kind} {'uses' if len(holders) == 1 else 'use'} it "
            f"({names}{more}). Remove or change those first.",
            code="still_in_use",
        ) from None
