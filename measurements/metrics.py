"""The metric formulas of PRODUCT.md ("Metrics — exact definitions") as pure functions.

No ORM here: the selectors in `measurements.rollups` count in SQL and hand the counts to these
functions, so every number on a dashboard can be worked out by hand from its inputs. Every
metric function returns a `MetricResult`; a value of None means "no data" (never 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from measurements.kinds import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN
from measurements.models import MetricKind
from measurements.scales import top_box

# Under this many responses (or cases, or members at the start) a value is indicative only.
INDICATIVE_BELOW = 30


class MetricResult(NamedTuple):
    """One period's value (None when there is no data), its n and the details behind it."""

    value: float | None
    n: int
    details: dict[str, Any]

    @property
    def indicative(self) -> bool:
        return is_indicative(self.n)


def is_indicative(n: int | None) -> bool:
    """True when n is too small to trust (n < 30): the dashboard says "indicative only"."""
    return (n or 0) < INDICATIVE_BELOW


def nps_from_counts(promoters: int, passives: int, detractors: int) -> MetricResult:
    """NPS = %promoters (9–10) − %detractors (0–6), −100…100."""
    n = promoters + passives + detractors
    details: dict[str, Any] = {
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
    }
    if n <= 0:
        return MetricResult(None, 0, details)
    return MetricResult((promoters - detractors) / n * 100, n, details)


def nps_from_histogram(hist: Mapping[int, int]) -> MetricResult:
    """NPS from a {score: count} histogram of 0–10 scores."""
    promoters = sum(c for s, c in hist.items() if s >= NPS_PROMOTER_MIN)
    detractors = sum(c for s, c in hist.items() if s <= NPS_DETRACTOR_MAX)
    passives = sum(c for s, c in hist.items() if NPS_DETRACTOR_MAX < s < NPS_PROMOTER_MIN)
    return nps_from_counts(promoters, passives, detractors)


def _mean(hist: Mapping[int, int], n: int) -> float:
    return sum(score * count for score, count in hist.items()) / n


def csat_from_histogram(hist: Mapping[int, int], scale: tuple[int, int]) -> MetricResult:
    """CSAT = % of responses in the top two points of the scale; details: the mean."""
    n = sum(hist.values())
    if n <= 0:
        return MetricResult(None, 0, {"mean": None, "satisfied": 0})
    lo, hi = top_box(kind=MetricKind.CSAT, scale=tuple(scale))
    satisfied = sum(c for s, c in hist.items() if lo <= s <= hi)
    return MetricResult(satisfied / n * 100, n, {"mean": _mean(hist, n), "satisfied": satisfied})


def ces_from_histogram(hist: Mapping[int, int], scale: tuple[int, int]) -> MetricResult:
    """CES = mean score; details: % agreeing (top three of a 7-point scale, top two of 5)."""
    n = sum(hist.values())
    if n <= 0:
        return MetricResult(None, 0, {"agree_share": None, "agreeing": 0})
    lo, hi = top_box(kind=MetricKind.CES, scale=tuple(scale))
    agreeing = sum(c for s, c in hist.items() if lo <= s <= hi)
    return MetricResult(
        _mean(hist, n), n, {"agree_share": agreeing / n * 100, "agreeing": agreeing}
    )


def scored_from_histogram(
    *, kind: str, hist: Mapping[int, int], scale: tuple[int, int] | None
) -> MetricResult:
    """Dispatch a histogram to the NPS, CSAT or CES formula by kind."""
    if kind == MetricKind.NPS:
        return nps_from_histogram(hist)
    if kind == MetricKind.CSAT:
        return csat_from_histogram(hist, scale)
    if kind == MetricKind.CES:
        return ces_from_histogram(hist, scale)
    raise ValueError(f"{kind!r} is not a scored kind")


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, exactly like SQL `percentile_cont`."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return float(ordered[lower])
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def ttr_from_stats(
    *,
    resolved: int,
    median: float | None,
    mean: float | None,
    p90: float | None,
    open_count: int,
) -> MetricResult:
    """TTR from statistics the database computed (hours); value = median, None when none."""
    details = {"median": median, "mean": mean, "p90": p90, "open": open_count}
    if resolved <= 0:
        return MetricResult(
            None, 0, {"median": None, "mean": None, "p90": None, "open": open_count}
        )
    return MetricResult(median, resolved, details)


