"""Cards, tables and charts write a value the same way: one rounding rule, the unit after a
space; targets drop a trailing ".0" as the chart's target line does."""

import pytest
from django.template import Context, Template

from measurements.charts import with_unit
from measurements.display import number_text, value_rounded, value_text
from measurements.models import MetricDefinition, MetricKind


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (66.666666, 66.7),
        (66.65, 66.7),  # half away from zero, as a reader rounds (round() gives 66.6)
        (12.25, 12.3),  # as Django's floatformat and the charts' toFixed(1) do
        (-25.05, -25.1),
        (-0.04, 0.0),
        (None, None),
    ],
)
def test_it_rounds_to_one_decimal_half_away_from_zero(value, shown):
    assert value_rounded(value) == shown


def test_it_writes_the_value_with_its_decimal_and_unit():
    assert value_text(80.0, "%") == "80.0 %"
    assert value_text(50, "") == "50.0"
    assert value_text(1234.56, "EUR") == "1,234.6 EUR"  # grouped for a reader (issue 15)
    assert value_text(None, "%") == ""
    assert number_text(-0.04) == "0.0"


def test_targets_drop_a_trailing_zero_after_the_same_rounding():
    assert with_unit(40.0, "") == "40"
    assert with_unit(79.96, "%") == "80 %"  # rounded first: never "80.0 %"
    assert with_unit(12.25, "h") == "12.3 h"


def _render(text: str, **context) -> str:
    return Template("{% load metric_format %}" + text).render(Context(context))


def test_the_template_filters_use_the_definitions_unit():
    csat = MetricDefinition(kind=MetricKind.CSAT)
    clv = MetricDefinition(kind=MetricKind.CLV, currency="EUR")
    nps = MetricDefinition(kind=MetricKind.NPS)
    assert _render("{{ v|metric_value:d }}", v=80, d=csat) == "80.0 %"
    assert _render("{{ v|metric_target:d }}", v=80, d=csat) == "80 %"
    assert _render("{{ v|metric_value:d }}", v=1500.04, d=clv) == "1,500.0 EUR"
    assert _render("{{ v|metric_target:d }}", v=40, d=nps) == "40"
    assert _render("{{ v|metric_number }}", v=-72.66) == "-72.7"
