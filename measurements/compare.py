"""EX + CX: two metrics (any audiences) on one time axis and how they move together.

"EX drives CX" is the claim users test, so besides the correlation in the same period this
reads the first metric against the second 1–3 periods later (the lag), each r with its 95%
interval (Fisher z) and its n, and names the strongest. Pure functions over two series, and
one query for the series.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from measurements.intervals import Z_95, Interval
from measurements.models import MetricDefinition, Rollup
from measurements.periods import current_period_start, periods_between
from measurements.selectors import organisation_id_of, zone_of

MAX_LAG = 3
# Under 8 pairs a correlation of 0.7 still happens by chance about one time in twenty.
FEW_SHARED = 8
# Why r is None, and why two choices cannot be compared: the English msgids; what the functions
# return is their translation into the active language (the same text in English).
NOT_ENOUGH = gettext_noop("not enough shared periods")
NO_VARIATION = gettext_noop("no variation: no correlation can be computed")
SAME_METRIC = gettext_noop(
    "Choose a metric other than the first: a metric compared with itself always correlates 1.0."
)


@dataclass(frozen=True)
class Correlation:
    """Pearson's r of the first series against the second `lag` periods later, over the `n`
    periods where both have a value; its 95% interval (None under n = 4), or why r is None."""

    lag: int
    n: int
    r: float | None
    interval: Interval | None
    reason: str | None

    @property
    def few(self) -> bool:
        """Fewer than FEW_SHARED pairs: the page warns that r may be chance."""
        return self.n < FEW_SHARED

    @property
    def includes_zero(self) -> bool:
        """Its interval reaches 0: no evidence of a relation either way."""
        return self.interval is not None and self.interval[0] <= 0 <= self.interval[1]


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation coefficient; None under three pairs or with no variation."""
    return correlation_of(xs=xs, ys=ys).r


def fisher_interval(r: float, n: int) -> Interval | None:
    """95% interval of a correlation: atanh(r) ± z / √(n − 3), back with tanh; None under 4.

    At r = ±1 atanh is infinite and the interval is the point itself: the method's answer,
    and a perfect correlation of real metrics over a handful of periods is rare.
    """
    if n < 4:
        return None
    if abs(r) >= 1:
        return (r, r)
    centre, half = math.atanh(r), Z_95 / math.sqrt(n - 3)
    return (math.tanh(centre - half), math.tanh(centre + half))


def correlation_of(*, xs: list[float], ys: list[float], lag: int = 0) -> Correlation:
    """r, its interval and n of paired values; a constant series is told apart from too few
    pairs, since more periods would not help it."""
    n = len(xs)
    if n < 3:
        return Correlation(lag=lag, n=n, r=None, interval=None, reason=gettext(NOT_ENOUGH))
    # Compared as sets, not by variance: the mean of equal floats can differ from them in the
    # last bit, and a variance of 1e-30 would give a meaningless r.
    if len(set(xs)) == 1 or len(set(ys)) == 1:
        return Correlation(lag=lag, n=n, r=None, interval=None, reason=gettext(NO_VARIATION))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    r = max(-1.0, min(1.0, cov / math.sqrt(var_x * var_y)))
    return Correlation(lag=lag, n=n, r=r, interval=fisher_interval(r, n), reason=None)


def lagged_pairs(
    first: list[float | None], second: list[float | None], lag: int
) -> tuple[list[float], list[float]]:
    """first[t] against second[t + lag] on one gap-filled axis, where both have a value."""
    # max(…, 0): on an axis shorter than the lag, first[:-k] would pair the wrong periods.
    leading = first[: max(len(first) - lag, 0)]
    pairs = [
        (x, y) for x, y in zip(leading, second[lag:], strict=True)
        if x is not None and y is not None
    ]  # fmt: skip
    return [x for x, _ in pairs], [y for _, y in pairs]


def lag_correlations(
    first: list[float | None], second: list[float | None], max_lag: int = MAX_LAG
) -> list[Correlation]:
    """The correlation at lag 0 … max_lag: the first series leading by that many periods."""
    found = []
    for lag in range(max_lag + 1):
        xs, ys = lagged_pairs(first, second, lag)
        found.append(correlation_of(xs=xs, ys=ys, lag=lag))
    return found


