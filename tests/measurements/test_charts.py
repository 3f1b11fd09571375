"""measurements.charts: what a trend chart draws, worked out by hand (no database)."""

from datetime import date

import pytest

from audiences.models import Audience
from measurements.charts import chart_data, compare_chart, period_label, value_range, with_unit
from measurements.dashboard_selectors import Card
from measurements.models import MetricDefinition, MetricKind


def _definition(kind: str, *, pk: int = 1, name: str = "Metric", audience: str = "Parents"):
    return MetricDefinition(pk=pk, kind=kind, name=name, audience=Audience(name=audience))


def _card(kind: str, series: list[dict], *, target=None, details=None, previous_details=None):
    latest = date.fromisoformat(series[-1]["period"])
    return Card(
        definition=_definition(kind),
        period_start=latest,
        value=series[-1]["value"],
        n=series[-1]["n"],
        details=details or {},
        previous=series[-2]["value"] if len(series) > 1 else None,
        previous_details=previous_details or {},
        target=target,
        series=series,
    )


@pytest.mark.parametrize(
    ("start", "granularity", "label"),
    [
        (date(2025, 12, 1), "month", "Dec 2025"),
        (date(2026, 1, 1), "month", "Jan 2026"),
        (date(2025, 12, 1), "week", "w/c 1 Dec 2025"),  # a Monday
        (date(2025, 12, 1), "day", "1 Dec"),
        (date(2025, 10, 1), "quarter", "Q4 2025"),
        (date(2026, 1, 1), "quarter", "Q1 2026"),
    ],
)
def test_a_period_reads_as_people_say_it(start, granularity, label):
    assert period_label(start, granularity) == label


def test_an_unknown_granularity_is_an_error():
    with pytest.raises(ValueError):
        period_label(date(2025, 12, 1), "year")


@pytest.mark.parametrize(
    ("kind", "target", "label"),
    [
        (MetricKind.NPS, 40, "Target 40"),
        (MetricKind.CSAT, 80.0, "Target 80 %"),
        (MetricKind.TTR, 24, "Target 24 h"),
        (MetricKind.TTR, 37.5, "Target 37.5 h"),
        (MetricKind.NPS, -10, "Target -10"),
    ],
)
def test_the_target_line_is_labelled_with_its_unit(kind, target, label):
    card = _card(kind, [{"period": "2025-12-01", "value": 50.0, "n": 40}], target=target)
    assert chart_data(cards=[card], granularity="month")[0]["target_label"] == label


def test_no_target_no_label():
    card = _card(MetricKind.NPS, [{"period": "2025-12-01", "value": 50.0, "n": 40}])
    chart = chart_data(cards=[card], granularity="month")[0]
    assert chart["target"] is None and chart["target_label"] is None


def test_with_unit_drops_a_trailing_zero_only():
    assert with_unit(80.0, "%") == "80 %"
    # one decimal, halves away from zero, as the cards show (display.value_rounded)
    assert with_unit(12.25, "h") == "12.3 h"
    assert with_unit(3, "") == "3"


def test_each_point_has_its_label_n_and_whether_it_is_indicative():
    series = [
        {"period": "2025-10-01", "value": None, "n": 0},
        {"period": "2025-11-01", "value": 20.0, "n": 30},
        {"period": "2025-12-01", "value": 45.0, "n": 12},
    ]
    chart = chart_data(cards=[_card(MetricKind.NPS, series)], granularity="month")[0]
    assert chart["labels"] == ["Oct 2025", "Nov 2025", "Dec 2025"]
    assert [p["n"] for p in chart["points"]] == [0, 30, 12]
    # n 12 < 30 → indicative; n 30 is not; a period with no value is not a point at all.
    assert [p["indicative"] for p in chart["points"]] == [False, False, True]
    assert chart["unit"] == "" and chart["label"] == "Metric" and chart["id"] == 1


def test_an_nps_point_carries_the_adjusted_wald_interval_of_its_counts():
    # 12 promoters, 5 passives, 3 detractors of 20 (NPS 45): n′ = 23, p′ = 12.75 / 23
    # = .554348, d′ = 3.75 / 23 = .163043, estimate .391304; variance (.717391 − .153119) / 23
    # = .024534, 1.96 × √v = .307 → 39.13 ± 30.70 = 8.43 … 69.83.
    counts = {"promoters": 12, "passives": 5, "detractors": 3}
    series = [{"period": "2025-12-01", "value": 45.0, "n": 20, "details": counts}]
    point = chart_data(cards=[_card(MetricKind.NPS, series)], granularity="month")[0]["points"][0]
    assert point["low"] == pytest.approx(8.43, abs=0.01)
    assert point["high"] == pytest.approx(69.83, abs=0.01)
    assert point["indicative"] is True


