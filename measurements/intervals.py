"""How sure a number is (PRODUCT.md, "How sure a number is"): 95% intervals and change verdicts.

Pure functions, no ORM: the dashboard and the metrics API call them at read time with the
counts a rollup already stores in `details`, so nothing is recomputed from raw responses.
Intervals are on the metric's own scale (NPS −100…100, shares 0–100, a CES mean on the
definition's scale), clamped to it, and contain the point estimate: the raw share or mean,
and for NPS the adjusted-Wald estimate p′ − d′ (the raw NPS can fall outside, e.g. one
promoter: NPS 100, interval −48.5 … 98.5, PRODUCT.md's own example).

Quantiles come from scipy.stats (t.ppf, norm.ppf), not a hand-written table: a table rounds
to three decimals and has rows only at some df, so a fractional Welch df had to be rounded
down to one; scipy gives t(0.975, df) for any df ≥ 1, fractional too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from django.utils.translation import pgettext
from scipy import stats

from measurements.kinds import KINDS
from measurements.models import MetricKind

Z_95 = float(stats.norm.ppf(0.975))  # 1.959964: two-sided 95%, used by every z test here
NPS_RANGE = tuple(float(bound) for bound in KINDS[MetricKind.NPS].value_range)
SHARE_RANGE = (0.0, 100.0)
SIGNIFICANT = "significant"
WITHIN_NOISE = "within noise"
Verdict = Literal["significant", "within noise"]
Interval = tuple[float, float]


def t_975(df: float) -> float:
    """t(0.975, df) for any df ≥ 1, a fractional (Welch–Satterthwaite) df as it is."""
    if df < 1:
        raise ValueError(f"t quantile needs df ≥ 1, got {df}")
    return float(stats.t.ppf(0.975, df))


def _clamped(low: float, high: float, point: float, bounds: tuple[float, float]) -> Interval:
    """Clamp to the metric's range and make sure the point estimate lies inside (rounding)."""
    lo, hi = bounds
    return (max(lo, min(low, point)), min(hi, max(high, point)))


# --- NPS: adjusted Wald (Rocks 2016) ------------------------------------------------------


def nps_adjusted_wald(promoters: int, passives: int, detractors: int) -> tuple[float, float]:
    """Adjusted-Wald NPS estimate and its variance, in NPS points (× 100 and × 100²).

    n′ = n + 3, p′ = (promoters + ¾) / n′, d′ = (detractors + ¾) / n′, estimate p′ − d′,
    variance (p′ + d′ − (p′ − d′)²) / n′.
    """
    n_adj = promoters + passives + detractors + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    estimate = p - d
    variance = max(p + d - estimate**2, 0.0) / n_adj
    return estimate * 100, variance * 100**2


def nps_interval(promoters: int, passives: int, detractors: int) -> Interval | None:
    """95% adjusted-Wald interval of NPS, clamped to −100…100; None with no responses.

    One promoter: n′ = 4, p′ = .4375, d′ = .1875, 25 ± 1.96 × 37.5 → −48.5 … 98.5.
    """
    n = promoters + passives + detractors
    if n <= 0:
        return None
    estimate, variance = nps_adjusted_wald(promoters, passives, detractors)
    half = Z_95 * math.sqrt(variance)
    # Centred on the adjusted estimate, as the brief's example says: at one promoter the
    # interval (… 98.5) does not reach the raw NPS of 100, and that is the point of it.
    return _clamped(estimate - half, estimate + half, estimate, NPS_RANGE)


def nps_change(before: tuple[int, int, int], after: tuple[int, int, int]) -> Verdict | None:
    """Change between two periods' (promoters, passives, detractors): significant when the
    difference of the adjusted-Wald estimates over √(sum of their variances) exceeds 1.96."""
    if sum(before) <= 0 or sum(after) <= 0:
        return None
    e1, v1 = nps_adjusted_wald(*before)
    e2, v2 = nps_adjusted_wald(*after)
    return _verdict(e2 - e1, math.sqrt(v1 + v2), Z_95)


# --- shares: Wilson score -----------------------------------------------------------------


def wilson_interval(successes: int, n: int) -> Interval | None:
    """95% Wilson score interval of the share successes / n, in percent; None when n = 0.

    centre = (p + z²/2n) / (1 + z²/n), half = z √(p(1 − p)/n + z²/4n²) / (1 + z²/n).
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0…{n}")
    p = successes / n
    z2 = Z_95**2
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return _clamped((centre - half) * 100, (centre + half) * 100, p * 100, SHARE_RANGE)


def proportion_change(before: tuple[int, int], after: tuple[int, int]) -> Verdict | None:
    """Two-proportion z-test (pooled) on (successes, n) of two periods; None when an n is 0."""
    (x1, n1), (x2, n2) = before, after
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return _verdict(x2 / n2 - x1 / n1, se, Z_95)


# --- means: t interval, Welch's t ---------------------------------------------------------


def mean_interval(
    n: int, mean: float | None, sd: float | None, scale: tuple[float, float]
) -> Interval | None:
    """mean ± t(0.975, n − 1) × s / √n, clamped to the scale; None for n < 2 or no s."""
    if n < 2 or mean is None or sd is None:
        return None
    half = t_975(n - 1) * sd / math.sqrt(n)
    return _clamped(mean - half, mean + half, mean, (float(scale[0]), float(scale[1])))


def mean_change(
    before: tuple[int, float | None, float | None], after: tuple[int, float | None, float | None]
) -> Verdict | None:
    """Welch's t on (n, mean, sd) of two periods, Welch–Satterthwaite df; None for n < 2."""
    (n1, m1, s1), (n2, m2, s2) = before, after
    if n1 < 2 or n2 < 2 or None in (m1, s1, m2, s2):
        return None
    a, b = s1**2 / n1, s2**2 / n2
    se = math.sqrt(a + b)
    if se == 0:
        return _verdict(m2 - m1, 0.0, Z_95)
    df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    return _verdict(m2 - m1, se, t_975(max(df, 1.0)))


