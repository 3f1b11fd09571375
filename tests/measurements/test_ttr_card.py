"""The time-to-resolution card shows PRODUCT.md's details (mean, p90, cases still open at the
period's end) and says that its change has no significance test (walk1 #8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from measurements.models import MetricKind
from measurements.periods import latest_complete_start, next_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import case


def _card(page: str, slug: str) -> str:
    start = page.index(f'data-definition="{slug}"')
    return page[start : page.index("</article>", start)]


def test_the_ttr_card_shows_mean_p90_open_cases_and_no_significance_test(
    viewer_client, owned_audience
):
    ttr = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.TTR, slug="ttr", name="Case resolution"
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    day = lambda d, n: datetime(d.year, d.month, n, 0, tzinfo=UTC)  # noqa: E731
    # Month before: one case of 10 h. Latest month: cases of 2, 4, 6 and 20 h, one opened on
    # day 3 never resolved and one opened on day 20 resolved the month after.
    case(ttr, "b1", day(before, 5), day(before, 5) + timedelta(hours=10))
    for i, hours in enumerate((2, 4, 6, 20)):
        case(ttr, f"l{i}", day(latest, 2 + i), day(latest, 2 + i) + timedelta(hours=hours))
    case(ttr, "open", day(latest, 3), None)
    case(ttr, "late", day(latest, 20), day(next_start("month", latest), 2))
    rollup_full(organisation=ttr.organisation)

    card = _card(
        viewer_client.get(reverse("measurements:dashboard", args=["parents"])).content.decode(),
        "ttr",
    )

    # median of 2, 4, 6, 20 = 5; mean = 32 / 4 = 8; p90: rank 0.9 × 3 = 2.7 → 6 + 0.7 × 14
    # = 15.8; open at the end: 7 opened by then − 5 resolved by then = 2 ("open", "late").
    assert 'data-value="5.0"' in card
    assert '<dd class="metric-mean">8.0 h</dd>' in card
    assert '<dd class="metric-p90">15.8 h</dd>' in card
    assert "2 cases opened before the period's end and not resolved by then" in card
    assert "-5.0 h vs previous" in card
    assert "no significance test for this metric" in card
