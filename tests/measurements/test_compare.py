"""EX + CX (measurements.compare): correlation, its 95% interval, n and lag, worked by hand."""

import json
import math
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measurements.charts import compare_chart
from measurements.compare import (
    NO_VARIATION,
    NOT_ENOUGH,
    SAME_METRIC,
    Correlation,
    compare_choice_error,
    compare_lag,
    compare_series,
    correlation_of,
    fisher_interval,
    lag_correlations,
    pearson,
    strongest_lag,
)
from measurements.models import MetricKind, Rollup
from tests.factories import AudienceFactory, MetricDefinitionFactory

# x = 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 (EX); the second series (CX) is 7, 4 and then 2x + 10 of
# the first eight: y[t + 2] = 2·x[t] + 10, so at lag 2 the pairs lie on one line.
EX = [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3]
CX = [7.0, 4, 16, 12, 18, 12, 20, 28, 14, 22]


def test_it_correlates_with_a_fisher_z_interval():
    # x = 1…5, y = 2, 4, 5, 4, 5: means 3 and 4; deviations −2 −1 0 1 2 and −2 0 1 0 1;
    # Σdxdy = 4 + 2 = 6, Σdx² = 10, Σdy² = 6 → r = 6 / √60 = 0.7746.
    # Fisher z = atanh(0.7746) = 1.0317, se = 1/√(5 − 3) = 0.7071, z ± 1.96 × se
    # → −0.354 … 2.418, back with tanh → r −0.340 … 0.984.
    found = correlation_of(xs=[1, 2, 3, 4, 5], ys=[2, 4, 5, 4, 5])
    assert found.n == 5
    assert found.r == pytest.approx(0.7746, abs=0.00005)
    assert found.interval == pytest.approx((-0.340, 0.984), abs=0.0005)
    assert found.reason is None
    assert found.few  # 5 < 8 shared periods: the page warns
    assert pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) == found.r


def test_it_gives_no_interval_under_four_pairs():
    # x = 1, 2, 3, y = 1, 3, 2: deviations −1 0 1 and −1 1 0, Σdxdy = 1, Σdx² = Σdy² = 2
    # → r = 0.5; se = 1/√(n − 3) needs n ≥ 4.
    found = correlation_of(xs=[1, 2, 3], ys=[1, 3, 2])
    assert found.r == pytest.approx(0.5)
    assert found.interval is None
    assert fisher_interval(0.5, 3) is None
    # r = ±1: atanh is infinite, the interval is the point.
    assert fisher_interval(1.0, 8) == (1.0, 1.0)


def test_a_constant_series_is_not_too_few_periods():
    # Five shared periods, the second always 40: no variation, and more periods would not help.
    constant = correlation_of(xs=[1, 2, 3, 4, 5], ys=[40, 40, 40, 40, 40])
    assert (constant.r, constant.n, constant.reason) == (None, 5, NO_VARIATION)
    assert constant.reason == "no variation: no correlation can be computed"
    # Equal floats whose mean is off in the last bit are still constant (not r = garbage).
    assert correlation_of(xs=[0.1, 0.2, 0.3], ys=[66.67] * 3).reason == NO_VARIATION
    few = correlation_of(xs=[1, 2], ys=[3, 5])
    assert (few.r, few.reason) == (None, NOT_ENOUGH)
    assert correlation_of(xs=[], ys=[]).reason == NOT_ENOUGH


def test_the_first_series_leads_by_up_to_three_periods():
    lags = lag_correlations(EX, CX)
    # Lag k pairs EX[t] with CX[t + k] over the 10 − k periods both have: n = 10, 9, 8, 7.
    assert [c.lag for c in lags] == [0, 1, 2, 3]
    assert [c.n for c in lags] == [10, 9, 8, 7]
    # Lag 2: CX[t + 2] = 2·EX[t] + 10 exactly → r = 1, the interval the point itself.
    assert lags[2].r == pytest.approx(1.0)
    assert lags[2].interval == pytest.approx((1.0, 1.0))
    # The other lags are far from a line, e.g. lag 0 pairs (3, 7), (1, 4), (4, 16), (1, 12) …
    assert all(abs(c.r) < 0.5 for c in (lags[0], lags[1], lags[3]))
    assert strongest_lag(lags).lag == 2
    # Gaps (None) drop a pair, not the period: the lag still counts calendar periods.
    gapped = lag_correlations([*EX[:4], None, *EX[5:]], CX)
    assert [c.n for c in gapped] == [9, 8, 7, 6]
    assert gapped[2].r == pytest.approx(1.0)


