"""Rollups do not depend on how responses were batched: one push, or two in either order.

Responses go through the API (POST /api/v1/responses/) and the stale marks they leave are
consumed by `stale_rollups_recompute`, the function the Celery task runs. Each scenario runs
in its own savepoint (`example_rolled_back`), so both start from the same empty registry.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measurements.models import Rollup, StaleMark
from measurements.rollups import rollup_full, stale_rollups_recompute
from tests.properties.strategies import SCALES, ZONES, example_rolled_back, iso, offsets, zones

URL = "/api/v1/responses/"
GRANULARITIES = {"day", "week", "month", "quarter"}
# 110 days from 20 Dec 2024: a year's end, three month ends, a quarter's end, ISO weeks
# straddling both, all in the past.
FIRST_DAY = datetime(2024, 12, 20)
LAST_DAY = FIRST_DAY + timedelta(days=110)


@st.composite
def spread_response(draw) -> dict:
    metric = draw(st.sampled_from(sorted(SCALES)))
    instant = draw(st.datetimes(min_value=FIRST_DAY, max_value=LAST_DAY, timezones=st.just(UTC)))
    return {
        "audience": "customers",
        "metric": metric,
        "score": draw(st.integers(*SCALES[metric])),
        "responded_at": iso(instant.astimezone(draw(offsets | zones))),
    }


@st.composite
def batches(draw) -> list[dict]:
    """Responses with distinct external ids (a repeated one would keep whichever came first,
    which does depend on the order) or none at all."""
    items = draw(st.lists(spread_response(), min_size=1, max_size=40))
    for number, item in enumerate(items):
        if draw(st.booleans()):
            item["external_id"] = f"r-{number}"
    return items


def push(api, items: list[dict]) -> None:
    if items:
        answer = api.post(URL, items, format="json")
        assert answer.status_code == 201, answer.content


def recompute(org) -> None:
    assert stale_rollups_recompute() >= 1
    assert not StaleMark.objects.for_org(org).exists()


def rollups(org) -> list[tuple]:
    return list(
        Rollup.objects.for_org(org)
        .order_by("definition__slug", "granularity", "period_start")
        .values_list("definition__slug", "granularity", "period_start", "value", "n", "details")
    )


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=batches(),
    cut=st.integers(min_value=0),
    swap=st.booleans(),
    recompute_between=st.booleans(),
    zone=st.sampled_from(ZONES),
)
def test_it_rolls_up_a_batch_split_in_two_exactly_like_the_whole_batch(
    api, org, nps, csat, items, cut, swap, recompute_between, zone
):
    cut %= len(items) + 1
    first, second = items[:cut], items[cut:]
    if swap:
        first, second = second, first
    org.timezone = zone

    with example_rolled_back():
        org.save()
        push(api, items)
        recompute(org)
        whole = rollups(org)

    with example_rolled_back():
        org.save()
        for number, part in enumerate(p for p in (first, second) if p):
            push(api, part)
            if recompute_between or number == 1 or not (first and second):
                recompute(org)
        split = rollups(org)
        rollup_full(organisation=org)
        full = rollups(org)

    assert split == whole
    assert full == whole  # the nightly full recompute agrees with the incremental one
    # Every response counts once in each granularity: n adds up to the responses sent.
    sent = Counter(item["metric"] for item in items)
    for granularity in GRANULARITIES:
        counted = Counter()
        for slug, rollup_granularity, _, _, n, _ in whole:
            if rollup_granularity == granularity:
                counted[slug] += n
        assert counted == sent, granularity
    # And each day holds the responses whose local day it is.
    local_days = Counter(
        (
            item["metric"],
            datetime.fromisoformat(item["responded_at"]).astimezone(ZoneInfo(zone)).date(),
        )
        for item in items
    )
    assert {(slug, start): n for slug, g, start, _, n, _ in whole if g == "day"} == local_days
