"""General Ledger periods: twelve calendar months per fiscal year, each open or closed."""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction

from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.models import GLPeriod, PeriodStatus
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.services.common import locked

PERIODS_PER_YEAR = 12
_FIRST_YEAR, _LAST_YEAR = 1900, 2999


def validate_fiscal_year(fiscal_year: int) -> int:
    if not isinstance(fiscal_year, int) or not _FIRST_YEAR <= fiscal_year <= _LAST_YEAR:
        raise SageError("invalid_value", field="fiscal_year", label="FiscalYear", value=fiscal_year)
    return fiscal_year


def period_dates(fiscal_year: int, period: int) -> tuple[datetime.date, datetime.date]:
    """The company's fiscal year is the calendar year: period n is month n."""
    last_day = calendar.monthrange(fiscal_year, period)[1]
    return datetime.date(fiscal_year, period, 1), datetime.date(fiscal_year, period, last_day)


@sage_call("gl_periods_ensure")
@transaction.atomic(using=SAGE_ALIAS)
def gl_periods_ensure(*, fiscal_year: int) -> list[GLPeriod]:
    """The year's twelve periods, creating (open) the ones missing; existing ones keep their status."""
    year = validate_fiscal_year(fiscal_year)
    existing = set(GLPeriod.objects.filter(fiscal_year=year).values_list("period", flat=True))
    missing = []
    for period in range(1, PERIODS_PER_YEAR + 1):
        if period not in existing:
            start, end = period_dates(year, period)
            missing.append(GLPeriod(fiscal_year=year, period=period, start_date=start, end_date=end))
    GLPeriod.objects.bulk_create(missing)
    return list(GLPeriod.objects.filter(fiscal_year=year).order_by("period"))


def _set_status(fiscal_year: int, period: int, status: str) -> GLPeriod:
    found = locked(GLPeriod.objects.filter(fiscal_year=fiscal_year, period=period)).first()
    if found is None:
        raise SageError("entity_not_found", field="period")
    if found.status != status:
        found.status = status
        found.save(update_fields=["status"])
    return found


@sage_call("gl_period_open")
@transaction.atomic(using=SAGE_ALIAS)
def gl_period_open(*, fiscal_year: int, period: int) -> GLPeriod:
    return _set_status(fiscal_year, period, PeriodStatus.OPEN)


@sage_call("gl_period_close")
@transaction.atomic(using=SAGE_ALIAS)
def gl_period_close(*, fiscal_year: int, period: int) -> GLPeriod:
    """Close the period: Sage refuses entries dated in it (R205) until it is reopened."""
    return _set_status(fiscal_year, period, PeriodStatus.CLOSED)
