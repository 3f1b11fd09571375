"""How a metric's value is rounded and written wherever a reader sees it: cards, tables, charts,
e-mails; and the machine form that CSV, data-* attributes, chart JSON and API bodies carry.

One rule, so the dashboard and the CSV export never disagree on a digit: every value is
shown to one decimal, rounded half away from zero as a reader rounds (66.65 → 66.7; Python's
`round` would give 66.6 for the float nearest it).

Two ways to write the rounded number:
- `number_text` is the machine form, the same in every language ("66.7", "-25.0", "1234.5"):
  for CSV, data-* attributes, chart JSON, API bodies and input values.
- `local_number`, `value_text`, `with_unit` (in `measurements.charts`) and `change_text` are
  for people and follow the active language: separators from axreg/formats/*/formats.py
  ("1,234.5" en, "1.234,5" tr) and the unit placed as the language writes it: "80.0 %" en,
  "80.0%" ko, "%80,0" tr; "+5.0 pts" en, "+5.0%p" ko, "+5,0 puan" tr; "12.5 h", "12.5시간",
  "12,5 sa"; "1,234.5 EUR" en, "1.234,5 EUR" tr.

An interval is written here too (`interval_text`, the template filter `metric_interval`, and
the charts' `rangeText` in static/js/chart-common.js follow the same rule): the unit once, with
the high end, where the language writes it after the number ("80.6 – 89.6 %", ko
"80.6 – 89.6%", "12,5 – 15,0 sa"); on both ends where it comes first (tr "%80,6 – %89,6"), or
the low end reads as a plain number.

How a metric is named is here too (`metric_title`): every card and list shows the definition's
name, with the kind as its audience calls it as a small label, once.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import pgettext

from axreg.text import lower
from measurements.formulas import definition_label
from measurements.models import MetricDefinition

DECIMALS = 1
_STEP = Decimal(1).scaleb(-DECIMALS)  # 0.1

# The unit a change of a share is in: percentage points (70 % → 75 % is "+5.0 pts", not "+5 %").
POINTS = "pts"


# Between the two ends of an interval.
BETWEEN = " – "


def value_rounded(value: float | None, digits: int = DECIMALS) -> float | None:
    """The value as the dashboard shows it (None stays None): 66.666… → 66.7, −0.04 → 0.0;
    `digits` for a figure that is not a metric's value (a correlation's r: 0.285 → 0.29)."""
    if value is None:
        return None
    step = _STEP if digits == DECIMALS else Decimal(1).scaleb(-digits)
    # repr: the shortest decimal that reads back as the float, i.e. what a person typed.
    rounded = float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # no "-0.0"


def number_text(value: float | None, digits: int = DECIMALS) -> str:
    """ "66.7", "-25.0", "1234.5", "" for no value: the rounded number, without a unit, in the
    machine form (point decimals, no grouping) whatever the language: CSV, data-*, JSON."""
    rounded = value_rounded(value, digits)
    return "" if rounded is None else f"{rounded:.{digits}f}"


def _localise(machine: str) -> str:
    """A machine number ("-1234.5", "40") written with the active language's separators."""
    sign, digits = ("-", machine[1:]) if machine.startswith("-") else ("", machine)
    whole, _, fraction = digits.partition(".")
    grouping = int(formats.get_format("NUMBER_GROUPING") or 0)
    if grouping > 0 and len(whole) > grouping:
        separator = str(formats.get_format("THOUSAND_SEPARATOR"))
        groups = []
        while len(whole) > grouping:
            groups.insert(0, whole[-grouping:])
            whole = whole[:-grouping]
        whole = separator.join([whole, *groups])
    decimal = str(formats.get_format("DECIMAL_SEPARATOR"))
    return f"{sign}{whole}{decimal}{fraction}" if fraction else f"{sign}{whole}"


def local_number(value: float | None, *, trim_zero: bool = False, digits: int = DECIMALS) -> str:
    """ "66.7" en/ko, "66,7" tr; "1,234.5" en, "1.234,5" tr; "" for no value: the rounded
    number for a reader, in the active language, without a unit. `trim_zero` drops a ".0"
    (targets a lead typed as round numbers: "40", not "40.0")."""
    machine = number_text(value, digits)
    if trim_zero and machine.endswith(".0"):
        machine = machine[:-2]
    return _localise(machine)


