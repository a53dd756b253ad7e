"""GL periods: a fiscal year of twelve monthly periods, each open or closed."""

import datetime

from apps.sage300 import selectors, services
from apps.sage300.models import GLPeriod
from tests.sage300.helpers import refused


def test_ensuring_a_year_creates_twelve_open_monthly_periods():
    # when
    periods = services.gl_periods_ensure(fiscal_year=2024)

    # then
    assert [(p.period, p.start_date, p.end_date, p.status) for p in periods][:2] == [
        (1, datetime.date(2024, 1, 1), datetime.date(2024, 1, 31), "Open"),
        (2, datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), "Open"),
    ]
    assert len(periods) == 12
    assert periods[-1].end_date == datetime.date(2024, 12, 31)


def test_ensuring_a_year_again_keeps_existing_periods_and_their_status():
    # given
    services.gl_periods_ensure(fiscal_year=2025)
    services.gl_period_close(fiscal_year=2025, period=1)

    # when
    periods = services.gl_periods_ensure(fiscal_year=2025)

    # then
    assert GLPeriod.objects.count() == 12
    assert [p.status for p in periods[:2]] == ["Closed", "Open"]


def test_closing_and_reopening_a_period():
    # given
    services.gl_periods_ensure(fiscal_year=2025)

    # when
    closed = services.gl_period_close(fiscal_year=2025, period=3)
    stored_closed = GLPeriod.objects.get(fiscal_year=2025, period=3).status
    opened = services.gl_period_open(fiscal_year=2025, period=3)

    # then
    assert (closed.status, stored_closed, opened.status) == ("Closed", "Closed", "Open")
    assert GLPeriod.objects.get(fiscal_year=2025, period=3).is_closed is False


def test_closing_a_period_that_is_not_set_up_is_entity_not_found():
    # when
    error = refused(services.gl_period_close, fiscal_year=2030, period=1)

    # then
    assert (error.message, error.field) == ("Entity with this ID not found.", "period")


def test_an_impossible_fiscal_year_is_refused():
    # when
    error = refused(services.gl_periods_ensure, fiscal_year=99999)

    # then
    assert error.message == "[FiscalYear] has an invalid value: 99999."


def test_the_period_of_a_date_is_found_and_none_outside_set_up_years():
    # given
    services.gl_periods_ensure(fiscal_year=2025)

    # when
    period = selectors.gl_period_for_date(datetime.date(2025, 3, 31))
    missing = selectors.gl_period_for_date(datetime.date(2026, 1, 1))

    # then
    assert (str(period), missing) == ("2025-03", None)
    assert period.contains(datetime.date(2025, 3, 1)) is True
