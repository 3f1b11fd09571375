"""The TTR mean does not depend on the order the database reads the cases in.

Found by bench/load.py: after updates and moves an incremental recompute and a full one
stored means differing in the 15th digit, because AVG over double precision sums in row order.
"""

from datetime import date

from measurements.models import MetricKind
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import case, rollup_of, utc


def test_the_ttr_mean_is_summed_exactly(owned_audience):
    ttr = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.TTR, slug="ttr", scale_min=None, scale_max=None
    )
    # 6, 12 and 18 minutes = 0.1, 0.2 and 0.3 h. In floating point 0.1 + 0.2 + 0.3 is
    # 0.6000000000000001 (so a mean of 0.20000000000000004) but 0.3 + 0.2 + 0.1 is 0.6: only an
    # exact sum gives the same mean whatever the order. Mean = 0.6 / 3 = 0.2 h.
    case(ttr, "a", utc(2025, 3, 3, 9), utc(2025, 3, 3, 9, 6))
    case(ttr, "b", utc(2025, 3, 4, 9), utc(2025, 3, 4, 9, 12))
    case(ttr, "c", utc(2025, 3, 5, 9), utc(2025, 3, 5, 9, 18))
    rollup_full(audience=owned_audience)

    march = rollup_of(ttr, "month", date(2025, 3, 1))
    assert march.n == 3
    assert march.details["mean"] == 0.2
    assert march.value == 0.2  # the median, 12 minutes
