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


def test_on_a_phone_the_grid_scrolls_in_its_box_and_numbers_stay_whole(page, sign_in, viewer, org):
    from tests.factories import AudienceFactory

    audience = AudienceFactory(
        organisation=org, name="Teachers and classroom assistants", slug="teachers", rank=1
    )
    nps = MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps", target=0)
    for kind in (MetricKind.CSAT, MetricKind.CES, MetricKind.TTR, MetricKind.RETENTION):
        MetricDefinitionFactory(audience=audience, kind=kind, slug=kind.value)
    latest = latest_complete_start("month", "UTC", timezone.now())
    for score in (10, 10, 3):
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=org)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(viewer)
    page.goto("/app/health/")
    page.screenshot(path="/tmp/e2e-health-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    value = page.locator('tr[data-audience="parents"], tr[data-audience="teachers"]').locator(
        "text=33.3"
    )
    # One line: a value broken as "33." / "3" is taller than its own line height.
    box = value.first.bounding_box()
    line = value.first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    assert box["height"] < 1.6 * line, (box, line)
