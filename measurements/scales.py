"""Scales and "top box" ranges, shared by validation, formula text and the metric functions."""

from __future__ import annotations

from django.utils.translation import gettext

from measurements.kinds import KINDS, NPS_DETRACTOR_MAX, FollowupDefault, kind_of
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


def followup_default_max(*, kind: str, scale: tuple[int, int] | None) -> int | None:
    """The highest score that becomes a follow-up when a definition sets no threshold of its
    own (KINDS' `followup_default`): NPS detractors (6), the bottom box of CSAT and CES on the
    definition's scale; None for kinds that make no follow-ups."""
    default = kind_of(kind).followup_default
    if default is None or scale is None:
        return None
    if default == FollowupDefault.DETRACTORS:
        return NPS_DETRACTOR_MAX
    return bottom_box(kind=kind, scale=scale)[1]


def followup_default_text() -> str:
    """The default follow-up rule in exact numbers, from KINDS, for every page, form and schema
    text that states it: "NPS: 0–6 (detractors); CSAT on 1–5: 1–2; CES on 1–7: 1–3 (…)", in
    the active language."""
    parts: list[str] = []
    boxed: list[str] = []
    example = ""
    for kind, spec in KINDS.items():
        if spec.followup_default is None or spec.default_scale is None:
            continue
        lo, hi = spec.default_scale
        top = followup_default_max(kind=kind, scale=spec.default_scale)
        label = str(spec.label)
        if spec.followup_default == FollowupDefault.DETRACTORS:
            parts.append(
                gettext("%(label)s: %(lo)s–%(top)s (detractors)")
                % {"label": label, "lo": lo, "top": top}
            )
        else:
            parts.append(
                gettext("%(label)s on %(lo)s–%(hi)s: %(lo)s–%(top)s")
                % {"label": label, "lo": lo, "hi": hi, "top": top}
            )
            boxed.append(label)
            if not example:
                ten = followup_default_max(kind=kind, scale=(lo, 10))
                example = gettext(": %(lo)s–%(ten)s on a %(lo)s–10 %(label)s") % {
                    "lo": lo,
                    "ten": ten,
                    "label": label,
                }
    text = gettext("; ").join(parts)
    if boxed:
        # Walk2 found "the bottom box" read as one point; say how other scales are cut.
        text += gettext(
            " (on another scale, %(kinds)s take as many points at the bottom as their top box "
            "has at the top%(example)s)"
        ) % {"kinds": gettext(" and ").join(boxed), "example": example}
    return text
