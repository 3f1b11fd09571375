"""95% intervals and change verdicts (PRODUCT.md "How sure a number is"), worked by hand."""

import math

import pytest

from measurements import intervals
from measurements.intervals import (
    SIGNIFICANT,
    WITHIN_NOISE,
    change_verdict,
    interval_of,
    mean_change,
    mean_interval,
    nps_change,
    nps_interval,
    proportion_change,
    t_975,
    wilson_interval,
)


def approx(pair, abs=0.05):
    return pytest.approx(pair, abs=abs)


def test_nps_interval_of_one_promoter_is_the_briefs_example():
    # n′ = 4, p′ = 1.75 / 4 = .4375, d′ = .75 / 4 = .1875, estimate .25,
    # variance (.625 − .0625) / 4 = .140625, √ = .375, 1.96 × .375 = .735 → −48.5 … 98.5.
    assert nps_interval(1, 0, 0) == approx((-48.5, 98.5))


def test_nps_interval_never_claims_certainty_at_n_1():
    # One detractor: the mirror image, −98.5 … 48.5 (the old margin said ± 0.0).
    low, high = nps_interval(0, 0, 1)
    assert (low, high) == approx((-98.5, 48.5))
    assert high - low > 100


def test_nps_interval_is_clamped_to_minus_100_100():
    # 3 promoters: n′ = 6, p′ = .625, d′ = .125, est .5, var (.75 − .25) / 6 = .08333,
    # √ = .288675, × 1.96 = .565803 → −6.6 … 106.6, clamped to 100.
    assert nps_interval(3, 0, 0) == approx((-6.6, 100.0))
    assert nps_interval(0, 0, 0) is None


def test_wilson_interval_of_small_shares():
    # 0 of 1: z² = 3.8416, centre = 1.9208 / 4.8416 = .39672 = half → 0 … 79.3.
    assert wilson_interval(0, 1) == approx((0.0, 79.35))
    assert wilson_interval(1, 1) == approx((20.65, 100.0))
    # 2 of 3 (PRODUCT.md's retention example): centre (.6667 + .6403) / 2.2805 = .5731,
    # half 1.96 √(.07407 + .10671) / 2.2805 = .3654 → 20.8 … 93.9.
    assert wilson_interval(2, 3) == approx((20.77, 93.85))
    assert wilson_interval(0, 0) is None


def test_mean_interval_uses_the_t_quantile_and_the_scale():
    # 2, 4, 4, 6: mean 4, s = √(8 / 3) = 1.63299, t(.975, 3) = 3.1824 (scipy; table 3.182),
    # half = 3.1824 × 1.63299 / 2 = 2.5985 → 1.4015 … 6.5985 on 1–7.
    s = math.sqrt(8 / 3)
    assert mean_interval(4, 4.0, s, (1, 7)) == approx((1.402, 6.598), abs=0.001)
    # 6, 7: mean 6.5, s = .7071, t(.975, 1) = 12.706 → 6.5 ± 6.35, clamped to 1 … 7.
    assert mean_interval(2, 6.5, math.sqrt(0.5), (1, 7)) == approx((1.0, 7.0))
    assert mean_interval(1, 5.0, 0.0, (1, 7)) is None
    assert mean_interval(10, 5.0, None, (1, 7)) is None


def test_quantiles_come_from_scipy_and_agree_with_the_printed_tables():
    # The standard t table's rows to its three decimals: t(.975, 1) = 12.706, t(.975, 3)
    # = 3.182, t(.975, 30) = 2.042; the normal z(.975) = 1.960 (1.959964 unrounded).
    assert t_975(1) == pytest.approx(12.706, abs=0.0005)
    assert t_975(3) == pytest.approx(3.182, abs=0.0005)
    assert t_975(30) == pytest.approx(2.042, abs=0.0005)
    assert abs(intervals.Z_95 - 1.959964) < 0.000001
    # A Welch df is used as it is (the table rounded 18.7 down to 18, 2.101): it lies between
    # the rows t(.975, 18) = 2.101 and t(.975, 19) = 2.093. Past the table, t tends to z.
    assert 2.093 < t_975(18.7) < 2.101
    assert intervals.Z_95 < t_975(500) < t_975(120) == pytest.approx(1.980, abs=0.0005)
    with pytest.raises(ValueError):
        t_975(0.5)