def strongest_lag(lags: list[Correlation]) -> Correlation | None:
    """The lag with the largest |r| (the shorter lag on a tie) among those with an interval:
    an r of three pairs cannot be judged, so it is not named. None when no lag has one."""
    known = [c for c in lags if c.r is not None and c.interval is not None]
    return max(known, key=lambda c: (abs(c.r or 0.0), -c.lag), default=None)


def periods_text(count: int, granularity: str) -> str:
    """ "1 month", "2 months", "3 quarters", in the active language (ko "2개월", tr "2 ay")."""
    if granularity == "day":
        text = ngettext("%(count)s day", "%(count)s days", count)
    elif granularity == "week":
        text = ngettext("%(count)s week", "%(count)s weeks", count)
    elif granularity == "quarter":
        text = ngettext("%(count)s quarter", "%(count)s quarters", count)
    else:
        text = ngettext("%(count)s month", "%(count)s months", count)
    return text % {"count": count}


def lag_choice_text(lag: int, granularity: str) -> str:
    """How a lag reads in the lag menu and table: "0 (same month)", "2 months"."""
    if lag:
        return periods_text(lag, granularity)
    same = {
        "day": pgettext("lag", "0 (same day)"),
        "week": pgettext("lag", "0 (same week)"),
        "quarter": pgettext("lag", "0 (same quarter)"),
    }
    return same.get(granularity) or pgettext("lag", "0 (same month)")


def r_text(correlation: Correlation) -> str:
    """ "= 0.53" or "none: not enough shared periods", after an "r" in a sentence."""
    if correlation.r is None:
        return gettext("none: %(reason)s") % {"reason": correlation.reason}
    return gettext("= %(r)s") % {"r": floatformat(correlation.r, 2)}


def compare_lag(raw: str | None) -> int:
    """The `lag` GET parameter: 0 … MAX_LAG, anything else the same period (0)."""
    return int(raw) if raw in {str(k) for k in range(MAX_LAG + 1)} else 0


def compare_choice_error(
    *, first: MetricDefinition | None, second: MetricDefinition | None
) -> str | None:
    """Why the two chosen metrics cannot be compared (the same one twice), or None."""
    if first is not None and second is not None and first.pk == second.pk:
        return gettext(SAME_METRIC)
    return None


def compare_series(
    *,
    first: MetricDefinition,
    second: MetricDefinition,
    granularity: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Two definitions (any audiences) on one gap-filled time axis, their correlation in the
    same period and with the first leading by 1–3 periods, over complete periods only: the
    current one holds a day's or a week's answers (n 1 or 2 at the start of a month) and
    alone could make two unrelated series look correlated. One query."""
    organisation_id = organisation_id_of([first, second])
    zone = zone_of(first.organisation)  # the caller's select_related saves the query
    current = current_period_start(granularity, zone, now or timezone.now())
    rows = (
        Rollup.objects.for_org(organisation_id)
        .filter(
            definition__in=[first, second],
            granularity=granularity,
            period_start__lt=current,
        )
        .order_by("period_start")
    )
    values: dict[int, dict[date, float | None]] = defaultdict(dict)
    for row in rows.only("definition_id", "period_start", "value"):
        values[row.definition_id][row.period_start] = row.value
    starts = set(values[first.pk]) | set(values[second.pk])
    # Every period from the first to the last, those with no row too: a lag counts periods,
    # not rows, and both lines need the same axis for a gap to show as one.
    axis = list(periods_between(granularity, min(starts), max(starts))) if starts else []
    first_values = [values[first.pk].get(s) for s in axis]
    second_values = [values[second.pk].get(s) for s in axis]
    lags = lag_correlations(first_values, second_values)
    return {
        "axis": [s.isoformat() for s in axis],
        "first": first_values,
        "second": second_values,
        "shared": lags[0].n,
        "correlation": lags[0].r,
        "same_period": lags[0],
        "lags": lags,
        "strongest": strongest_lag(lags),
        "few_shared": FEW_SHARED,
    }
