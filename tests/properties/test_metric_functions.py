"""Properties of the metric formulas (PRODUCT.md, "Metrics — exact definitions") for any input.

Each expected value is worked out here from the raw scores or counts, not from the functions'
own helpers.
"""

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from measurements.metrics import (
    ces_from_histogram,
    churn_from_counts,
    clv_from,
    csat_from_histogram,
    member_counts,
    nps_from_histogram,
    retention_from_counts,
    ttr_from_durations,
)

nps_scores = st.lists(st.integers(0, 10), min_size=1, max_size=300)
# A scale lo…hi (lo < hi) and a non-empty list of scores on it.
scales = st.tuples(st.integers(-10, 10), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1]))
scored = scales.flatmap(
    lambda s: st.tuples(st.just(s), st.lists(st.integers(*s), min_size=1, max_size=300))
)
hours = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
durations = st.lists(hours, min_size=1, max_size=200)


def histogram(scores: list[int]) -> dict[int, int]:
    """{score: count}, keys in the order the scores first appear."""
    return dict(Counter(scores))


def with_permutation(strategy):
    return strategy.flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs)))


# --- NPS ------------------------------------------------------------------------------------


@given(nps_scores)
def test_it_gives_nps_as_promoter_share_minus_detractor_share_within_bounds(scores):
    result = nps_from_histogram(histogram(scores))

    promoters = len([s for s in scores if s >= 9])
    passives = len([s for s in scores if s in (7, 8)])
    detractors = len([s for s in scores if s <= 6])
    expected = 100 * promoters / len(scores) - 100 * detractors / len(scores)
    assert -100 <= result.value <= 100
    assert result.value == pytest.approx(expected, abs=1e-9)
    assert result.n == len(scores)
    assert (
        result.details["promoters"],
        result.details["passives"],
        result.details["detractors"],
    ) == (promoters, passives, detractors)


@given(nps_scores, st.lists(st.sampled_from([7, 8]), min_size=1, max_size=300))
def test_it_moves_nps_toward_zero_when_only_passives_are_added(scores, passives):
    before = nps_from_histogram(histogram(scores)).value
    after = nps_from_histogram(histogram(scores + passives)).value
    assert after * before >= 0  # never crosses zero
    if before == 0:
        assert after == 0
    else:
        assert abs(after) < abs(before)


@given(with_permutation(nps_scores))
def test_it_gives_the_same_nps_for_any_order_of_the_scores(pair):
    scores, shuffled = pair
    assert nps_from_histogram(histogram(shuffled)) == nps_from_histogram(histogram(scores))


# --- CSAT and CES ---------------------------------------------------------------------------


@given(scored)
def test_it_gives_csat_as_the_top_two_points_share_within_bounds(scale_and_scores):
    (lo, hi), scores = scale_and_scores
    result = csat_from_histogram(histogram(scores), (lo, hi))

    satisfied = len([s for s in scores if s >= hi - 1])
    assert 0 <= result.value <= 100
    assert result.value == pytest.approx(100 * satisfied / len(scores))
    assert result.n == len(scores)
    assert lo <= result.details["mean"] <= hi
    assert result.details["mean"] == pytest.approx(statistics.fmean(scores))


@given(scored)
def test_it_gives_ces_as_the_mean_with_an_agree_share_within_bounds(scale_and_scores):
    (lo, hi), scores = scale_and_scores
    result = ces_from_histogram(histogram(scores), (lo, hi))

    assert lo <= result.value <= hi
    assert result.value == pytest.approx(statistics.fmean(scores))
    assert 0 <= result.details["agree_share"] <= 100
    assert result.n == len(scores)


@given(
    st.sampled_from([(1, 5, 4), (1, 7, 5)]).flatmap(
        lambda s: st.tuples(st.just(s), st.lists(st.integers(s[0], s[1]), min_size=1))
    )
)
def test_it_counts_ces_agreement_in_the_top_two_of_five_or_top_three_of_seven(case):
    # PRODUCT.md: agreeing is 5–7 on a 1–7 scale, 4–5 on a 1–5 scale.
    (lo, hi, agree_from), scores = case
    result = ces_from_histogram(histogram(scores), (lo, hi))
    agreeing = len([s for s in scores if s >= agree_from])
    assert result.details["agreeing"] == agreeing
    assert result.details["agree_share"] == pytest.approx(100 * agreeing / len(scores))