def test_a_csat_point_carries_the_wilson_interval_in_percent():
    # 8 satisfied of 10: p = .8, z² = 3.8416, denominator 1.38416, centre .99208 / 1.38416
    # = .716738, half 1.96 × √(.016 + .009604) / 1.38416 = .226581 → 49.0 … 94.3 %.
    series = [{"period": "2025-12-01", "value": 80.0, "n": 10, "details": {"satisfied": 8}}]
    chart = chart_data(cards=[_card(MetricKind.CSAT, series)], granularity="month")[0]
    assert chart["unit"] == "%"
    assert chart["points"][0]["low"] == pytest.approx(49.02, abs=0.01)
    assert chart["points"][0]["high"] == pytest.approx(94.33, abs=0.01)


def test_without_details_in_the_series_the_cards_two_periods_still_have_their_interval():
    # The card keeps the counts of its latest period and the one before (for its change);
    # older points have none to compute from, so no band there rather than a made-up one.
    series = [
        {"period": "2025-10-01", "value": 10.0, "n": 10},
        {"period": "2025-11-01", "value": 70.0, "n": 10},
        {"period": "2025-12-01", "value": 80.0, "n": 10},
    ]
    card = _card(
        MetricKind.CSAT,
        series,
        details={"satisfied": 8},
        previous_details={"satisfied": 7},
    )
    points = chart_data(cards=[card], granularity="month")[0]["points"]
    assert points[0]["low"] is None and points[0]["high"] is None
    assert points[1]["low"] is not None and points[1]["high"] is not None
    assert points[2]["low"] == pytest.approx(49.02, abs=0.01)


def test_time_to_resolution_has_no_interval_and_reads_in_hours():
    series = [{"period": "2025-12-01", "value": 18.5, "n": 40, "details": {}}]
    chart = chart_data(cards=[_card(MetricKind.TTR, series)], granularity="month")[0]
    assert chart["unit"] == "h"
    assert (chart["points"][0]["low"], chart["points"][0]["high"]) == (None, None)


def test_a_lone_point_is_kept_with_its_empty_neighbours():
    series = [{"period": f"2025-{m:02d}-01", "value": None, "n": 0} for m in range(1, 12)]
    series.append({"period": "2025-12-01", "value": 62.0, "n": 8})
    chart = chart_data(cards=[_card(MetricKind.CSAT, series)], granularity="month")[0]
    assert len(chart["labels"]) == 12 and chart["labels"][-1] == "Dec 2025"
    assert [p["value"] for p in chart["points"] if p["value"] is not None] == [62.0]


def test_the_compare_chart_titles_each_axis_with_metric_and_unit():
    enps = _definition(MetricKind.NPS, name="eNPS", audience="Staff")
    csat = _definition(MetricKind.CSAT, pk=2, name="CSAT", audience="Parents")
    ces = _definition(MetricKind.CES, pk=3, name="Effort", audience="Parents")
    result = {"axis": ["2025-11-01", "2025-12-01"], "first": [10.0, 20.0], "second": [None, 80]}
    chart = compare_chart(result=result, first=enps, second=csat, granularity="month")
    assert chart["labels"] == ["Nov 2025", "Dec 2025"]
    assert chart["x_title"] == "Month"
    assert [s["axis_title"] for s in chart["series"]] == [
        "Staff · eNPS (NPS points)",
        "Parents · CSAT (%)",
    ]
    assert chart["series"][1]["values"] == [None, 80]
    quarters = {**result, "axis": ["2025-10-01", "2026-01-01"]}
    quarterly = compare_chart(result=quarters, first=ces, second=csat, granularity="quarter")
    assert quarterly["labels"] == ["Q4 2025", "Q1 2026"]
    assert quarterly["x_title"] == "Quarter"
    assert quarterly["series"][0]["axis_title"] == "Parents · Effort (mean on 1–7)"


def test_each_chart_knows_the_values_its_metric_can_take():
    assert value_range(_definition(MetricKind.NPS)) == (-100.0, 100.0)
    assert value_range(_definition(MetricKind.CSAT)) == (0.0, 100.0)
    assert value_range(_definition(MetricKind.TTR)) == (0.0, None)
    assert value_range(_definition(MetricKind.CLV)) == (None, None)
    ces = MetricDefinition(kind=MetricKind.CES, scale_min=1, scale_max=5)
    assert value_range(ces) == (1.0, 5.0)  # a CES mean lies on its definition's scale
    card = _card(MetricKind.NPS, [{"period": "2025-12-01", "value": 50.0, "n": 40}])
    assert chart_data(cards=[card], granularity="month")[0]["range"] == (-100.0, 100.0)
