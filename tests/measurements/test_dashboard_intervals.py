"""The dashboard shows each value's 95% interval as a range and a verdict beside each change."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measurements.models import MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import member, respond


def _months():
    latest = latest_complete_start("month", "UTC", timezone.now())
    return latest, previous_start("month", latest)


def _at(month, day):
    return datetime(month.year, month.month, day, 12, tzinfo=UTC)


def _card(page: str, slug: str) -> str:
    match = re.search(rf'data-definition="{slug}">(.*?)</article>', page, re.S)
    assert match, f"no card {slug}"
    return match.group(1)


def _dashboard(client):
    return client.get(reverse("measurements:dashboard", args=["parents"])).content.decode()


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )


def test_one_response_shows_a_wide_interval_not_plus_minus_zero(viewer_client, nps):
    latest, _ = _months()
    respond(nps, 10, _at(latest, 3))
    rollup_full(organisation=nps.organisation)

    card = _card(_dashboard(viewer_client), "nps")

    # PRODUCT.md's example: one promoter → −48.5 … 98.5 (the old margin said ± 0.0).
    assert "95% interval" in card
    assert "-48.5 – 98.5" in card
    assert "± 0.0" not in card


def test_a_small_nps_change_is_within_noise(viewer_client, nps):
    latest, before = _months()
    # 10, 10, 0 → 33.3; then 10, 8, 3, 2 → −25: estimates 16.67 and −14.29, variances
    # 1203.7 and 889.2, |−30.95| / √2092.9 = 0.68 < 1.96.
    for score in (10, 10, 0):
        respond(nps, score, _at(before, 10))
    for score in (10, 8, 3, 2):
        respond(nps, score, _at(latest, 10))
    rollup_full(organisation=nps.organisation)

    card = _card(_dashboard(viewer_client), "nps")

    assert re.search(r"-58\.3 vs previous\s*<span[^>]*>within noise</span>", card)


def test_a_large_csat_change_is_significant_with_a_wilson_interval(viewer_client, owned_audience):
    latest, before = _months()
    csat = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Satisfaction",
        scale_min=1,
        scale_max=5,
    )
    # Before: 10 of 40 satisfied (25%); latest: 30 of 40 (75%). Pooled .5,
    # se √(.25 × .05) = .1118, z = .5 / .1118 = 4.47 → significant.
    # Wilson 30 / 40: centre (.75 + .04802) / 1.09604 = .72810, half
    # 1.96 √(.0046875 + .0006003) / 1.09604 = .13003 → 59.8 … 85.8.
    for i in range(40):
        respond(csat, 5 if i < 10 else 2, _at(before, 1 + i % 20))
        respond(csat, 5 if i < 30 else 2, _at(latest, 1 + i % 20))
    rollup_full(organisation=owned_audience.organisation)

    card = _card(_dashboard(viewer_client), "csat")

    assert "59.8 – 85.8" in card
    # A share's change is in percentage points.
    assert re.search(r"\+50\.0 pts vs previous\s*<span[^>]*>significant</span>", card)


def test_retention_shows_the_wilson_interval_of_r_over_s(viewer_client, owned_audience):
    latest, before = _months()
    MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.RETENTION,
        slug="retention",
        name="Family retention",
        scale_min=None,
        scale_max=None,
    )
    # S = 3, R = 2 → 66.7, Wilson 2 / 3 → 20.8 … 93.9.
    member(owned_audience, "a", _at(before, 2))
    member(owned_audience, "b", _at(before, 3))
    member(owned_audience, "c", _at(before, 4), _at(latest, 10))
    rollup_full(organisation=owned_audience.organisation)

    card = _card(_dashboard(viewer_client), "retention")

    assert "20.8 – 93.9" in card


def test_ces_shows_the_agree_share_interval_but_no_mean_interval_without_an_sd(
    viewer_client, owned_audience
):
    latest, _ = _months()
    ces = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CES, slug="ces", scale_min=1, scale_max=7
    )
    # One 6 on 1–7: agreeing (5–7), 1 of 1 → Wilson 20.7 … 100. The mean's t interval needs
    # n ≥ 2 for a standard deviation: at n = 1 the stored sd is None.
    respond(ces, 6, _at(latest, 3))
    rollup_full(organisation=owned_audience.organisation)

    card = _card(_dashboard(viewer_client), "ces")

    assert "100.0 % (95% interval 20.7 – 100.0 %)" in card
    assert "<dt>95% interval</dt>" not in card


def test_a_csat_change_is_in_points_and_its_breakdown_in_percent(viewer_client, owned_audience):
    from measurements.templatetags.metric_format import metric_change, metric_value

    csat = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=5
    )
    # 70 % → 75 % is a rise of 5 percentage points, not of 5 %.
    assert metric_change(5.0, csat) == "+5.0 pts"
    assert metric_change(-2.25, csat) == "-2.3 pts"
    assert metric_value(72.4, csat) == "72.4 %"