@given(scored.flatmap(lambda p: st.tuples(st.just(p[0]), st.just(p[1]), st.permutations(p[1]))))
def test_it_gives_the_same_csat_and_ces_for_any_order_of_the_scores(case):
    scale, scores, shuffled = case
    assert csat_from_histogram(histogram(shuffled), scale) == csat_from_histogram(
        histogram(scores), scale
    )
    assert ces_from_histogram(histogram(shuffled), scale) == ces_from_histogram(
        histogram(scores), scale
    )


# --- TTR ------------------------------------------------------------------------------------


@given(durations)
def test_it_gives_ttr_median_mean_and_p90_like_percentile_cont(hours_list):
    result = ttr_from_durations(hours_list)
    low, high = min(hours_list), max(hours_list)
    slack = 1e-9 * max(1.0, high)
    median, mean, p90 = result.value, result.details["mean"], result.details["p90"]

    assert result.n == len(hours_list)
    assert median == pytest.approx(statistics.median(hours_list), abs=slack)
    assert mean == pytest.approx(statistics.fmean(hours_list), abs=slack)
    if len(hours_list) > 1:
        # `inclusive` is the linear interpolation between closest ranks of percentile_cont.
        deciles = statistics.quantiles(hours_list, n=10, method="inclusive")
        assert p90 == pytest.approx(deciles[8], abs=slack)
    assert low - slack <= median <= p90 + slack
    assert p90 <= high + slack
    assert low - slack <= mean <= high + slack


@given(with_permutation(durations))
def test_it_gives_the_same_ttr_for_any_order_of_the_cases(pair):
    cases, shuffled = pair
    assert ttr_from_durations(shuffled, open_count=3) == ttr_from_durations(cases, open_count=3)


# --- no data --------------------------------------------------------------------------------


@given(
    st.dictionaries(st.integers(-10, 20), st.just(0), max_size=5),
    scales,
    st.integers(0, 50),
)
def test_it_gives_no_value_never_zero_for_a_period_without_data(empty_hist, scale, open_count):
    # PRODUCT.md: a period with no data has no value (null), never 0.
    for result in (
        nps_from_histogram(empty_hist),
        csat_from_histogram(empty_hist, scale),
        ces_from_histogram(empty_hist, scale),
    ):
        assert (result.value, result.n) == (None, 0)
    ttr = ttr_from_durations([], open_count=open_count)
    assert (ttr.value, ttr.n, ttr.details["open"]) == (None, 0, open_count)


# --- members: retention, churn, CLV ---------------------------------------------------------


@st.composite
def cohort_counts(draw, *, min_start: int = 0):
    """S present at the start, R of them still there at the end, N joined during the period,
    joined_and_left of those gone again by its end: 0 ≤ R ≤ S and 0 ≤ joined_and_left ≤ N."""
    start = draw(st.integers(min_start, 10_000))
    joined = draw(st.integers(0, 10_000))
    return {
        "S": start,
        "R": draw(st.integers(0, start)),
        "N": joined,
        "joined_and_left": draw(st.integers(0, joined)),
    }


@given(cohort_counts(min_start=1))
@example({"S": 2, "R": 0, "N": 10, "joined_and_left": 10})  # was −500 and 600 (old formula)
def test_it_gives_retention_and_churn_within_0_to_100_that_add_up_to_one_hundred(counts):
    S, R, N, joined_and_left = counts.values()
    retention = retention_from_counts(**counts)
    churn = churn_from_counts(**counts)

    assert retention.value == pytest.approx(100 * R / S)
    assert churn.value == pytest.approx(100 * (S - R) / S)
    assert retention.value + churn.value == pytest.approx(100)
    assert 0 <= retention.value <= 100
    assert 0 <= churn.value <= 100
    assert retention.n == churn.n == S
    assert retention.details == churn.details
    assert retention.details["E"] == R + N - joined_and_left


