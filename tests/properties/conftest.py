"""The API fixtures of tests/api (a key for `org`, a client using it, the `customers` audience
and its `nps` definition), plus one definition of every other kind on `customers`, so every
kind of pushed item has somewhere to go and leaves stale marks."""

import pytest

from measurements.models import MetricKind
from tests.api.conftest import api, customers, key, nps, touchpoint  # noqa: F401 (fixtures)
from tests.factories import MetricDefinitionFactory


@pytest.fixture
def csat(customers):  # noqa: F811 (the fixture imported above)
    return MetricDefinitionFactory(
        audience=customers, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=5
    )


@pytest.fixture
def every_kind(nps, csat, touchpoint, customers):  # noqa: F811
    """NPS (0–10) and CSAT (1–5) take scores; TTR, retention, churn and CLV take cases,
    members and revenue events; the `checkout` touchpoint is on `customers`."""
    for kind in (MetricKind.TTR, MetricKind.RETENTION, MetricKind.CHURN, MetricKind.CLV):
        MetricDefinitionFactory(
            audience=customers, kind=kind, slug=kind, scale_min=None, scale_max=None
        )
    return customers