def test_two_proportion_z_test():
    # 50/100 → 65/100: pooled .575, se √(.575 × .425 × .02) = .06991, z = .15 / .06991
    # = 2.15 > 1.96. 50/100 → 60/100: pooled .55, se .07036, z = 1.42.
    assert proportion_change((50, 100), (65, 100)) == SIGNIFICANT
    assert proportion_change((50, 100), (60, 100)) == WITHIN_NOISE
    assert proportion_change((0, 0), (1, 1)) is None


def test_welch_t_uses_t_not_z():
    # n 10, s 1 both: se = √(.1 + .1) = .4472, df = 18, t(.975, 18) = 2.101.
    # Means 5 → 6: t = 2.236, significant. 5 → 5.9: t = 2.012 — over 1.96 but under 2.101.
    assert mean_change((10, 5.0, 1.0), (10, 6.0, 1.0)) == SIGNIFICANT
    assert mean_change((10, 5.0, 1.0), (10, 5.9, 1.0)) == WITHIN_NOISE
    assert mean_change((1, 5.0, 0.0), (10, 6.0, 1.0)) is None


def test_nps_change_over_adjusted_wald_variances():
    # (2, 1, 1) → (1, 1, 2): n′ = 7, estimates ±14.29, variances 889.2 each,
    # 28.57 / √1778.4 = 0.68 → within noise. (10, 0, 0) → (0, 0, 10): n′ = 13,
    # estimates ±76.92, variances 225.3 each, 153.85 / 21.23 = 7.2 → significant.
    assert nps_change((2, 1, 1), (1, 1, 2)) == WITHIN_NOISE
    assert nps_change((10, 0, 0), (0, 0, 10)) == SIGNIFICANT
    assert nps_change((0, 0, 0), (1, 0, 0)) is None


def test_interval_of_reads_stored_rollup_details():
    nps_details = {"promoters": 1, "passives": 0, "detractors": 0}
    assert interval_of(kind="nps", value=100.0, n=1, details=nps_details) == approx((-48.5, 98.5))
    csat = {"mean": 4.0, "satisfied": 2}
    assert interval_of(kind="csat", value=66.7, n=3, details=csat) == approx((20.77, 93.85))
    members = {"S": 3, "R": 2, "N": 2, "E": 3, "joined_and_left": 1}
    assert interval_of(kind="retention", value=66.7, n=3, details=members) == approx((20.77, 93.85))
    assert interval_of(kind="churn", value=33.3, n=3, details=members) == approx((6.15, 79.23))
    # CES: rollups store no standard deviation, so no interval of the mean (yet).
    assert interval_of(kind="ces", value=5.0, n=10, details={"agreeing": 7}) is None
    assert interval_of(kind="ces", value=4.0, n=4, details={"sd": math.sqrt(8 / 3)}) == approx(
        (1.402, 6.598), abs=0.001
    )
    assert interval_of(kind="ttr", value=3.0, n=10, details={"median": 3.0}) is None
    assert interval_of(kind="nps", value=None, n=0, details={}) is None


def test_change_verdict_reads_stored_rollup_details():
    before = (50.0, 100, {"S": 100, "R": 50})
    after = (65.0, 100, {"S": 100, "R": 65})
    assert change_verdict(kind="retention", before=before, after=after) == SIGNIFICANT
    assert change_verdict(kind="churn", before=before, after=after) == SIGNIFICANT
    assert (
        change_verdict(
            kind="csat",
            before=(50.0, 100, {"satisfied": 50}),
            after=(60.0, 100, {"satisfied": 60}),
        )
        == WITHIN_NOISE
    )
    assert change_verdict(kind="nps", before=(None, 0, {}), after=after) is None
    assert change_verdict(kind="ces", before=(5.0, 10, {}), after=(6.0, 10, {})) is None
    assert change_verdict(kind="clv", before=(1.0, 10, {}), after=(2.0, 10, {})) is None
    assert intervals.ces_agree_interval(1, {"agreeing": 0}) == approx((0.0, 79.35))
