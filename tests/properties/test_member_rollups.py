"""The SQL of the member rollups agrees with PRODUCT.md's instants for any member history.

Random joins and leaves (many on or next to local period boundaries) and revenue events are
stored, the rollups computed for every granularity, and each period's S, R, N, E and
joined-and-left checked against `member_counts`, which counts member by member from the
instants; retention and churn stay within 0–100 or are null, CLV is null without revenue.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measurements.metrics import member_counts
from measurements.models import AudienceMember, MetricKind, RevenueEvent
from measurements.periods import GRANULARITIES, local_midnight, next_start
from measurements.rollups.members import member_rollups_compute
from tests.factories import MetricDefinitionFactory
from tests.properties.strategies import example_rolled_back

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Zones whose DST changes happen away from midnight, so every local midnight exists once.
ZONE_NAMES = ["UTC", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
NOW = datetime(2025, 9, 1, tzinfo=UTC)


@st.composite
def local_instants(draw, zone: ZoneInfo) -> datetime:
    """An instant in the first half of 2025, often a local midnight or a microsecond off one
    on the first day of a month (a period start of every granularity)."""
    day = date(2025, draw(st.integers(1, 7)), draw(st.sampled_from([1, 1, 2, 14, 28])))
    clock = draw(st.sampled_from([time(0), time(0), time(0, 0, 0, 1), time(12), time(23, 59)]))
    instant = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    return instant - draw(st.sampled_from([timedelta(0), timedelta(0), timedelta(microseconds=1)]))


@st.composite
def histories(draw, zone: ZoneInfo):
    members = []
    for _ in range(draw(st.integers(0, 20))):
        joined = draw(local_instants(zone))
        left = draw(st.none() | local_instants(zone).filter(lambda t, j=joined: t >= j))
        members.append((joined, left))
    revenue = draw(
        st.lists(st.tuples(local_instants(zone), st.sampled_from(["25.00", "0.00"])), max_size=6)
    )
    return members, revenue


@FUZZ
@given(data=st.data())
def test_the_member_rollups_follow_the_instants_for_any_history(owned_audience, data):
    zone_name = data.draw(st.sampled_from(ZONE_NAMES), label="zone")
    zone = ZoneInfo(zone_name)
    members, revenue = data.draw(histories(zone), label="history")
    with example_rolled_back():
        org = owned_audience.organisation
        org.timezone = zone_name
        org.save()
        definitions = [
            MetricDefinitionFactory(
                audience=owned_audience, kind=kind, slug=kind, scale_min=None, scale_max=None
            )
            for kind in (MetricKind.RETENTION, MetricKind.CHURN, MetricKind.CLV)
        ]
        AudienceMember.objects.bulk_create(
            AudienceMember(
                organisation=org,
                audience=owned_audience,
                member=f"m{i}",
                joined_at=joined,
                left_at=left,
            )
            for i, (joined, left) in enumerate(members)
        )
        RevenueEvent.objects.bulk_create(
            RevenueEvent(
                organisation=org,
                audience=owned_audience,
                member="m0",
                amount=Decimal(amount),
                currency="EUR",
                occurred_at=at,
            )
            for at, amount in revenue
        )
        for granularity in GRANULARITIES:
            values = member_rollups_compute(
                definitions, granularity=granularity, zone=zone, now=NOW
            )
            for value in values:
                start = local_midnight(value.period_start, zone)
                end = local_midnight(next_start(granularity, value.period_start), zone)
                expected = member_counts(members, start=start, end=end)
                at_end = sum(1 for j, left in members if j <= end and (left is None or left > end))
                details = value.result.details
                counted = {k: details[k] for k in ("S", "R", "N", "E", "joined_and_left")}
                assert counted == {**expected, "E": at_end}, (granularity, value.period_start)
                result, kind = value.result, value.definition.kind
                if expected["S"] == 0:
                    assert result.value is None
                elif kind in (MetricKind.RETENTION, MetricKind.CHURN):
                    assert 0 <= result.value <= 100
                    retained = 100 * expected["R"] / expected["S"]
                    own = retained if kind == MetricKind.RETENTION else 100 - retained
                    assert result.value == pytest.approx(own)
                else:
                    events = [a for at, a in revenue if start <= at < end]
                    if not events or expected["R"] == expected["S"]:
                        assert result.value is None
                    else:
                        assert result.value is not None
                        assert result.details["revenue_events"] == len(events)
