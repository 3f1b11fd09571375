"""What the dashboard charts draw: period labels, values with their n, 95% band and unit.

Pure functions from the selectors' cards (and the compare series) to JSON-able dicts that the
templates hand to the browser through `json_script`; static/js/dashboard.js and compare.js only
draw them. Text a reader sees (period labels, "Target 80 %") is made here, where it is tested,
so the browser does no date or unit formatting of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from measurements import intervals, metrics
from measurements.compare import periods_text
from measurements.display import local_number, unit_text
from measurements.kinds import kind_of
from measurements.models import Granularity, MetricDefinition
from measurements.periods import period_label
from measurements.scales import scale_of

__all__ = ["chart_data", "compare_chart", "period_label", "unit_of", "value_range", "with_unit"]

if TYPE_CHECKING:  # only read here, by attribute, so a move of the selector leaves this alone
    from measurements.dashboard_selectors import Card


def unit_of(definition: MetricDefinition) -> str:
    """The unit a value of the definition is in: "%", "h", a currency for CLV, or ""."""
    kind = kind_of(definition.kind)
    # CLV's unit is the definition's currency, which its revenue events are all in.
    return (definition.currency or "") if kind.uses_revenue else kind.unit


def value_range(definition: MetricDefinition) -> tuple[float | None, float | None]:
    """The values the definition can take (an axis never shows NPS 150); a CES mean's is the
    definition's scale, a bound that does not exist (hours, money) is None."""
    kind = kind_of(definition.kind)
    if kind.scored and kind.value_range == (None, None):
        scale = scale_of(
            kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
        )
        return (float(scale[0]), float(scale[1])) if scale else (None, None)
    lo, hi = kind.value_range
    return (None if lo is None else float(lo), None if hi is None else float(hi))


def with_unit(value: float, unit: str) -> str:
    """ "40", "80 %", "24 h", "37.5 h": a whole number without ".0", a unit after a space;
    in the active language as `display.value_text` places it (ko "80%", tr "%80", "37,5 sa").

    For targets and thresholds; a measured value reads `display.value_text` ("80.0 %"). Both
    round by `display.value_rounded`, so 79.96 is "80 %", not "80.0 %".
    """
    return unit_text(local_number(value, trim_zero=True), unit)


def chart_data(*, cards: list[Card], granularity: str) -> list[dict[str, Any]]:
    """One trend chart per card: its periods oldest first, each with label, value, n, 95%
    interval (low/high, None when the kind or the stored counts give none) and whether the
    value is only indicative (n < 30)."""
    return [_card_chart(card, granularity) for card in cards]


def _card_chart(card: Card, granularity: str) -> dict[str, Any]:
    definition = card.definition
    unit = unit_of(definition)
    points = [_point(card, point, granularity) for point in card.series]
    return {
        "id": definition.pk,
        "label": definition.name,
        "unit": unit,
        "range": value_range(definition),
        "target": card.target,
        "target_label": None
        if card.target is None
        else gettext("Target %(value)s") % {"value": with_unit(card.target, unit)},
        "labels": [p["label"] for p in points],
        "points": points,
    }


def _point(card: Card, point: Mapping[str, Any], granularity: str) -> dict[str, Any]:
    start = date.fromisoformat(str(point["period"]))
    value, n = point["value"], point["n"] or 0
    definition = card.definition
    interval = intervals.interval_of(
        kind=definition.kind,
        value=value,
        n=n,
        details=_details_of(card, point, start),
        scale=scale_of(
            kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
        ),
    )
    return {
        "period": start.isoformat(),
        "label": period_label(start, granularity),
        "value": value,
        "n": n,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        "indicative": value is not None and metrics.is_indicative(n),
    }


def _details_of(card: Card, point: Mapping[str, Any], start: date) -> Mapping[str, Any]:
    """The stored counts behind a point's value, which its interval is computed from.

    A series point carries them when the selector puts them there; until it does, the card's
    own period and the one before still have theirs (the card holds both for its change).
    """
    if isinstance(point.get("details"), Mapping):
        return point["details"]
    if start == card.period_start:
        return card.details
    if len(card.series) > 1 and str(point["period"]) == str(card.series[-2]["period"]):
        return card.previous_details
    return {}


def compare_chart(
    *,
    result: Mapping[str, Any],
    first: MetricDefinition,
    second: MetricDefinition,
    granularity: str,
    lag: int = 0,
) -> dict[str, Any]:
    """The EX + CX chart: both series on one labelled time axis, each on its own y axis whose
    title names the metric and its unit ("Staff · eNPS (NPS points)", "… (%)").

    At a lag of k the first series is drawn k periods later, so each of its values stands
    over the value of the second that it is paired with; its legend says so and each point
    keeps its own period for the tooltip. Its last k values have no partner yet and are not
    drawn (the axis does not run into periods that have not happened).
    """
    axis = [date.fromisoformat(str(s)) for s in result["axis"]]
    labels = [period_label(start, granularity) for start in axis]
    lag = max(0, min(lag, len(axis)))
    first_series = _compare_series(first, [None] * lag + list(result["first"])[: len(axis) - lag])
    first_series["periods"] = [None] * lag + labels[: len(axis) - lag]
    if lag:
        first_series["label"] = gettext("%(label)s from %(periods)s earlier") % {
            "label": first_series["label"],
            "periods": periods_text(lag, granularity),
        }
    second_series = _compare_series(second, list(result["second"]))
    second_series["periods"] = labels
    return {
        "labels": labels,
        "x_title": str(dict(Granularity.choices)[granularity]),
        "lag": lag,
        "series": [first_series, second_series],
    }


def _compare_series(definition: MetricDefinition, values: list[float | None]) -> dict[str, Any]:
    unit = unit_of(definition)
    label = f"{definition.audience.name} · {definition.name}"
    return {
        "label": label,
        "unit": unit,
        "range": value_range(definition),
        "axis_title": f"{label} ({unit or _unitless(definition)})",
        "values": values,
    }


def _unitless(definition: MetricDefinition) -> str:
    """What a number without a unit is counted in, for an axis title."""
    kind = kind_of(definition.kind)
    if kind.uses_revenue:
        return gettext("currency not set")
    if kind.default_scale and not kind.fixed_scale:
        lo, hi = (
            scale_of(
                kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
            )
            or kind.default_scale
        )
        return gettext("mean on %(low)s–%(high)s") % {"low": lo, "high": hi}
    return gettext("%(kind)s points") % {"kind": kind.label}
