"""Properties of the 95% intervals (PRODUCT.md "How sure a number is") for any input: each lies
within the metric's range, contains its point estimate, and never collapses to a point at
n = 1 (no "± 0.0")."""

import statistics

from hypothesis import example, given
from hypothesis import strategies as st

from measurements.intervals import (
    SIGNIFICANT,
    WITHIN_NOISE,
    mean_change,
    mean_interval,
    nps_change,
    nps_interval,
    proportion_change,
    wilson_interval,
)

nps_counts = st.tuples(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000)).filter(
    lambda c: sum(c) > 0
)
shares = st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
scales = st.tuples(st.integers(-10, 10), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1]))
scored = scales.flatmap(
    lambda s: st.tuples(st.just(s), st.lists(st.integers(*s), min_size=1, max_size=300))
)


@given(nps_counts)
@example((1, 0, 0))
@example((0, 0, 1))
@example((5000, 0, 0))
def test_nps_interval_is_inside_minus_100_100_and_holds_the_adjusted_estimate(counts):
    promoters, _passives, detractors = counts
    low, high = nps_interval(*counts)
    n_adj = sum(counts) + 3
    adjusted = ((promoters + 0.75) - (detractors + 0.75)) / n_adj * 100
    assert -100 <= low <= adjusted <= high <= 100
    assert high - low > 0  # never "± 0.0", even when every answer is the same


@given(shares)
@example((0, 1))
@example((1, 1))
def test_wilson_interval_is_inside_0_100_and_holds_the_share(share):
    successes, n = share
    low, high = wilson_interval(successes, n)
    assert 0 <= low <= successes / n * 100 <= high <= 100
    assert high - low > 0


@given(scored)
def test_mean_interval_is_inside_the_scale_and_holds_the_mean(case):
    scale, scores = case
    mean = statistics.fmean(scores)
    sd = statistics.stdev(scores) if len(scores) > 1 else None
    found = mean_interval(len(scores), mean, sd, scale)
    if len(scores) < 2:
        assert found is None
        return
    low, high = found
    assert scale[0] <= low <= mean <= high <= scale[1]


@given(nps_counts, nps_counts)
def test_nps_change_is_a_verdict_and_symmetric(before, after):
    verdict = nps_change(before, after)
    assert verdict in (SIGNIFICANT, WITHIN_NOISE)
    assert nps_change(after, before) == verdict
    assert nps_change(before, before) == WITHIN_NOISE


@given(shares, shares)
def test_proportion_change_is_a_verdict_and_symmetric(before, after):
    verdict = proportion_change(before, after)
    assert verdict in (SIGNIFICANT, WITHIN_NOISE)
    assert proportion_change(after, before) == verdict
    assert proportion_change(before, before) == WITHIN_NOISE


@given(scored, scored)
def test_welch_change_is_a_verdict_when_both_have_two_scores(first, second):
    def stats(scores):
        sd = statistics.stdev(scores) if len(scores) > 1 else None
        return len(scores), statistics.fmean(scores), sd

    verdict = mean_change(stats(first[1]), stats(second[1]))
    if len(first[1]) < 2 or len(second[1]) < 2:
        assert verdict is None
    else:
        assert verdict in (SIGNIFICANT, WITHIN_NOISE)
        assert mean_change(stats(first[1]), stats(first[1])) == WITHIN_NOISE
