"""Calendar periods (day, ISO week from Monday, month, quarter) in an organisation's time zone.

A period runs from its start (inclusive) to the next period's start (exclusive). Its start and
end instants are local midnights: built as naive local datetimes and then given the zone, so
a DST change inside a period never shifts a boundary off midnight.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext, pgettext

from measurements.models import Granularity

GRANULARITIES: tuple[str, ...] = (
    Granularity.DAY,
    Granularity.WEEK,
    Granularity.MONTH,
    Granularity.QUARTER,
)


def period_start(granularity: str, day: date) -> date:
    """The first local day of the period of `granularity` that contains `day`."""
    if granularity == Granularity.DAY:
        return day
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    if granularity == Granularity.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown granularity {granularity!r}")


def next_start(granularity: str, start: date) -> date:
    """The start of the period after the one starting at `start` (= this period's end)."""
    start = period_start(granularity, start)
    if granularity == Granularity.DAY:
        return start + timedelta(days=1)
    if granularity == Granularity.WEEK:
        return start + timedelta(days=7)
    months = 1 if granularity == Granularity.MONTH else 3
    month_index = start.month - 1 + months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def previous_start(granularity: str, start: date) -> date:
    """The start of the period before the one starting at `start`."""
    return period_start(granularity, period_start(granularity, start) - timedelta(days=1))


def local_midnight(day: date, tz: str | ZoneInfo) -> datetime:
    """The instant at which `day` begins in the zone, in UTC.

    UTC so that subtracting two bounds gives real elapsed time: Python subtracts datetimes that
    share a tzinfo by wall clock, which would make a DST day 24 hours long.
    """
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(UTC)


def period_bounds(granularity: str, start: date, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The start instant (inclusive) and end instant (exclusive) of a period."""
    start = period_start(granularity, start)
    return local_midnight(start, tz), local_midnight(next_start(granularity, start), tz)


def local_date(instant: datetime, tz: str | ZoneInfo) -> date:
    """The calendar day of an aware instant in the zone."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return instant.astimezone(zone).date()


def periods_between(granularity: str, first: date, last: date) -> Iterator[date]:
    """Starts of every period from the one containing `first` to the one containing `last`."""
    current = period_start(granularity, first)
    last_start = period_start(granularity, last)
    while current <= last_start:
        yield current
        current = next_start(granularity, current)


def current_period_start(granularity: str, tz: str | ZoneInfo, now: datetime) -> date:
    """The start of the period that contains `now` in the zone."""
    return period_start(granularity, local_date(now, tz))


def latest_complete_start(granularity: str, tz: str | ZoneInfo, now: datetime) -> date:
    """The start of the last period that has ended by `now`."""
    return previous_start(granularity, current_period_start(granularity, tz, now))


# --- how a period reads ------------------------------------------------------------------------


def period_label(start: date, granularity: str) -> str:
    """How a period reads on a chart axis and in a table, in the active language: "1 Dec",
    "w/c 1 Dec 2025", "Dec 2025", "Q4 2025" (ko "12월 1일", "2025년 12월", "2025년 4분기"; tr
    "1 Aralık", "Aralık 2025", "4. çeyrek 2025").

    Named formats (axreg/formats/*/formats.py), never `strftime`, so the labels follow the
    reader's language and not the server's locale.
    """
    if granularity == Granularity.DAY:
        return formats.date_format(start, "MONTH_DAY_FORMAT")
    if granularity == Granularity.WEEK:
        # ISO weeks: the Monday they begin on.
        return gettext("w/c %(date)s") % {"date": formats.date_format(start, "SHORT_DATE_FORMAT")}
    if granularity == Granularity.MONTH:
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if granularity == Granularity.QUARTER:
        return pgettext("a calendar quarter", "Q%(quarter)s %(year)s") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    raise ValueError(f"Unknown granularity {granularity!r}")


def granularity_noun(granularity: str, *, plural: bool = False) -> str:
    """The period as a noun inside a sentence: "month" / "months" ("the tooltip names the
    month…", "over the months where…"); ko "월", tr "ay"."""
    singular = {
        Granularity.DAY: pgettext("granularity noun", "day"),
        Granularity.WEEK: pgettext("granularity noun", "week"),
        Granularity.QUARTER: pgettext("granularity noun", "quarter"),
    }
    many = {
        Granularity.DAY: pgettext("granularity noun, plural", "days"),
        Granularity.WEEK: pgettext("granularity noun, plural", "weeks"),
        Granularity.QUARTER: pgettext("granularity noun, plural", "quarters"),
    }
    if plural:
        return many.get(granularity) or pgettext("granularity noun, plural", "months")
    return singular.get(granularity) or pgettext("granularity noun", "month")


def by_granularity(granularity: str) -> str:
    """ "by month" at the end of a chart's description ("Trend of NPS by month"); ko "월별",
    tr "aylık"."""
    by = {
        Granularity.DAY: pgettext("chart description", "by day"),
        Granularity.WEEK: pgettext("chart description", "by week"),
        Granularity.QUARTER: pgettext("chart description", "by quarter"),
    }
    return by.get(granularity) or pgettext("chart description", "by month")
