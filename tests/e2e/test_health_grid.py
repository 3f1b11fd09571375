"""Browser: on the health grid a real value stands out more than a "not measured" placeholder."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from measurements.models import MetricKind
from measurements.periods import latest_complete_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e

STYLE = """el => { const s = getComputedStyle(el);
  return {size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10), color: s.color}; }"""
LUMA = """el => { const [r, g, b] = getComputedStyle(el).color.match(/\\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; }"""


def test_a_value_is_printed_larger_and_darker_than_a_placeholder(page, sign_in, viewer, org):
    from tests.factories import AudienceFactory

    audience = AudienceFactory(organisation=org, name="Parents", slug="parents", rank=1)
    nps = MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps", target=0)
    MetricDefinitionFactory(audience=audience, kind=MetricKind.CSAT, slug="csat")  # no data
    latest = latest_complete_start("month", "UTC", timezone.now())
    for score in (10, 10, 3):
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=org)

    sign_in(viewer)
    page.goto("/app/health/")
    row = page.locator('tr[data-audience="parents"]')
    value = row.locator("td", has_text="33.3").locator("text=33.3")
    placeholders = [
        row.locator("td", has_text="not measured").first.locator("text=not measured"),
        row.locator("td", has_text="no data").first.locator("text=no data"),
    ]
    value_style = value.evaluate(STYLE)
    for placeholder in placeholders:
        style = placeholder.evaluate(STYLE)
        assert style["size"] < value_style["size"], (style, value_style)
        assert style["weight"] <= value_style["weight"]
        assert placeholder.evaluate(LUMA) > value.evaluate(LUMA)  # lighter grey than the value
