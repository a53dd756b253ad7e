"""The door every API request to the embedded Sage passes: the hourly request limit and injected faults.

A real bridge (hh2) answers some requests with a rate-limit error, some slowly, and some with a
timeout — occasionally *after* Sage has already saved the record, which is the case that makes
Trestle look for its own earlier writes before writing again. ``sage_call`` reproduces all of it
from the dials on ``SageCompany``.

The bookkeeping is kept off the hot path: each process counts its requests in memory and adds
them to its own shard of the hour's counter every ``FLUSH_EVERY`` requests — and at every request
once the hour's total comes within ``EXACT_MARGIN`` of the limit, so the limit itself is exact.
The company's dials are read at most once a second per process.

Work done at the Sage desktop (the admin's "Sage 300 CRE" section, where a person plays the
accountant) does not go through the API bridge, so ``at_sage_desktop()`` exempts it.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone

from apps.sage300.company import get_company, sage_company_configure
from apps.sage300.errors import SageError
from apps.sage300.models import SageApiUsage, SageCompany
from apps.sage300.routers import SAGE_ALIAS

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

BEFORE_WRITE = "before_write"
AFTER_COMMIT = "after_commit"

_at_desktop: ContextVar[bool] = ContextVar("sage300_at_desktop", default=False)

# One generator per seed and process: with a seed set, a process sees the same sequence of faults.
_seeded_generators: dict[int, random.Random] = {}
_generators_lock = threading.Lock()
_unseeded = random.Random()


@contextmanager
def at_sage_desktop() -> Iterator[None]:
    """Calls made inside are the accountant's own work in Sage: no request limit, no faults."""
    token = _at_desktop.set(True)
    try:
        yield
    finally:
        _at_desktop.reset(token)


def current_hour() -> datetime.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0)


SHARDS = 16
# Requests a process counts in memory before adding them to its shard (1: every request is written at once,
# for exact counts in benchmarks).
FLUSH_EVERY = max(1, int(os.environ.get("SAGE_REQUEST_FLUSH_EVERY", "25")))
EXACT_MARGIN = 100
COMPANY_TTL = 1.0  # seconds


class _Tally:
    """This process's requests of the current hour that are not yet in the database."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hour: datetime.datetime | None = None
        self.pending = 0
        self.known_total = 0  # the hour's total as last read from the database


_tally = _Tally()


def _shard() -> int:
    return (os.getpid() * 31 + threading.get_ident()) % SHARDS


def _flush(hour: datetime.datetime, count: int) -> int:
    """Add ``count`` requests to this process's shard of ``hour``; the hour's total after it."""
    usage = SageApiUsage._meta.db_table
    connection = transaction.get_connection(SAGE_ALIAS)
    with transaction.atomic(using=SAGE_ALIAS), connection.cursor() as cursor:
        if count:
            cursor.execute(
                f'INSERT INTO "{usage}" ("Hour_Start", "Shard", "Request_Count") VALUES (%s, %s, %s) '
                f'ON CONFLICT ("Hour_Start", "Shard") DO UPDATE SET "Request_Count" = "{usage}"."Request_Count" + '
                f'EXCLUDED."Request_Count"',
                [connection.ops.adapt_datetimefield_value(hour), _shard(), count],
            )
        cursor.execute(f'SELECT COALESCE(SUM("Request_Count"), 0) FROM "{usage}" WHERE "Hour_Start" = %s',
                       [connection.ops.adapt_datetimefield_value(hour)])
        return int(cursor.fetchone()[0])


def _admit_request(limit: int) -> bool:
    """Count this request against the current hour; whether it is within the hourly limit."""
    hour = current_hour()
    with _tally.lock:
        if _tally.hour != hour:
            _tally.hour, _tally.pending, _tally.known_total = hour, 0, 0
        near_limit = limit - (_tally.known_total + _tally.pending) <= EXACT_MARGIN
        _tally.pending += 1
        if not near_limit and _tally.pending < FLUSH_EVERY:
            return True
        count, _tally.pending = _tally.pending, 0
    total = _flush(hour, count)
    with _tally.lock:
        if _tally.hour == hour:
            _tally.known_total = total
    return total <= limit if near_limit else True


def forget_request_tally() -> None:
    """Drop this process's unwritten request count (a new process starts without one)."""
    with _tally.lock:
        _tally.hour, _tally.pending, _tally.known_total = None, 0, 0