# Instants on a grid of hours around one period [START, END), the period's own edges included,
# so members join and leave before, at, inside and after both instants.
PERIOD_START = datetime(2025, 3, 1, tzinfo=UTC)
PERIOD_END = datetime(2025, 4, 1, tzinfo=UTC)
instants = st.sampled_from(
    [PERIOD_START - timedelta(days=40), PERIOD_START - timedelta(hours=1), PERIOD_START]
    + [PERIOD_START + timedelta(days=d) for d in (1, 10, 20)]
    + [PERIOD_END - timedelta(hours=1), PERIOD_END, PERIOD_END + timedelta(days=3)]
) | st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 6, 1), timezones=st.just(UTC)
)


@st.composite
def member_history(draw):
    """(joined_at, left_at) with left_at ≥ joined_at or None, as ingestion accepts them."""
    joined = draw(instants)
    left = draw(st.none() | instants.filter(lambda t: t >= joined))
    return joined, left


def _present(joined, left, t) -> bool:
    return joined <= t and (left is None or left > t)


# PRODUCT.md's example: A, B, C at the start, C leaves, D joins and stays, F joins and leaves.
PRODUCT_EXAMPLE = [
    (PERIOD_START - timedelta(days=40), None),
    (PERIOD_START, None),
    (PERIOD_START - timedelta(hours=1), PERIOD_START + timedelta(days=10)),
    (PERIOD_START + timedelta(days=1), None),
    (PERIOD_START + timedelta(days=10), PERIOD_START + timedelta(days=20)),
]


@given(st.lists(member_history(), max_size=40))
@example(PRODUCT_EXAMPLE)
def test_it_keeps_retention_within_0_to_100_or_null_for_any_member_history(history):
    counts = member_counts(history, start=PERIOD_START, end=PERIOD_END)
    retention = retention_from_counts(**counts)
    churn = churn_from_counts(**counts)

    # Worked out here member by member, from PRODUCT.md's instants.
    at_start = [m for m in history if _present(*m, PERIOD_START)]
    at_end = [m for m in history if _present(*m, PERIOD_END)]
    newcomers = [m for m in history if PERIOD_START < m[0] <= PERIOD_END]
    assert counts["S"] == len(at_start)
    assert counts["R"] == len([m for m in at_start if _present(*m, PERIOD_END)])
    assert counts["N"] == len(newcomers)
    assert retention.details["E"] == len(at_end)
    assert counts["joined_and_left"] == len([m for m in newcomers if m not in at_end])
    if not at_start:
        assert retention.value is None
        assert churn.value is None
    else:
        assert 0 <= retention.value <= 100
        assert retention.value + churn.value == pytest.approx(100)
    if history == PRODUCT_EXAMPLE:
        assert counts == {"S": 3, "R": 2, "N": 2, "joined_and_left": 1}
        assert (round(retention.value, 2), round(churn.value, 2)) == (66.67, 33.33)


@given(cohort_counts())
def test_it_gives_no_retention_churn_or_clv_without_members_at_the_start(counts):
    counts = {**counts, "S": 0, "R": 0}
    for result in (
        retention_from_counts(**counts),
        churn_from_counts(**counts),
        clv_from(**counts, revenue=Decimal("100.00"), revenue_events=1),
    ):
        assert result.value is None


revenues = st.decimals(min_value=-(10**9), max_value=10**9, places=2)
margins = st.decimals(min_value=0, max_value=100, places=2)


@given(cohort_counts(min_start=1), revenues, st.integers(0, 50), margins)
def test_it_gives_clv_as_arpu_times_margin_over_churn(counts, revenue, events, margin):
    S, R, N, _ = counts.values()
    result = clv_from(**counts, revenue=revenue, revenue_events=events, margin_percent=margin)

    if events == 0:
        assert result.value is None  # no revenue events: no data, not a CLV of 0
        return
    if R == S:
        assert result.value is None  # nobody churned: CLV is undefined, not infinite
        return
    arpu = Fraction(revenue) / (S + N)
    churn = Fraction(S - R, S)
    expected = arpu * (Fraction(margin) / 100) / churn
    assert result.value == pytest.approx(float(expected), rel=1e-9, abs=1e-9)
    assert result.details["arpu"] == pytest.approx(float(arpu), rel=1e-9, abs=1e-9)
    # CLV's churn is the churn metric, as a fraction.
    assert result.details["churn"] * 100 == pytest.approx(churn_from_counts(**counts).value)
    if revenue >= 0:
        assert result.value >= 0
