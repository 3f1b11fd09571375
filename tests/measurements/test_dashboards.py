"""Dashboards: what a member sees, privacy of small groups, and a query count that stays put."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journeys.models import Phase
from measurements.exports import csv_safe
from measurements.models import Alert, MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.measurements.rollup_helpers import member, respond


def _month_days():
    """Noon on days of the latest complete month and of the month before (UTC org)."""
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    at = lambda d, day: datetime(d.year, d.month, day, 12, tzinfo=UTC)  # noqa: E731
    return latest, before, at


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS", target=20
    )


def _dashboard(client, slug="parents", **query):
    return client.get(reverse("measurements:dashboard", args=[slug]), query)


def test_it_shows_the_latest_complete_month_with_change_target_and_margin(viewer_client, nps):
    latest, before, at = _month_days()
    # Month before: 10, 10, 0 → (2 − 1) / 3 = 33.3. Latest month: 10, 8, 3, 2 → (1 − 2) / 4
    # = −25; change −58.3; target 20 not met. Adjusted Wald: n′ = 7, p′ = 1.75 / 7 = .25,
    # d′ = 2.75 / 7 = .392857, est −.142857, v = (.642857 − .020408) / 7 = .088921,
    # 1.96 × √v = .584466 → −72.7 … 44.2.
    for score in (10, 10, 0):
        respond(nps, score, at(before, 10))
    for score in (10, 8, 3, 2):
        respond(nps, score, at(latest, 10))
    rollup_full(organisation=nps.organisation)

    page = _dashboard(viewer_client).content.decode()

    assert 'data-value="-25.0"' in page
    assert "−58.3" in page or "-58.3" in page
    assert "not met" in page
    assert "-72.7 – 44.2" in page
    assert "Margin of error" not in page
    assert "Indicative only (n &lt; 30)" in page
    assert 'id="dashboard-charts"' in page
    assert 'class="trend-chart"' in page


def test_it_hides_breakdown_cells_and_comments_of_small_employee_groups(viewer_client, org):
    teachers = AudienceFactory(organisation=org, slug="staff", name="Staff", kind="employee")
    enps = MetricDefinitionFactory(audience=teachers, kind=MetricKind.NPS, slug="enps")
    before_stage = StageFactory(audience=teachers, phase=Phase.BEFORE)
    after_stage = StageFactory(audience=teachers, phase=Phase.AFTER)
    interview = TouchpointFactory(stage=before_stage, audience=teachers, name="Interview")
    onboarding = TouchpointFactory(stage=after_stage, audience=teachers, name="Onboarding")
    latest, _, at = _month_days()
    # Onboarding: six 10s → 100 (6 ≥ 5, shown). Interview: two 0s → hidden (2 < 5).
    for _ in range(6):
        respond(enps, 10, at(latest, 5), touchpoint=onboarding)
    for _ in range(2):
        respond(enps, 0, at(latest, 6), touchpoint=interview, comment="My manager, Ann, was rude")
    rollup_full(organisation=org)

    page = _dashboard(viewer_client, "staff").content.decode()

    assert "Onboarding" in page
    assert "Hidden: too few responses to stay anonymous" in page
    assert "Ann, was rude" not in page
    assert "Hidden: fewer than 5 comments this period" in page


def test_it_shows_the_gap_between_before_and_after_phases(viewer_client, nps):
    before_stage = StageFactory(audience=nps.audience, phase=Phase.BEFORE)
    after_stage = StageFactory(audience=nps.audience, phase=Phase.AFTER)
    visit = TouchpointFactory(stage=before_stage, audience=nps.audience, name="Open day")
    term = TouchpointFactory(stage=after_stage, audience=nps.audience, name="First term")
    latest, _, at = _month_days()
    # Before: 10, 10 → 100. After: 10, 0 → 0. Gap after − before = −100.
    respond(nps, 10, at(latest, 3), touchpoint=visit)
    respond(nps, 10, at(latest, 3), touchpoint=visit)
    respond(nps, 10, at(latest, 4), touchpoint=term)
    respond(nps, 0, at(latest, 4), touchpoint=term)
    rollup_full(organisation=nps.organisation)
    page = _dashboard(viewer_client).content.decode()
    assert "Gap after − before: <strong>-100.0</strong>" in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_its_query_count_does_not_grow_with_data(viewer_client, org, nps):
    nps.audience.rank = 10
    nps.audience.save()
    latest, before, at = _month_days()
    respond(nps, 9, at(latest, 2))
    rollup_full(organisation=org)
    dashboard_url = reverse("measurements:dashboard", args=["parents"])
    small = [
        _count_queries(viewer_client, u)
        for u in (dashboard_url, reverse("measurements:overview"), reverse("measurements:health"))
    ]

    for rank in range(1, 9):
        audience = AudienceFactory(organisation=org, rank=rank)
        extra = MetricDefinitionFactory(
            audience=audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=5
        )
        for day in (2, 3, 4):
            respond(extra, 5, at(latest, day), comment="fine")
            respond(extra, 4, at(before, day))
    for kind in (MetricKind.CSAT, MetricKind.CES):
        more = MetricDefinitionFactory(
            audience=nps.audience, kind=kind, slug=kind, scale_min=1, scale_max=5
        )
        for day in range(1, 20):
            respond(more, 4, at(latest, day), comment="ok")
    rollup_full(organisation=org)
    large = [
        _count_queries(viewer_client, u)
        for u in (dashboard_url, reverse("measurements:overview"), reverse("measurements:health"))
    ]

    assert large == small


def test_it_lists_the_top_ten_with_headline_metric_and_open_alerts(viewer_client, org, nps):
    nps.audience.rank = 2
    nps.audience.save()
    first = AudienceFactory(organisation=org, rank=1, name="Students", slug="students")
    latest, before, at = _month_days()
    respond(nps, 0, at(latest, 2))
    respond(nps, 10, at(before, 2))
    rollup_full(organisation=org)
    Alert.objects.create(
        organisation=org,
        audience=nps.audience,
        definition=nps,
        granularity="month",
        period_start=latest,
        value=-100,
        threshold=0,
    )
    page = viewer_client.get(reverse("measurements:overview")).content.decode()
    assert page.index("Students") < page.index("Parents")
    assert first.name in page
    # "Parent NPS" already says its kind: no "NPS" label after it (issue 15, "Veli NPS NPS").
    assert '<span class="metric-name">Parent NPS</span>: <strong>-100.0</strong>' in page
    # The count links to the audience's open alerts, where they can be acted on.
    assert 'class="badge bad" data-testid="open-alerts">1<' in page
    assert f"/app/alerts/?audience={nps.audience.slug}" in page
    assert "<polyline" in page
    assert "Olive Owner" in page


def test_it_shows_not_measured_cells_in_the_health_grid(viewer_client, org, nps):
    latest, _, at = _month_days()
    respond(nps, 10, at(latest, 2))  # NPS 100 ≥ target 20 → ok
    rollup_full(organisation=org)
    page = viewer_client.get(reverse("measurements:health")).content.decode()
    assert 'class="cell-ok"' in page
    assert "100.0" in page
    assert page.count("not measured") == 6  # the other six kinds of the one audience


def test_it_correlates_two_metrics_over_shared_periods(viewer_client, org, nps):
    staff = AudienceFactory(organisation=org, slug="staff", kind="employee")
    enps = MetricDefinitionFactory(audience=staff, kind=MetricKind.NPS, slug="enps")
    # Three shared months: eNPS 100, 0, −100 vs NPS 100, 0, −100 → correlation 1.00.
    for month, score_pair in zip((1, 2, 3), ((10, 10), (10, 0), (0, 0)), strict=True):
        for score in score_pair:
            respond(enps, score, datetime(2024, month, 5, 12, tzinfo=UTC))
            respond(nps, score, datetime(2024, month, 6, 12, tzinfo=UTC))
    rollup_full(organisation=org)
    page = viewer_client.get(
        reverse("measurements:compare"), {"first": enps.pk, "second": nps.pk}
    ).content.decode()
    assert "over 3 shared periods" in page
    assert "<strong>1.00</strong>" in page


def test_it_exports_csv_with_formula_prefixes_neutralised(viewer_client, org):
    audience = AudienceFactory(organisation=org, slug="-cmd")
    definition = MetricDefinitionFactory(audience=audience, slug="=hyperlink")
    respond(definition, 0, datetime(2024, 5, 5, 12, tzinfo=UTC))
    rollup_full(organisation=org)
    body = viewer_client.get(
        reverse("measurements:dashboard_csv", args=["-cmd"]), {"granularity": "month"}
    ).content.decode()
    assert body.splitlines()[0].startswith("audience,metric,kind")
    # Text cells gain a quote; the value −100 stays a number.
    assert "'-cmd,'=hyperlink,nps,month,2024-05-01,-100.0,1," in body
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe(-3.5) == -3.5


def test_it_answers_404_for_another_organisations_dashboard(outsider_client, nps):
    assert _dashboard(outsider_client).status_code == 404
    assert (
        outsider_client.get(reverse("measurements:dashboard_csv", args=["parents"])).status_code
        == 404
    )


def test_it_sends_anonymous_visitors_to_sign_in(client, nps):
    assert _dashboard(client).status_code == 302


def test_it_switches_granularity(viewer_client, nps):
    page = _dashboard(viewer_client, granularity="week").content.decode()
    assert 'aria-current="true">Week' in page
    assert (timezone.now() - timedelta(days=0)).year > 2000


def test_it_shows_cohort_retention_with_the_members_who_joined_and_left(
    viewer_client, owned_audience
):
    latest, before, at = _month_days()
    MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.RETENTION,
        slug="retention",
        name="Family retention",
        scale_min=None,
        scale_max=None,
    )
    # PRODUCT.md's example in the latest complete month: A, B, C there from the month before,
    # C leaves on the 10th, D joins on the 5th and stays, F joins on the 6th, leaves on the
    # 20th → S = 3, R = 2, retention 2 / 3 = 66.7 (the old formula showed (3 − 2) / 3 = 33.3);
    # F is shown as joined and left.
    member(owned_audience, "a", at(before, 2))
    member(owned_audience, "b", at(before, 3))
    member(owned_audience, "c", at(before, 4), at(latest, 10))
    member(owned_audience, "d", at(latest, 5))
    member(owned_audience, "f", at(latest, 6), at(latest, 20))
    rollup_full(organisation=owned_audience.organisation)

    page = _dashboard(viewer_client).content.decode()

    assert 'data-value="66.7"' in page
    assert "3 at the start" in page
    assert "2 of them still there at the end" in page
    assert "1 inside the period (not in S)" in page
