"""The metric formulas of PRODUCT.md, each checked against numbers worked out by hand."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from measurements.metrics import (
    ces_from_histogram,
    churn_from_counts,
    clv_from,
    csat_from_histogram,
    is_indicative,
    member_counts,
    nps_from_counts,
    nps_from_histogram,
    percentile_cont,
    retention_from_counts,
    ttr_from_durations,
)


def test_it_computes_nps_and_keeps_its_counts():
    # 5 promoters, 3 passives, 2 detractors: n = 10, NPS = 50% − 20% = 30. (How sure it is, is
    # the adjusted-Wald interval of measurements.intervals, not a detail of the rollup.)
    result = nps_from_counts(5, 3, 2)
    assert result.value == pytest.approx(30.0)
    assert result.n == 10
    assert result.details["promoters"] == 5
    assert result.details["passives"] == 3
    assert result.details["detractors"] == 2
    assert "margin_of_error" not in result.details


def test_it_gives_nps_zero_for_all_passives():
    # 4 passives (7, 8, 7, 8): 0% − 0% = 0.
    result = nps_from_histogram({7: 2, 8: 2})
    assert result.value == 0
    assert result.n == 4
    assert (result.details["promoters"], result.details["passives"]) == (0, 4)


def test_it_gives_nps_of_a_single_response():
    # One 10: 100% promoters → NPS 100; v = 1 − 1 = 0, MoE 0. One 6 → −100.
    assert nps_from_histogram({10: 1}).value == 100
    assert nps_from_histogram({6: 1}).value == -100


def test_it_splits_nps_scores_at_six_and_nine():
    # Scores 0..10 once each: promoters 9, 10 (2); detractors 0–6 (7); passives 7, 8 (2).
    # NPS = (2 − 7) / 11 × 100 = −45.4545…
    result = nps_from_histogram({s: 1 for s in range(11)})
    assert (result.details["promoters"], result.details["passives"]) == (2, 2)
    assert result.details["detractors"] == 7
    assert result.value == pytest.approx(-500 / 11)


def test_it_returns_null_not_zero_when_there_is_no_data():
    assert nps_from_counts(0, 0, 0).value is None
    assert nps_from_counts(0, 0, 0).n == 0
    assert csat_from_histogram({}, (1, 5)).value is None
    assert ces_from_histogram({}, (1, 7)).value is None
    assert ttr_from_durations([]).value is None
    assert retention_from_counts(S=0, R=0, N=0, joined_and_left=0).value is None


def test_it_computes_csat_on_the_default_scale():
    # Scores 5, 4, 3, 2, 5 on 1–5: top two (4–5) = 3 of 5 → 60; mean = 19 / 5 = 3.8.
    result = csat_from_histogram({5: 2, 4: 1, 3: 1, 2: 1}, (1, 5))
    assert result.value == pytest.approx(60.0)
    assert result.details["mean"] == pytest.approx(3.8)
    assert result.n == 5


def test_it_computes_csat_on_a_ten_point_scale():
    # Scores 10, 9, 8, 8 on 1–10: top two are 9–10 → 2 of 4 = 50; mean = 35 / 4 = 8.75.
    result = csat_from_histogram({10: 1, 9: 1, 8: 2}, (1, 10))
    assert result.value == pytest.approx(50.0)
    assert result.details["mean"] == pytest.approx(8.75)


def test_it_computes_ces_on_seven_and_five_point_scales():
    # 1–7: scores 7, 5, 4, 2 → mean 18 / 4 = 4.5; agree (5–7) = 2 of 4 = 50%.
    seven = ces_from_histogram({7: 1, 5: 1, 4: 1, 2: 1}, (1, 7))
    assert seven.value == pytest.approx(4.5)
    assert seven.details["agree_share"] == pytest.approx(50.0)
    # 1–5: scores 5, 4, 3 → mean 4; agree (4–5) = 2 of 3 = 66.67%.
    five = ces_from_histogram({5: 1, 4: 1, 3: 1}, (1, 5))
    assert five.value == pytest.approx(4.0)
    assert five.details["agree_share"] == pytest.approx(200 / 3)


def test_it_interpolates_percentiles_like_percentile_cont():
    # [1, 2, 3, 4]: p90 position 0.9 × 3 = 2.7 → 3 + 0.7 × (4 − 3) = 3.7; median 2.5.
    assert percentile_cont([1, 2, 3, 4], 0.9) == pytest.approx(3.7)
    assert percentile_cont([1, 2, 3, 4], 0.5) == pytest.approx(2.5)
    assert percentile_cont([5], 0.9) == 5


def test_it_computes_ttr_median_mean_p90_and_open_count():
    # Durations 1, 2, 4, 10 hours: median (2 + 4) / 2 = 3; mean 17 / 4 = 4.25;
    # p90 at position 2.7 → 4 + 0.7 × 6 = 8.2; open cases passed through: 3.
    result = ttr_from_durations([10, 1, 4, 2], open_count=3)
    assert result.value == pytest.approx(3.0)
    assert result.n == 4
    assert result.details["mean"] == pytest.approx(4.25)
    assert result.details["p90"] == pytest.approx(8.2)
    assert result.details["open"] == 3


def _at(day: int) -> datetime:
    return datetime(2025, 3, day, tzinfo=UTC)


def test_it_computes_cohort_retention_and_churn_of_the_product_example():
    # PRODUCT.md's example over March [1 Mar, 1 Apr): A, B, C present at the start (S = 3);
    # C leaves on the 10th; D joins on the 5th and stays; F joins on the 6th, leaves on the
    # 20th. R = {A, B} = 2 → retention 2 / 3 × 100 = 66.67, churn 1 / 3 × 100 = 33.33;
    # N = {D, F} = 2; E = {A, B, D} = 3; joined-and-left = {F} = 1.
    # The old ((E − N) / S) × 100 gave (3 − 2) / 3 = 33.33 retention here.
    history = [
        (datetime(2024, 6, 1, tzinfo=UTC), None),  # A
        (datetime(2025, 1, 1, tzinfo=UTC), None),  # B
        (datetime(2024, 9, 1, tzinfo=UTC), _at(10)),  # C
        (_at(5), None),  # D
        (_at(6), _at(20)),  # F
    ]
    counts = member_counts(history, start=_at(1), end=datetime(2025, 4, 1, tzinfo=UTC))
    assert counts == {"S": 3, "R": 2, "N": 2, "joined_and_left": 1}

    retention = retention_from_counts(**counts)
    churn = churn_from_counts(**counts)
    assert retention.value == pytest.approx(200 / 3)
    assert churn.value == pytest.approx(100 / 3)
    assert retention.n == churn.n == 3
    assert retention.details == {"S": 3, "R": 2, "N": 2, "E": 3, "joined_and_left": 1}
    assert churn.details == retention.details


def test_it_counts_members_at_the_exact_start_and_end_instants():
    # Period [1 Mar, 1 Apr). g joined exactly at the start → present then (joined ≤ t): in S.
    # h left exactly at the start → not present (left_at > t fails): in nothing.
    # i joined exactly at the end → N, and present at the end. j left exactly at the end →
    # in S, not in R. k joined and left at the same instant inside → N and joined-and-left.
    end = datetime(2025, 4, 1, tzinfo=UTC)
    history = [
        (_at(1), None),  # g
        (datetime(2025, 2, 1, tzinfo=UTC), _at(1)),  # h
        (end, None),  # i
        (datetime(2025, 2, 1, tzinfo=UTC), end),  # j
        (_at(15), _at(15)),  # k
    ]
    assert member_counts(history, start=_at(1), end=end) == {
        "S": 2,
        "R": 1,
        "N": 2,
        "joined_and_left": 1,
    }


def test_it_never_gives_retention_below_zero_when_newcomers_leave():
    # S = 2, both leave; 10 newcomers join and leave inside the period: R = 0 → retention 0,
    # churn 100 (the old formula gave (0 − 10) / 2 = −500 and 600).
    retention = retention_from_counts(S=2, R=0, N=10, joined_and_left=10)
    churn = churn_from_counts(S=2, R=0, N=10, joined_and_left=10)
    assert retention.value == 0
    assert churn.value == 100
    assert retention.details["E"] == 0
    assert retention.details["joined_and_left"] == 10


def test_it_gives_no_retention_or_churn_when_nobody_was_there_at_the_start():
    # S = 0, N = 5, all stay: undefined → null for both, with the details still given.
    retention = retention_from_counts(S=0, R=0, N=5, joined_and_left=0)
    assert retention.value is None
    assert retention.details["E"] == 5
    assert churn_from_counts(S=0, R=0, N=5, joined_and_left=0).value is None


def test_it_refuses_counts_that_cannot_come_from_members():
    with pytest.raises(ValueError):
        retention_from_counts(S=2, R=3, N=0, joined_and_left=0)
    with pytest.raises(ValueError):
        churn_from_counts(S=2, R=1, N=1, joined_and_left=2)


def test_it_computes_clv():
    # S = 10, R = 8, N = 0: churn = 2 / 10 = 0.2; revenue 1000 → ARPU = 1000 / 10 = 100;
    # margin 50% → CLV = 100 × 0.5 / 0.2 = 250. Realised: 3000 to date / 12 joined = 250.
    result = clv_from(
        S=10,
        R=8,
        N=0,
        joined_and_left=0,
        revenue=Decimal("1000"),
        revenue_events=4,
        margin_percent=Decimal("50"),
        revenue_to_date=Decimal("3000"),
        members_to_date=12,
    )
    assert result.value == pytest.approx(250.0)
    assert result.details["arpu"] == pytest.approx(100.0)
    assert result.details["margin"] == pytest.approx(0.5)
    assert result.details["churn"] == pytest.approx(0.2)
    assert result.details["realised_revenue_per_member"] == pytest.approx(250.0)


def test_it_takes_clv_churn_from_the_starting_cohort():
    # PRODUCT.md's example: S = 3, R = 2, N = 2 (D stays, F leaves): churn = 1 / 3; revenue
    # 500 → ARPU = 500 / (3 + 2) = 100; margin 100% → CLV = 100 / (1 / 3) = 300.
    # (F's leaving is not churn of the cohort; the old (S + N − E) / S was 2 / 3 → 150.)
    result = clv_from(S=3, R=2, N=2, joined_and_left=1, revenue=500, revenue_events=5)
    assert result.value == pytest.approx(300.0)
    assert result.details["churn"] == pytest.approx(1 / 3)


def test_it_gives_no_clv_when_churn_is_zero_or_s_is_zero():
    # S = 10, R = 10, N = 2: nobody lost → churn 0 → null (ARPU still 500 / 12).
    no_churn = clv_from(S=10, R=10, N=2, joined_and_left=0, revenue=500, revenue_events=1)
    assert no_churn.value is None
    assert no_churn.details["arpu"] == pytest.approx(500 / 12)
    nobody = clv_from(S=0, R=0, N=3, joined_and_left=0, revenue=500, revenue_events=1)
    assert nobody.value is None


def test_it_gives_no_clv_for_a_period_without_revenue_events():
    # S = 10, R = 8 (churn 0.2) but no revenue event at all: no data, not a CLV of 0.
    result = clv_from(S=10, R=8, N=0, joined_and_left=0, revenue=0, revenue_events=0)
    assert result.value is None
    assert result.details["revenue"] is None
    assert result.details["arpu"] is None
    assert result.details["revenue_events"] == 0


def test_it_gives_a_clv_of_zero_when_the_revenue_events_sum_to_zero():
    # A payment of 50 and its refund of −50: there is data, and it says 0.
    result = clv_from(S=10, R=8, N=0, joined_and_left=0, revenue=Decimal("0.00"), revenue_events=2)
    assert result.value == 0
    assert result.details["arpu"] == 0


def test_it_flags_under_thirty_as_indicative():
    assert is_indicative(29)
    assert not is_indicative(30)
    assert nps_from_counts(10, 10, 9).indicative
    assert not nps_from_counts(10, 10, 10).indicative