def request_counts_flush() -> int:
    """Write this process's pending request count; the current hour's total (for tests and the admin)."""
    hour = current_hour()
    with _tally.lock:
        count = _tally.pending if _tally.hour == hour else 0
        _tally.pending = 0
    return _flush(hour, count)


_company_cache: tuple[float, SageCompany] | None = None


def _company_for_request() -> SageCompany:
    """The company's dials, read at most once a second per process."""
    global _company_cache
    now = time.monotonic()
    if _company_cache is None or now - _company_cache[0] > COMPANY_TTL:
        _company_cache = (now, get_company())
    return _company_cache[1]


def forget_company_dials() -> None:
    global _company_cache
    _company_cache = None


def _generator(seed: int | None) -> random.Random:
    if seed is None:
        return _unseeded
    with _generators_lock:
        return _seeded_generators.setdefault(seed, random.Random(seed))


def reset_fault_sequence() -> None:
    """Start every seeded fault sequence again from its beginning (in this process)."""
    with _generators_lock:
        _seeded_generators.clear()


def draw_fault(company: SageCompany) -> str | None:
    """``None``, ``BEFORE_WRITE`` or ``AFTER_COMMIT`` for one request."""
    if company.fault_failure_rate <= 0:
        return None
    generator = _generator(company.fault_seed)
    if Decimal(str(generator.random())) >= company.fault_failure_rate:
        return None
    return AFTER_COMMIT if Decimal(str(generator.random())) < company.fault_after_commit_share else BEFORE_WRITE


def sage_call(operation: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a public service or connector read: it becomes one API request to Sage."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def request(*args: P.args, **kwargs: P.kwargs) -> R:
            if _at_desktop.get():
                return function(*args, **kwargs)
            company = _company_for_request()
            if not _admit_request(company.hourly_request_limit):
                raise SageError("hourly_limit")
            fault = draw_fault(company)
            if company.fault_slow_ms:
                time.sleep(company.fault_slow_ms / 1000)
            if fault == BEFORE_WRITE:
                logger.info("Injected fault before %s: nothing written.", operation)
                raise SageError("import_timeout")
            result = function(*args, **kwargs)
            if fault == AFTER_COMMIT:
                # The write has committed and stays; only the answer is lost on the way back.
                logger.info("Injected fault after %s committed.", operation)
                raise SageError("import_timeout")
            return result

        request.sage_operation = operation  # type: ignore[attr-defined]
        return request

    return decorate


@contextmanager
def injected_faults(
    *,
    failure_rate: Decimal | str | int = 1,
    after_commit_share: Decimal | str | int = 0,
    slow_ms: int = 0,
    seed: int | None = None,
    hourly_request_limit: int | None = None,
) -> Iterator[SageCompany]:
    """Turn faults on for the block (tests, soak runs), then put the company's dials back."""
    company = get_company()
    saved = {
        "fault_failure_rate": company.fault_failure_rate,
        "fault_after_commit_share": company.fault_after_commit_share,
        "fault_slow_ms": company.fault_slow_ms,
        "fault_seed": company.fault_seed,
        "hourly_request_limit": company.hourly_request_limit,
    }
    reset_fault_sequence()
    forget_company_dials()
    configured = sage_company_configure(
        fault_failure_rate=Decimal(str(failure_rate)),
        fault_after_commit_share=Decimal(str(after_commit_share)),
        fault_slow_ms=slow_ms,
        fault_seed=seed,
        hourly_request_limit=company.hourly_request_limit if hourly_request_limit is None else hourly_request_limit,
    )
    try:
        yield configured
    finally:
        sage_company_configure(**saved)
        reset_fault_sequence()
        forget_company_dials()
