"""Template filters that write a metric's numbers the way the charts do (`measurements.display`,
`measurements.charts.with_unit`), so a card, a table cell and a chart never disagree.

`metric_value`, `metric_target`, `metric_change` and `metric_figure` are for people and follow
the active language ("80.0 %", ko "80.0%", tr "%80,0"); `metric_number` is the machine form
("66.7" in every language) for data-* attributes and input values. `metric_interval` and
`correlation_interval` write an interval (`display.interval_text`: tr "%80,6 – %89,6");
`period_text` names a period in a sentence or a table ("Nov 2026", "Q4 2026", a day's date)."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from measurements.charts import unit_of, with_unit
from measurements.display import (
    change_text,
    interval_text,
    local_number,
    metric_title,
    number_text,
    value_text,
)
from measurements.models import Granularity, MetricDefinition
from measurements.periods import period_label

register = template.Library()


@register.filter
def metric_name(definition: MetricDefinition) -> SafeString:
    """The definition's name with its kind as a small muted label, the same on every card and
    list ("Student satisfaction" + "CSAT"); "Candidate NPS" alone, where the two are one."""
    name, label = metric_title(definition)
    if label is None:
        return format_html('<span class="metric-name">{}</span>', name)
    return format_html(
        '<span class="metric-name">{}</span> <span class="muted small metric-kind">{}</span>',
        name,
        label,
    )


@register.filter
def metric_value(value: float | None, definition: MetricDefinition) -> str:
    """A measured value with its unit: "80.0 %", "12.5 h", "1234.5 EUR", "50.0"."""
    return value_text(value, unit_of(definition))


@register.filter
def metric_target(value: float | None, definition: MetricDefinition) -> str:
    """A target or threshold with its unit, as on the chart's target line: "40", "80 %"."""
    return "" if value is None else with_unit(value, unit_of(definition))


@register.filter
def metric_number(value: float | None) -> str:
    """The rounded number alone in the machine form ("66.7" in every language), for data-*
    attributes and input values; a reader sees `metric_figure`."""
    return number_text(value)


@register.filter
def metric_share(value: float | None) -> str:
    """A share in percent for a reader, whatever the definition's unit (a CES mean's agree
    share): "62.5 %", ko "62.5%", tr "%62,5"."""
    return value_text(value, "%")


@register.filter
def metric_figure(value: float | None) -> str:
    """The rounded number alone for a reader, in the active language, without a unit: "66.7",
    tr "66,7"; "1,234.5", tr "1.234,5" (the low end of an interval, an agree share)."""
    return local_number(value)


@register.filter
def metric_change(value: float | None, definition: MetricDefinition) -> str:
    """A change between periods with its unit and sign: "+5.0 pts" for a share (percentage
    points: 70 % → 75 % is not "+5 %"), "-12.0 h", "+250.0 USD", "-3.0" for NPS; ko "+5.0%p",
    tr "+5,0 puan"."""
    return change_text(value, unit_of(definition))


@register.filter
def metric_interval(interval: tuple[float, float] | None, definition: MetricDefinition) -> str:
    """A (low, high) 95 % interval with the definition's unit: "80.6 – 89.6 %", ko
    "80.6 – 89.6%", tr "%80,6 – %89,6"; "" for none."""
    if not interval:
        return ""
    return interval_text(interval[0], interval[1], unit_of(definition))


@register.filter
def share_interval(interval: tuple[float, float] | None) -> str:
    """A (low, high) interval of a share in percent, whatever the definition's unit (a CES
    mean's agree share): "55.0 – 70.0 %", tr "%55,0 – %70,0"."""
    if not interval:
        return ""
    return interval_text(interval[0], interval[1], "%")


@register.filter
def correlation_interval(interval: tuple[float, float] | None) -> SafeString | str:
    """A correlation's (low, high) interval, r to two decimals: "-0.41&nbsp;…&nbsp;0.78", tr
    "-0,41&nbsp;…&nbsp;0,78" (an ellipsis, as a dash would read as a minus sign)."""
    if not interval:
        return ""
    text = interval_text(interval[0], interval[1], "", digits=2, between="\u00a0…\u00a0")
    return mark_safe(escape(text).replace("\u00a0", "&nbsp;"))


@register.filter
def period_text(start, granularity: str) -> str:
    """A period as a reader names it: a month "Nov 2026" (tr "Kasım 2026"), a quarter "Q4 2026";
    a day or a week by the date it starts ("1 Nov 2026"), as the rest of a sentence needs."""
    if start is None:
        return ""
    if granularity in (Granularity.MONTH, Granularity.QUARTER):
        return period_label(start, granularity)
    return date_format(start, "SHORT_DATE_FORMAT")