def test_no_strongest_lag_without_any_correlation():
    assert strongest_lag(lag_correlations([1.0, 2.0], [3.0, 4.0])) is None


def test_the_lag_parameter_is_0_to_3():
    assert [compare_lag(raw) for raw in ("0", "2", "3")] == [0, 2, 3]
    assert [compare_lag(raw) for raw in (None, "", "4", "-1", "1.5", "x")] == [0] * 6


def test_a_metric_is_not_compared_with_itself(nps_pair):
    enps, nps = nps_pair
    assert compare_choice_error(first=enps, second=enps) == SAME_METRIC
    assert compare_choice_error(first=enps, second=nps) is None
    assert compare_choice_error(first=None, second=nps) is None


@pytest.fixture
def nps_pair(org, owned_audience):
    staff = AudienceFactory(organisation=org, name="Staff", slug="staff", kind="employee")
    enps = MetricDefinitionFactory(audience=staff, kind=MetricKind.NPS, slug="enps", name="eNPS")
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )
    return enps, nps


def _rollups(definition, values_by_month):
    for (year, month), value in values_by_month.items():
        Rollup.objects.create(
            organisation=definition.organisation,
            audience=definition.audience,
            definition=definition,
            granularity="month",
            period_start=date(year, month, 1),
            value=value,
            n=10,
        )


def test_both_series_share_one_gap_filled_time_axis(nps_pair):
    enps, nps = nps_pair
    # eNPS in Jan, Feb, Apr, Jun; NPS in Jan, Mar, Apr, Jun; nobody in May.
    _rollups(enps, {(2025, 1): 10.0, (2025, 2): 20.0, (2025, 4): 30.0, (2025, 6): 50.0})
    _rollups(nps, {(2025, 1): 5.0, (2025, 3): 15.0, (2025, 4): 25.0, (2025, 6): 10.0})
    with CaptureQueriesContext(connection) as queries:
        result = compare_series(first=enps, second=nps, granularity="month")
    assert len(queries) == 1
    assert result["axis"] == [f"2025-{m:02d}-01" for m in range(1, 7)]
    assert result["first"] == [10.0, 20.0, None, 30.0, None, 50.0]
    assert result["second"] == [5.0, None, 15.0, 25.0, None, 10.0]
    # Shared: Jan (10, 5), Apr (30, 25), Jun (50, 10): means 30 and 13.33, deviations
    # −20 0 20 and −8.33 11.67 −3.33 → Σdxdy = 166.7 − 66.7 = 100, Σdx² = 800,
    # Σdy² = 69.4 + 136.1 + 11.1 = 216.7 → r = 100 / √173333 = 0.240; n = 3: no interval.
    assert result["shared"] == 3
    assert result["correlation"] == pytest.approx(0.240, abs=0.0005)
    assert result["same_period"].interval is None
    # Lag 1 pairs Jan→Feb, Feb→Mar, Mar→Apr, Apr→May, May→Jun: only (20, 15) has both.
    # Lag 2: Jan→Mar (10, 15), Feb→Apr (20, 25), Apr→Jun (30, 10): three; lag 3: Jan→Apr.
    assert [c.n for c in result["lags"]] == [3, 1, 3, 1]


def test_the_chart_draws_the_first_series_at_the_chosen_lag(nps_pair):
    enps, nps = nps_pair
    result = {
        "axis": ["2025-10-01", "2025-11-01", "2025-12-01"],
        "first": [10.0, 20.0, 30.0],
        "second": [1.0, 2.0, 3.0],
    }
    chart = compare_chart(result=result, first=enps, second=nps, granularity="month", lag=2)
    first, second = chart["series"]
    assert chart["lag"] == 2
    # October's eNPS stands over December's NPS, which it is paired with at lag 2.
    assert first["values"] == [None, None, 10.0]
    assert first["periods"] == [None, None, "Oct 2025"]
    assert first["label"] == "Staff · eNPS from 2 months earlier"
    assert first["axis_title"] == "Staff · eNPS (NPS points)"
    assert second["values"] == [1.0, 2.0, 3.0]
    same = compare_chart(result=result, first=enps, second=nps, granularity="month")
    assert same["series"][0]["values"] == [10.0, 20.0, 30.0]
    assert same["series"][0]["label"] == "Staff · eNPS"


def _page(client, **query):
    return client.get(reverse("measurements:compare"), query).content.decode()


