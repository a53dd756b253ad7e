"""Lookups and guards shared by the services: find and lock a job or vendor, refuse closed or inactive ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from apps.sage300.errors import SageError, not_found_in_where_clause
from apps.sage300.models import Job, Vendor
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import text


def locked(queryset: QuerySet) -> QuerySet:
    """Lock the rows when inside a transaction; validators also run outside one, where locks are pointless."""
    return queryset.select_for_update() if transaction.get_connection(SAGE_ALIAS).in_atomic_block else queryset


R = TypeVar("R")
T = TypeVar("T")


def atomic_write(write: Callable[[], R]) -> R:
    """Run a check-then-write in one Sage transaction, all or nothing.

    A concurrent request that takes the same id between our checks and our insert makes the insert
    fail on Sage's unique key; one more pass then answers with Sage's own message for the duplicate
    ("A job already exists with the specified id."), as Sage does.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic(using=SAGE_ALIAS):
                return write()
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def each_atomic(items: Sequence[T], write: Callable[[T], R], revalidate: Callable[[T], object]) -> list[R | SageError]:
    """Write many records in one Sage transaction, each all or nothing on its own (a savepoint each): the
    answer for every record, or Sage's refusal of it. ``revalidate`` gives Sage's words for a record that lost
    a race for its id (a unique key failed after the checks passed)."""
    answers: list = []
    with transaction.atomic(using=SAGE_ALIAS):
        for item in items:
            try:
                with transaction.atomic(using=SAGE_ALIAS):
                    answers.append(write(item))
            except SageError as error:
                answers.append(error)
            except IntegrityError:
                try:
                    revalidate(item)
                except SageError as error:
                    answers.append(error)
                else:
                    raise
    return answers


class _Unchanged:
    """Default of an update service's optional arguments: "leave this field as it is"."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def given(**values: object) -> dict[str, object]:
    """The arguments a caller actually passed to an update service."""
    return {name: value for name, value in values.items() if value is not UNCHANGED}


def lock_job(job: str, *, referenced: bool = False, field: str = "job") -> Job:
    """The job, locked until the transaction ends, so it cannot close under a write.

    A job addressed by id (update, close) that is missing is "Entity with this ID not found.";
    one referenced by another record (an extra, a cost code) fails Sage's where clause.
    """
    found = locked(Job.objects.filter(job=text(job))).first()
    if found is None:
        if referenced:
            raise not_found_in_where_clause("Job", field=field)
        raise SageError("entity_not_found", field=field, entity="Job", entity_id=text(job))
    return found


def assert_job_writable(job: Job) -> None:
    """Sage refuses every write under a closed job (R194)."""
    if job.is_closed:
        raise SageError("job_closed", field="job", job=job.job)


def lock_vendor(vendor: str, *, referenced: bool = False, field: str = "vendor") -> Vendor:
    found = locked(Vendor.objects.filter(vendor=text(vendor))).first()
    if found is None:
        if referenced:
            raise not_found_in_where_clause("Vendor", field=field)
        raise SageError("entity_not_found", field=field, entity="Vendor", entity_id=text(vendor))
    return found


def assert_vendor_active(vendor: Vendor) -> None:
    """Sage refuses documents and changes for an inactive (archived) vendor (R200)."""
    if vendor.inactive:
        raise SageError("vendor_inactive", field="vendor", vendor=vendor.vendor)
