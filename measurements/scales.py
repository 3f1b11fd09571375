"""Scales and "top box" ranges, shared by validation, formula text and the metric functions."""

from __future__ import annotations

from measurements.kinds import kind_of
from measurements.models import MetricKind


def default_scale(kind: str) -> tuple[int, int] | None:
    return kind_of(kind).default_scale


def scale_of(*, kind: str, scale_min: int | None, scale_max: int | None) -> tuple[int, int] | None:
    """The definition's scale, falling back to the kind's default; None for unscored kinds."""
    default = default_scale(kind)
    if default is None:
        return None
    if kind_of(kind).fixed_scale:
        return default  # NPS is defined on 0–10 only
    lo = default[0] if scale_min is None else scale_min
    hi = default[1] if scale_max is None else scale_max
    return lo, hi


def top_box(*, kind: str, scale: tuple[int, int]) -> tuple[int, int]:
    """The inclusive score range that counts as satisfied (CSAT) or agreeing (CES).

    CSAT: the top two points (4–5 on 1–5, 9–10 on 1–10).
    CES: the top three points of a scale of seven or more points (5–7 on 1–7), otherwise the
    top two (4–5 on 1–5). Scales between the brief's examples follow the same rule.
    """
    lo, hi = scale
    points = hi - lo + 1
    if kind == MetricKind.CES and points >= 7:
        return hi - 2, hi
    return hi - 1, hi


def bottom_box(*, kind: str, scale: tuple[int, int]) -> tuple[int, int]:
    """The inclusive score range that counts as dissatisfied (CSAT) or disagreeing (CES): the
    mirror of `top_box` at the bottom of the scale (1–2 on 1–5, 1–3 on 1–7). Both kinds are
    "higher is better" (PRODUCT.md: CES 7 = "the organisation made it easy")."""
    lo, hi = scale
    top_lo, _ = top_box(kind=kind, scale=scale)
    return lo, lo + (hi - top_lo)
