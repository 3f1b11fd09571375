"""The CSV export, worked by hand: values and intervals rounded as the dashboard shows them,
every detail in its own column, a CLV's currency, and no rows before a series has data."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from measurements.models import MetricKind, Rollup
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import member

HEADER = (
    "audience,metric,kind,granularity,period_start,value,n,interval_low,interval_high,currency,"
    "complete,indicative,"
    # the union of the rows' detail names, sorted (capitals first)
    "R,S,arpu,churn,detractors,margin,mean,median,open,p90,passives,promoters"
)


def _row(definition, start, value, n, details):
    return Rollup.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=start,
        value=value,
        n=n,
        details=details,
    )


def _csv(client, audience="parents", **params):
    answer = client.get(reverse("measurements:dashboard_csv", args=[audience]), params)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    return answer.content.decode().splitlines()


def test_it_exports_the_rows_as_the_dashboard_shows_them(viewer_client, owned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    clv = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CLV,
        slug="clv",
        scale_min=None,
        scale_max=None,
        currency="EUR",
    )
    ttr = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.TTR, slug="ttr", scale_min=None, scale_max=None
    )
    # NPS. April: an empty period before the first response → no line.
    _row(nps, date(2024, 4, 1), None, 0, {})
    # May: one promoter → 100, adjusted Wald n′ = 4, p′ = 1.75/4 = .4375, d′ = .75/4 = .1875,
    # 25 ± 1.96 × √((.625 − .0625)/4) × 100 = 25 ± 73.5 → −48.5 … 98.5.
    _row(nps, date(2024, 5, 1), 100.0, 1, {"promoters": 1, "passives": 0, "detractors": 0})
    # June: 2 promoters, 1 detractor → 33.33… → 33.3; n′ = 6, p′ = 2.75/6, d′ = 1.75/6,
    # estimate 16.67, variance (4.5/6 − (1/6)²)/6 = .12037 → half 1.96 × 34.69 = 68.00
    # → −51.3 … 84.7.
    _row(nps, date(2024, 6, 1), 100 / 3, 3, {"promoters": 2, "passives": 0, "detractors": 1})
    # July: no responses after data → kept, empty (a gap, not the start).
    _row(nps, date(2024, 7, 1), None, 0, {})
    # CLV. May: S = 2, nobody left → churn 0, no CLV, but members were measured (n 2) → kept.
    _row(clv, date(2024, 5, 1), None, 2, {"S": 2, "R": 2})
    # June: 1234.5678 → 1234.6 EUR; the details keep 4 decimals (a fraction such as churn
    # would vanish at one).
    _row(
        clv,
        date(2024, 6, 1),
        1234.5678,
        2,
        {"S": 2, "R": 1, "arpu": 617.28394, "churn": 0.5, "margin": 1.0},
    )
    # TTR. May: two cases open, none resolved → nothing measured yet → no line.
    _row(ttr, date(2024, 5, 1), None, 0, {"open": 2})
    # June: median 12.25 h → 12.3 (half away from zero, as the card); no interval for TTR.
    _row(
        ttr,
        date(2024, 6, 1),
        12.25,
        4,
        {"median": 12.25, "mean": 13.333333, "p90": 20.0, "open": 1},
    )

    assert _csv(viewer_client, granularity="month") == [
        HEADER,
        "parents,clv,clv,month,2024-05-01,,2,,,EUR,yes,,2,2,,,,,,,,,,",
        "parents,clv,clv,month,2024-06-01,1234.6,2,,,EUR,yes,yes,1,2,617.2839,0.5,,1.0,,,,,,",
        "parents,nps,nps,month,2024-05-01,100.0,1,-48.5,98.5,,yes,yes,,,,,0,,,,,,0,1",
        "parents,nps,nps,month,2024-06-01,33.3,3,-51.3,84.7,,yes,yes,,,,,1,,,,,,0,2",
        "parents,nps,nps,month,2024-07-01,,0,,,,yes,,,,,,,,,,,,,",
        "parents,ttr,ttr,month,2024-06-01,12.3,4,,,,yes,yes,,,,,,,13.3333,12.25,1,20.0,,",
    ]


def test_a_series_without_data_exports_only_the_header(viewer_client, owned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    _row(nps, date(2024, 4, 1), None, 0, {})
    assert _csv(viewer_client) == [
        "audience,metric,kind,granularity,period_start,value,n,interval_low,interval_high,currency,"
        "complete,indicative"
    ]


def test_it_leaves_out_the_empty_period_a_member_rollup_writes_before_its_first_members(
    viewer_client, owned_audience
):
    retention = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.RETENTION,
        slug="retention",
        scale_min=None,
        scale_max=None,
    )
    # a and b join in January 2025, b leaves on 20 February.
    # January: S = 0 (nobody present on 1 January) → no value, n 0: the rollup writes it.
    # February: S = 2, R = 1 → 50.0; Wilson 1 of 2: centre .5, half 1.96 × √(.125 + .2401)
    # / 2.9207 = .4055 → 9.5 … 90.5. March: S = 1, R = 1 → 100.0; Wilson 1 of 1 → 20.7 … 100.0.
    member(owned_audience, "a", datetime(2025, 1, 10, tzinfo=UTC))
    member(
        owned_audience, "b", datetime(2025, 1, 12, tzinfo=UTC), datetime(2025, 2, 20, tzinfo=UTC)
    )
    rollup_full(organisation=owned_audience.organisation)
    january = Rollup.all_orgs.get(
        definition=retention, granularity="month", period_start=date(2025, 1, 1)
    )
    assert (january.value, january.n, january.details["N"]) == (None, 0, 2)

    lines = _csv(viewer_client, granularity="month")

    assert lines[0] == (
        "audience,metric,kind,granularity,period_start,value,n,interval_low,interval_high,"
        "currency,complete,indicative,E,N,R,S,joined_and_left"
    )
    assert lines[1:3] == [
        "parents,retention,retention,month,2025-02-01,50.0,2,9.5,90.5,,yes,yes,1,0,1,2,0",
        "parents,retention,retention,month,2025-03-01,100.0,1,20.7,100.0,,yes,yes,1,0,1,1,0",
    ]
    assert not any(",2025-01-01," in line for line in lines)


@pytest.mark.parametrize("value", [-0.04, 0.04])
def test_a_value_that_rounds_to_zero_is_written_as_zero(viewer_client, owned_audience, value):
    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    _row(nps, date(2024, 5, 1), value, 30, {})
    assert _csv(viewer_client)[1] == "parents,nps,nps,month,2024-05-01,0.0,30,,,,yes,no"


def test_the_running_month_is_marked_incomplete_and_small_n_indicative(
    viewer_client, owned_audience
):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from measurements.periods import current_period_start, previous_start

    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    zone = ZoneInfo(owned_audience.organisation.timezone or "UTC")
    this_month = current_period_start("month", zone, timezone.now())
    last_month = previous_start("month", this_month)
    # Last month: 40 answers, 20 promoters and 20 passives → 50, complete, n ≥ 30.
    _row(nps, last_month, 50.0, 40, {"promoters": 20, "passives": 20, "detractors": 0})
    # This month so far: one promoter → 100 on n 1: still running, indicative.
    _row(nps, this_month, 100.0, 1, {"promoters": 1, "passives": 0, "detractors": 0})

    lines = _csv(viewer_client, granularity="month")

    complete = lines[0].split(",").index("complete")
    cells = {line.split(",")[4]: line.split(",") for line in lines[1:]}
    assert cells[last_month.isoformat()][complete : complete + 2] == ["yes", "no"]
    assert cells[this_month.isoformat()][complete : complete + 2] == ["no", "yes"]