def _verdict(difference: float, se: float, critical: float) -> Verdict:
    # With no spread at all (every answer the same in both periods) only a real difference
    # counts; 0 / 0 is no evidence of change.
    if se == 0:
        return SIGNIFICANT if difference != 0 else WITHIN_NOISE
    return SIGNIFICANT if abs(difference / se) > critical else WITHIN_NOISE


# --- read-time dispatch from stored rollup details ----------------------------------------


def _nps_counts(details: Mapping[str, Any]) -> tuple[int, int, int] | None:
    counts = (details.get("promoters"), details.get("passives"), details.get("detractors"))
    return counts if all(isinstance(c, int) for c in counts) else None  # type: ignore[return-value]


def _share_counts(kind: str, n: int, details: Mapping[str, Any]) -> tuple[int, int] | None:
    """(successes, n) of the share the value of `kind` is, from stored details."""
    if kind == MetricKind.CSAT and isinstance(details.get("satisfied"), int):
        return details["satisfied"], n
    if kind in (MetricKind.RETENTION, MetricKind.CHURN):
        S, R = details.get("S"), details.get("R")
        if isinstance(S, int) and isinstance(R, int):
            return (R if kind == MetricKind.RETENTION else S - R), S
    return None


def interval_of(
    *,
    kind: str,
    value: float | None,
    n: int,
    details: Mapping[str, Any],
    scale: tuple[float, float] | None = None,
) -> Interval | None:
    """The 95% interval of a stored value by kind; None with no value or no interval.

    TTR and CLV have none. A CES mean needs the standard deviation (`details["sd"]`), which
    rollups do not store yet, so it is None until they do.
    """
    if value is None or n <= 0:
        return None
    if kind == MetricKind.NPS:
        counts = _nps_counts(details)
        return nps_interval(*counts) if counts else None
    if kind == MetricKind.CES:
        return mean_interval(
            n, value, details.get("sd"), scale or KINDS[MetricKind.CES].default_scale
        )
    counts = _share_counts(kind, n, details)
    return wilson_interval(*counts) if counts else None


def ces_agree_interval(n: int, details: Mapping[str, Any]) -> Interval | None:
    """Wilson interval of a CES period's agree share (details["agreeing"] of n)."""
    agreeing = details.get("agreeing")
    return wilson_interval(agreeing, n) if isinstance(agreeing, int) and n > 0 else None


def verdict_text(verdict: Verdict | None) -> str | None:
    """The verdict as a reader sees it beside a change, in the active language: "significant"
    / "within noise" (ko "유의미" / "오차 범위 내", tr "anlamlı" / "gürültü sınırında"); None
    stays None."""
    if verdict is None:
        return None
    if verdict == SIGNIFICANT:
        return pgettext("change verdict", "significant")
    return pgettext("change verdict", "within noise")


def change_verdict(
    *,
    kind: str,
    before: tuple[float | None, int, Mapping[str, Any]],
    after: tuple[float | None, int, Mapping[str, Any]],
) -> str | None:
    """ "significant" / "within noise" for a change between two stored (value, n, details), in
    the reader's language (`verdict_text`; the tests `nps_change` … return the codes
    SIGNIFICANT / WITHIN_NOISE); None when either has no value or the kind has no test (TTR,
    CLV) or a count is missing."""
    return verdict_text(_change_verdict(kind=kind, before=before, after=after))


def _change_verdict(
    *,
    kind: str,
    before: tuple[float | None, int, Mapping[str, Any]],
    after: tuple[float | None, int, Mapping[str, Any]],
) -> Verdict | None:
    (v1, n1, d1), (v2, n2, d2) = before, after
    if v1 is None or v2 is None:
        return None
    if kind == MetricKind.NPS:
        c1, c2 = _nps_counts(d1), _nps_counts(d2)
        return nps_change(c1, c2) if c1 and c2 else None
    if kind == MetricKind.CES:
        return mean_change((n1, v1, d1.get("sd")), (n2, v2, d2.get("sd")))
    s1, s2 = _share_counts(kind, n1, d1), _share_counts(kind, n2, d2)
    return proportion_change(s1, s2) if s1 and s2 else None


def with_intervals(
    values: list[dict[str, Any]], scales: Mapping[str, tuple[float, float] | None]
) -> list[dict[str, Any]]:
    """The metrics API's values, each with `interval`: [low, high] or None (read time).

    `scales` maps a metric slug to its definition's scale (for clamping a CES mean).
    """
    for value in values:
        found = interval_of(
            kind=value["kind"],
            value=value["value"],
            n=value["n"],
            details=value["details"],
            scale=scales.get(value["metric"]),
        )
        value["interval"] = list(found) if found else None
    return values
