"""Browser: a dashboard card reads its 95% interval as a range and a verdict beside the change."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from measurements.models import MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e


def test_the_card_shows_the_interval_and_says_the_change_is_within_noise(
    page, sign_in, viewer, owned_audience
):
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS", target=0
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    # Before: 10, 0 → n′ 5, p′ = d′ = .35, estimate 0, variance .14 (1400 in points).
    # Latest: 10, 10, 10, 3 → NPS 50; n′ 7, p′ = 3.75 / 7, d′ = .25, estimate 28.57,
    # variance .100583, 1.96 × .317149 = 62.16 → −33.6 … 90.7.
    # Change: 28.57 / √(1005.8 + 1400) = 0.58 → within noise.
    for score in (10, 0):
        respond(nps, score, datetime(before.year, before.month, 3, 12, tzinfo=UTC))
    for score in (10, 10, 10, 3):
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=owned_audience.organisation)

    sign_in(viewer)
    page.goto("/app/audiences/parents/dashboard/")

    card = page.locator('article.metric-card[data-definition="nps"]')
    assert card.locator("dt", has_text="95% interval").is_visible()
    assert card.locator(".metric-interval").inner_text() == "-33.6 – 90.7"
    assert card.locator(".metric-verdict").inner_text() == "within noise"
    assert "Margin of error" not in card.inner_text()
