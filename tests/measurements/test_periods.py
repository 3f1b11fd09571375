"""Calendar periods in the organisation's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from measurements.periods import (
    latest_complete_start,
    local_date,
    next_start,
    period_bounds,
    period_start,
    periods_between,
)

NEW_YORK = ZoneInfo("America/New_York")


def test_it_starts_weeks_on_monday():
    # Sunday 2 March 2025 belongs to the ISO week starting Monday 24 February.
    assert period_start("week", date(2025, 3, 2)) == date(2025, 2, 24)
    assert period_start("week", date(2025, 3, 3)) == date(2025, 3, 3)
    assert next_start("week", date(2025, 2, 24)) == date(2025, 3, 3)


def test_it_finds_months_and_quarters():
    assert period_start("month", date(2025, 2, 28)) == date(2025, 2, 1)
    assert next_start("month", date(2025, 12, 1)) == date(2026, 1, 1)
    assert period_start("quarter", date(2025, 6, 30)) == date(2025, 4, 1)
    assert period_start("quarter", date(2025, 10, 1)) == date(2025, 10, 1)
    assert next_start("quarter", date(2025, 10, 1)) == date(2026, 1, 1)


def test_it_puts_a_late_evening_in_new_york_in_that_local_month():
    # 31 January 2025 23:30 in New York is 1 February 04:30 UTC, but it is January locally.
    instant = datetime(2025, 2, 1, 4, 30, tzinfo=UTC)
    assert local_date(instant, NEW_YORK) == date(2025, 1, 31)
    assert period_start("month", local_date(instant, NEW_YORK)) == date(2025, 1, 1)


def test_it_builds_period_bounds_at_local_midnight_across_dst():
    # March 2025 in New York: starts at EST midnight (05:00 UTC), ends at EDT midnight of
    # 1 April (04:00 UTC), because clocks went forward on 9 March.
    start, end = period_bounds("month", date(2025, 3, 1), NEW_YORK)
    assert start.astimezone(UTC) == datetime(2025, 3, 1, 5, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2025, 4, 1, 4, 0, tzinfo=UTC)
    # The DST day itself is 23 hours long.
    day_start, day_end = period_bounds("day", date(2025, 3, 9), NEW_YORK)
    assert (day_end - day_start).total_seconds() == 23 * 3600


def test_it_iterates_periods_in_a_range():
    assert list(periods_between("month", date(2024, 11, 15), date(2025, 2, 3))) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]


def test_it_finds_the_latest_complete_period():
    now = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)  # still 31 March, 23:00 in New York
    assert latest_complete_start("month", NEW_YORK, now) == date(2025, 2, 1)
    assert latest_complete_start("month", ZoneInfo("UTC"), now) == date(2025, 3, 1)
