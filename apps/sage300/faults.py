"""The door every API request to the embedded Sage passes: the hourly request limit and injected faults.

A real bridge (hh2) answers some requests with a rate-limit error, some slowly, and some with a
timeout — occasionally *after* Sage has already saved the record, which is the case that makes
idempotency keys necessary. ``sage_call`` reproduces all of it from the dials on ``SageCompany``.

Work done at the Sage desktop (the admin's "Sage 300 CRE" section, where a person plays the
accountant) does not go through the API bridge, so ``at_sage_desktop()`` exempts it.
"""

from __future__ import annotations

import datetime
import functools
import logging
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


def _admit_request() -> int:
    """Count this request against the current hour; the count after it."""
    with transaction.atomic(using=SAGE_ALIAS):
        usage, _ = SageApiUsage.objects.select_for_update().get_or_create(hour_start=current_hour())
        usage.request_count += 1
        usage.save(update_fields=["request_count"])
    return usage.request_count


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
            company = get_company()
            if _admit_request() > company.hourly_request_limit:
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
