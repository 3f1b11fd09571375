"""Browser: the audience dashboard draws a trend chart and shows cards with the right numbers."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from measurements.models import MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e


def test_the_dashboard_draws_a_chart_and_shows_the_latest_values(
    page, sign_in, viewer, owned_audience
):
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS", target=0
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    # Month before: 10, 0 → 0. Latest complete month: 10, 10, 10, 3 → (3 − 1) / 4 = 50,
    # change +50, target 0 met; n 4 → indicative only.
    for score in (10, 0):
        respond(nps, score, datetime(before.year, before.month, 3, 12, tzinfo=UTC))
    for score in (10, 10, 10, 3):
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=owned_audience.organisation)

    sign_in(viewer)
    page.goto("/app/audiences/parents/dashboard/")

    card = page.locator('article.metric-card[data-definition="nps"]')
    assert card.locator(".metric-value").inner_text() == "50.0"
    assert card.locator(".metric-n").inner_text() == "4"
    assert "+50.0" in card.locator(".metric-change").inner_text()
    assert "met" in card.locator(".metric-target").inner_text()
    assert card.locator(".indicative").is_visible()
    canvas = card.locator('canvas.trend-chart[data-rendered="true"]')
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    # Chart.js painted something: the canvas is not blank.
    painted = page.evaluate(
        """() => {
          const c = document.querySelector('canvas.trend-chart');
          const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
          return false;
        }"""
    )
    assert painted