def unit_text(number: str, unit: str) -> str:
    """An already written number with its unit, as the active language places it:
    "80.0 %" / "80.0%" / "%80,0", "+5.0 pts" / "+5.0%p" / "+5,0 puan", "12.5 h", "1,234.5 EUR";
    the number alone when there is no unit (NPS) or no number."""
    if not number or not unit:
        return number
    if unit == "%":
        pattern = pgettext("a number with the percent sign", "%(number)s %%")
        if number.startswith("-") and not pattern.startswith("%(number)s"):
            # The sign leads the whole figure where the percent sign comes first: tr "-%5,0".
            return "-" + pattern % {"number": number[1:]}
        return pattern % {"number": number}
    if unit == POINTS:
        return pgettext("a change in percentage points", "%(number)s pts") % {"number": number}
    if unit == "h":
        return pgettext("a number of hours", "%(number)s h") % {"number": number}
    # A currency code (CLV) or another unit: written after the number.
    return pgettext("a number with its unit, e.g. a currency code", "%(number)s %(unit)s") % {
        "number": number,
        "unit": unit,
    }


def value_text(value: float | None, unit: str) -> str:
    """ "80.0 %", "12.5 h", "1,234.5 EUR", "50.0" (NPS has no unit), "" for no value; in the
    active language (ko "80.0%", tr "%80,0", "1.234,5 EUR"). For people only: machines read
    `number_text`."""
    return unit_text(local_number(value), unit)


def range_text(low: str, high: str, unit: str, *, between: str = BETWEEN) -> str:
    """Two already written numbers as an interval in the active language: the unit once, with
    the high end, where the language writes it after the number ("80.6 – 89.6 %", ko
    "80.6 – 89.6%", "12.5 – 15.0 h"); on both ends where it comes first (tr "%80,6 – %89,6":
    "80,6 – %89,6" reads as a plain number and a share)."""
    high_text = unit_text(high, unit)
    unit_first = not high_text.lstrip("-").startswith(high.lstrip("-"))
    low_text = unit_text(low, unit) if unit_first else low
    return f"{low_text}{between}{high_text}"


def interval_text(
    low: float | None,
    high: float | None,
    unit: str,
    *,
    digits: int = DECIMALS,
    between: str = BETWEEN,
) -> str:
    """A 95 % interval for a reader: "80.6 – 89.6 %", ko "80.6 – 89.6%", tr "%80,6 – %89,6",
    "1,234.5 – 2,590.7 USD", "-0.41 – 0.78" (a correlation, `digits=2`); "" when either end is
    missing. The one place an interval becomes text (cards, tables, the journey map)."""
    if low is None or high is None:
        return ""
    return range_text(
        local_number(low, digits=digits), local_number(high, digits=digits), unit, between=between
    )


def change_text(value: float | None, unit: str) -> str:
    """A change between two values with its sign, for people: "+5.0 pts" for a share (unit
    "%": percentage points), "-12.0 h", "+250.0 USD", "-3.0" for NPS, "" for no change;
    ko "+5.0%p", tr "+5,0 puan"."""
    if value is None:
        return ""
    text = value_text(value, POINTS if unit == "%" else unit)
    return f"+{text}" if value > 0 and not text.startswith("-") else text


def metric_title(definition: MetricDefinition) -> tuple[str, str | None]:
    """(the definition's name, its kind's label or None): ("Student satisfaction", "CSAT"),
    ("Candidate NPS", None), ("Parent NPS", None), ("Front-office CSAT", None) when the name
    already says the label as a whole word, so it is never said twice ("Veli NPS", not
    "Veli NPS NPS"). Compared in the active language's casing (Turkish İ/ı)."""
    label = definition_label(definition)
    name = definition.name.strip() or label
    return name, None if _says(name, label) else label


def _says(name: str, label: str) -> bool:
    """Whether `name` holds `label` as a whole word or words, whatever the case: "Parent NPS"
    says "NPS", "Talep çözüm süresi" says "Çözüm süresi"; "eNPS survey" does not say "NPS"."""
    name, label = lower(name).casefold(), lower(label).casefold().strip()
    if not label:
        return True
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", name) is not None
