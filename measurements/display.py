"""How a metric's value is rounded wherever a reader sees it: cards, tables, charts, CSV.

One rule, so the dashboard and the CSV export never disagree on a digit: every value is
shown to one decimal, rounded half away from zero as a reader rounds (66.65 → 66.7; Python's
`round` would give 66.6 for the float nearest it). `value_text` always writes the decimal
("80.0 %", "50.0", like the charts' tooltips); `measurements.charts.with_unit`, for targets
and thresholds a lead typed as round numbers, drops a trailing ".0" ("Target 40").

How a metric is named is here too (`metric_title`): every card and list shows the definition's
name, with the kind as its audience calls it as a small label, once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from measurements.formulas import definition_label
from measurements.models import MetricDefinition

DECIMALS = 1
_STEP = Decimal(1).scaleb(-DECIMALS)  # 0.1


def value_rounded(value: float | None) -> float | None:
    """The value as the dashboard shows it (None stays None): 66.666… → 66.7, −0.04 → 0.0."""
    if value is None:
        return None
    # repr: the shortest decimal that reads back as the float, i.e. what a person typed.
    rounded = float(Decimal(repr(float(value))).quantize(_STEP, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # no "-0.0"


def number_text(value: float | None) -> str:
    """ "66.7", "-25.0", "" for no value: the rounded number, without a unit."""
    rounded = value_rounded(value)
    return "" if rounded is None else f"{rounded:.{DECIMALS}f}"


def value_text(value: float | None, unit: str) -> str:
    """ "80.0 %", "12.5 h", "1234.5 EUR", "50.0" (NPS has no unit), "" for no value."""
    number = number_text(value)
    return f"{number} {unit}" if number and unit else number


def metric_title(definition: MetricDefinition) -> tuple[str, str | None]:
    """(the definition's name, its kind's label or None): ("Student satisfaction", "CSAT"),
    ("Candidate NPS", None) when the name already says the label, so it is never said twice."""
    label = definition_label(definition)
    name = definition.name.strip() or label
    return name, None if name.casefold() == label.casefold() else label
