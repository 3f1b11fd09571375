"""Template filters that write a metric's numbers the way the charts do (`measurements.display`,
`measurements.charts.with_unit`), so a card, a table cell and a chart never disagree."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from measurements.charts import unit_of, with_unit
from measurements.display import metric_title, number_text, value_text
from measurements.models import MetricDefinition

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
    """The rounded number alone ("66.7"), for data attributes, changes and intervals."""
    return number_text(value)


@register.filter
def metric_change(value: float | None, definition: MetricDefinition) -> str:
    """A change between periods with its unit and sign: "+5.0 pts" for a share (percentage
    points: 70 % → 75 % is not "+5 %"), "-12.0 h", "+250.0 USD", "-3.0" for NPS."""
    unit = unit_of(definition)
    text = value_text(value, "pts" if unit == "%" else unit)
    return (
        f"+{text}"
        if value is not None and text and not text.startswith("-") and value > 0
        else text
    )