def test_the_page_shows_r_interval_n_and_the_lag_table(viewer_client, nps_pair):
    enps, nps = nps_pair
    months = [(2025 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(1, 11)]
    _rollups(enps, dict(zip(months, EX, strict=True)))
    _rollups(nps, dict(zip(months, CX, strict=True)))
    page = _page(viewer_client, first=enps.pk, second=nps.pk, lag=2)
    # Lag 0 over 10 shared months: r = 0.29, Fisher interval −0.41 … 0.78.
    assert "over 10 shared periods" in page
    assert "<strong>0.29</strong>" in page
    assert "95% interval -0.41&nbsp;…&nbsp;0.78" in page
    assert "this correlation may be chance" not in page.split('id="lags-title"')[0]
    assert page.count('<tr data-lag="') == 4
    assert 'data-lag="2" aria-current="true"' in page
    assert "strongest</span>" in page
    assert "Strongest: eNPS leading by 2 months, r = <strong>1.00</strong>" in page
    chart = json.loads(
        page.split('id="compare-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert chart["lag"] == 2
    assert chart["series"][0]["values"][:3] == [None, None, 3.0]


def test_the_page_warns_under_eight_shared_months_and_names_no_variation(viewer_client, nps_pair):
    enps, nps = nps_pair
    _rollups(enps, {(2025, m): float(m) for m in range(1, 6)})
    _rollups(nps, {(2025, m): 40.0 for m in range(1, 6)})
    page = _page(viewer_client, first=enps.pk, second=nps.pk)
    same_period = page.split('id="lags-title"')[0]
    assert "over 5 shared periods" in same_period
    assert "<strong>no variation: no correlation can be computed</strong>" in same_period
    assert "not enough shared periods" not in same_period
    assert "Fewer than 8 shared months: this correlation may be chance." in page


def test_the_page_refuses_a_metric_compared_with_itself(viewer_client, nps_pair):
    enps, _ = nps_pair
    _rollups(enps, {(2025, m): float(m) for m in range(1, 6)})
    page = _page(viewer_client, first=enps.pk, second=enps.pk)
    assert SAME_METRIC in page
    assert 'aria-invalid="true"' in page
    assert "Correlation (Pearson)" not in page  # not a correlation of 1.0
    assert math.isclose(correlation_of(xs=[1, 2, 3, 4], ys=[1, 2, 3, 4]).r, 1.0)


def test_the_strongest_lag_is_one_with_an_interval():
    # r = −0.99 over three pairs has no interval, so it cannot be judged and is not named;
    # 0.60 over 10 pairs is: atanh(0.6) = 0.693, se = 1/√7 = 0.378, ± 1.96 × 0.378 = 0.741
    # → −0.048 … 1.434, back with tanh → r −0.048 … 0.892.
    lags = [
        Correlation(lag=0, n=10, r=0.6, interval=fisher_interval(0.6, 10), reason=None),
        Correlation(lag=1, n=9, r=None, interval=None, reason=NO_VARIATION),
        Correlation(lag=3, n=3, r=-0.99, interval=None, reason=None),
    ]
    strongest = strongest_lag(lags)
    assert strongest.lag == 0
    assert strongest.interval == pytest.approx((-0.048, 0.892), abs=0.0005)
    assert strongest.includes_zero  # −0.048 … 0.892: no evidence of a relation
    assert not lags[0].few and lags[2].few
    # Ties go to the shorter lag: a lead claimed only when it is stronger.
    tie = [Correlation(lag=k, n=9, r=0.8, interval=(0.3, 0.96), reason=None) for k in (0, 2)]
    assert strongest_lag(tie).lag == 0
    assert not tie[0].includes_zero


def test_the_current_incomplete_period_is_left_out(nps_pair):
    enps, nps = nps_pair
    # Jan–Apr 2025 move opposite ways (r = −1); May 2025 is "now": one answer each, both 100.
    # With May, the four points plus one far outlier at (100, 100) would read as related.
    _rollups(enps, {(2025, 1): 10.0, (2025, 2): 20.0, (2025, 3): 30.0, (2025, 4): 40.0})
    _rollups(nps, {(2025, 1): 40.0, (2025, 2): 30.0, (2025, 3): 20.0, (2025, 4): 10.0})
    _rollups(enps, {(2025, 5): 100.0})
    _rollups(nps, {(2025, 5): 100.0})
    now = datetime(2025, 5, 2, 12, tzinfo=UTC)
    result = compare_series(first=enps, second=nps, granularity="month", now=now)
    assert result["axis"] == [f"2025-{m:02d}-01" for m in range(1, 5)]
    assert result["shared"] == 4
    assert result["correlation"] == pytest.approx(-1.0)