def ttr_from_durations(durations_hours: Iterable[float], open_count: int = 0) -> MetricResult:
    """TTR = median hours over cases resolved in the period; details: mean, p90, open count.

    `open_count` is the number of cases opened before the period's end and not resolved by
    then. p90 interpolates linearly, as PostgreSQL's `percentile_cont(0.9)`.
    """
    ordered = sorted(float(h) for h in durations_hours)
    if not ordered:
        return ttr_from_stats(resolved=0, median=None, mean=None, p90=None, open_count=open_count)
    return ttr_from_stats(
        resolved=len(ordered),
        median=percentile_cont(ordered, 0.5),
        # Summed exactly: a float sum would depend on the order (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1).
        mean=float(sum(map(Fraction, ordered)) / len(ordered)),
        p90=percentile_cont(ordered, 0.9),
        open_count=open_count,
    )


def member_counts(
    members: Iterable[tuple[datetime, datetime | None]], *, start: datetime, end: datetime
) -> dict[str, int]:
    """S, R, N and joined-and-left of (joined_at, left_at) pairs over [start, end), by
    PRODUCT.md's instants: present at t when joined_at ≤ t and (left_at is null or > t).

    The reference the SQL running totals of `measurements.rollups.members` must agree with;
    members are counted one by one, so it suits tests and small audiences only.
    """

    def present(joined: datetime, left: datetime | None, t: datetime) -> bool:
        return joined <= t and (left is None or left > t)

    S = R = N = joined_and_left = 0
    for joined, left in members:
        if left is not None and left < joined:
            continue  # refused by ingestion; the rollups skip such a row too
        if present(joined, left, start):
            S += 1
            R += present(joined, left, end)
        elif start < joined <= end:
            N += 1
            joined_and_left += not present(joined, left, end)
    return {"S": S, "R": R, "N": N, "joined_and_left": joined_and_left}


def _member_details(S: int, R: int, N: int, joined_and_left: int) -> dict[str, int]:
    """S, R, N, E and joined-and-left; E = R + the newcomers still there at the end."""
    if not 0 <= R <= S or not 0 <= joined_and_left <= N:
        raise ValueError(
            f"Inconsistent member counts: S={S}, R={R}, N={N}, joined_and_left={joined_and_left}"
        )
    return {
        "S": S,
        "R": R,
        "N": N,
        "E": R + N - joined_and_left,
        "joined_and_left": joined_and_left,
    }


def retention_from_counts(*, S: int, R: int, N: int, joined_and_left: int) -> MetricResult:
    """Retention (CRR) = cohort retention R / S × 100, 0–100; None when S = 0.

    Only the starting cohort counts: newcomers who leave inside the period are shown as
    joined-and-left, never as a retention below 0 (the old ((E − N) / S) × 100 could be).
    """
    details = _member_details(S, R, N, joined_and_left)
    if S <= 0:
        return MetricResult(None, 0, details)
    return MetricResult(R / S * 100, S, details)


def churn_from_counts(*, S: int, R: int, N: int, joined_and_left: int) -> MetricResult:
    """Churn = (S − R) / S × 100 = 100 − retention, 0–100; None when S = 0."""
    details = _member_details(S, R, N, joined_and_left)
    if S <= 0:
        return MetricResult(None, 0, details)
    return MetricResult((S - R) / S * 100, S, details)


def clv_from(
    *,
    S: int,
    R: int,
    N: int,
    joined_and_left: int,
    revenue: Decimal | float,
    revenue_events: int,
    margin_percent: Decimal | float | None = 100,
    revenue_to_date: Decimal | float = 0,
    members_to_date: int = 0,
) -> MetricResult:
    """CLV = ARPU × margin ÷ churn, ARPU = revenue in the period ÷ (S + N), fractions.

    None when S = 0, when churn is 0, or when the period has no revenue events at all: no
    data is not a CLV of 0 (a sum of events that happens to be 0 still gives 0). Details:
    ARPU, margin, churn and realised revenue per member = all revenue up to the period's end
    ÷ distinct members who ever joined by then.
    """
    margin = float(100 if margin_percent is None else margin_percent) / 100
    has_revenue = revenue_events > 0
    revenue_f = float(revenue or 0) if has_revenue else None
    realised = float(revenue_to_date or 0) / members_to_date if members_to_date > 0 else None
    details: dict[str, Any] = {
        **_member_details(S, R, N, joined_and_left),
        "revenue": revenue_f,
        "revenue_events": revenue_events,
        "arpu": revenue_f / (S + N) if has_revenue and S + N > 0 else None,
        "margin": margin,
        "churn": (S - R) / S if S > 0 else None,
        "realised_revenue_per_member": realised,
    }
    n = S if S > 0 else 0
    if S <= 0 or not has_revenue or details["churn"] == 0:
        return MetricResult(None, n, details)
    return MetricResult(details["arpu"] * margin / details["churn"], n, details)
