"""`rollup.updated` sent to a real receiver on 127.0.0.1 (issue 14): one event per definition
per run that changed stored numbers, listing the changed periods; nothing for a recompute that
changes nothing, for seeding (notify=False) or for organisations that did not subscribe."""

from __future__ import annotations

from datetime import date

import pytest
from standardwebhooks import Webhook

from measurements.models import MetricKind, Response
from measurements.rollups import rollup_full
from measurements.rollups.events import ROLLUP_EVENT_MAX_PERIODS
from measurements.rollups.recompute import definitions_of, definitions_recompute
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond, utc
from webhooks import services
from webhooks.models import WebhookDelivery


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")


@pytest.fixture
def subscribed(org, receiver, allow_private):
    return services.endpoint_create(organisation=org, url=receiver.url, events=["rollup.updated"])


def recompute(definition, capture, **kwargs) -> None:
    """One recompute of the definition at 2 Dec 2025, its after-commit deliveries run."""
    with capture(execute=True):
        definitions_recompute(definitions_of([definition.pk]), now=utc(2025, 12, 2, 3), **kwargs)


def documents(receiver, secret: str) -> list[dict]:
    return [Webhook(secret).verify(got.body, got.headers) for got in receiver.received]


def test_new_numbers_send_one_event_listing_each_new_period_and_a_rerun_sends_nothing(
    nps, subscribed, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # Wednesday 12 Nov 2025: 10, 10, 0 → P 2, D 1 of 3 → NPS (2 − 1) / 3 × 100 = 33.3.
    for hour, score in enumerate([10, 10, 0]):
        respond(nps, score, utc(2025, 11, 12, 9 + hour))
    recompute(nps, capture)
    [event] = documents(receiver, subscribed.secret)
    assert event["type"] == "rollup.updated"
    rollup = event["data"]["rollup"]
    assert (rollup["audience"], rollup["metric"], rollup["kind"], rollup["label"]) == (
        "parents",
        "nps",
        "nps",
        "NPS",
    )
    assert (rollup["period_count"], rollup["truncated"]) == (4, False)
    # The day, its ISO week (Monday 10 Nov), month and quarter; coarse periods first.
    assert [
        (p["granularity"], p["period_start"], p["change"], p["n"]) for p in rollup["periods"]
    ] == [
        ("quarter", "2025-10-01", "created", 3),
        ("month", "2025-11-01", "created", 3),
        ("week", "2025-11-10", "created", 3),
        ("day", "2025-11-12", "created", 3),
    ]
    assert rollup["periods"][1]["value"] == pytest.approx(100 / 3)
    assert rollup["periods"][1]["previous_value"] is None
    assert event["data"]["summary"] == (
        "Parents: NPS changed in 4 periods (month of Nov 2025: 33.3, n 3)"
    )
    # The same data recomputed again, in full and for the touched day: nothing changed.
    recompute(nps, capture)
    recompute(nps, capture, days={nps.pk: {date(2025, 11, 12)}})
    assert len(receiver.received) == 1
    assert WebhookDelivery.all_orgs.count() == 1


def test_a_changed_value_and_a_removed_period_are_each_listed_with_what_was_there(
    nps, subscribed, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    respond(nps, 10, utc(2025, 11, 12, 9))  # Wed 12 Nov: NPS 100, n 1
    late = respond(nps, 0, utc(2025, 11, 14, 9))  # Fri 14 Nov: NPS −100, n 1
    recompute(nps, capture)
    # The Friday answer was a test: deleted, its day is gone, the week, month and quarter
    # go back to the Wednesday alone (100, n 1), which stays as it was.
    Response.objects.for_org(nps.organisation).filter(pk=late.pk).delete()
    recompute(nps, capture, days={nps.pk: {date(2025, 11, 14)}})
    first, second = documents(receiver, subscribed.secret)
    assert first["data"]["rollup"]["period_count"] == 5  # 2 days, a week, a month, a quarter
    periods = {
        (p["granularity"], p["period_start"]): (
            p["change"],
            p["value"],
            p["n"],
            p["previous_value"],
            p["previous_n"],
        )
        for p in second["data"]["rollup"]["periods"]
    }
    assert periods == {
        # Before: P 1, D 1 of 2 → 0; now P 1 of 1 → 100.
        ("quarter", "2025-10-01"): ("updated", 100.0, 1, 0.0, 2),
        ("month", "2025-11-01"): ("updated", 100.0, 1, 0.0, 2),
        ("week", "2025-11-10"): ("updated", 100.0, 1, 0.0, 2),
        ("day", "2025-11-14"): ("removed", None, None, -100.0, 1),
    }


def test_seeding_and_runs_without_notify_send_nothing(
    nps, subscribed, receiver, django_capture_on_commit_callbacks
):
    respond(nps, 10, utc(2025, 11, 12, 9))
    with django_capture_on_commit_callbacks(execute=True):
        rollup_full(organisation=nps.organisation, notify=False)
    recompute(nps, django_capture_on_commit_callbacks, notify=False)
    assert receiver.received == []
    assert not WebhookDelivery.all_orgs.exists()


def test_an_organisation_without_a_subscribed_endpoint_gets_nothing(
    org, nps, receiver, allow_private, django_capture_on_commit_callbacks
):
    services.endpoint_create(organisation=org, url=receiver.url, events=["alert.opened"])
    respond(nps, 10, utc(2025, 11, 12, 9))
    recompute(nps, django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_a_long_list_of_periods_is_capped_and_says_so(
    nps, subscribed, receiver, django_capture_on_commit_callbacks
):
    # One answer a day from Monday 1 Sep to Sunday 30 Nov 2025: 91 days, 13 ISO weeks (Mon 1 Sep
    # to the week of Mon 24 Nov), 3 months, 2 quarters (Q3 and Q4) = 109 periods.
    for offset in range(91):
        day = date(2025, 9, 1).toordinal() + offset
        respond(nps, 9, utc(*date.fromordinal(day).timetuple()[:3], 12))
    recompute(nps, django_capture_on_commit_callbacks)
    [event] = documents(receiver, subscribed.secret)
    rollup = event["data"]["rollup"]
    assert (rollup["period_count"], rollup["truncated"]) == (109, True)
    assert len(rollup["periods"]) == ROLLUP_EVENT_MAX_PERIODS == 50
    granularities = [p["granularity"] for p in rollup["periods"]]
    # All 2 quarters, 3 months and 13 weeks, then the newest 32 days (30 Nov back to 30 Oct).
    assert granularities == ["quarter"] * 2 + ["month"] * 3 + ["week"] * 13 + ["day"] * 32
    assert rollup["periods"][-1]["period_start"] == "2025-10-30"


def test_the_stale_run_sends_it_and_keeps_quiet_when_told_not_to_notify(
    nps, subscribed, receiver, django_capture_on_commit_callbacks
):
    from measurements.rollups import stale_rollups_recompute

    respond(nps, 10, utc(2025, 11, 12, 9), mark=True)
    with django_capture_on_commit_callbacks(execute=True):
        stale_rollups_recompute(notify=False)
    assert receiver.received == []
    respond(nps, 0, utc(2025, 11, 13, 9), mark=True)
    with django_capture_on_commit_callbacks(execute=True):
        stale_rollups_recompute()
    [event] = documents(receiver, subscribed.secret)
    # Thu 13 Nov is new; its week, month and quarter go from 100 (n 1) to 0 (n 2).
    assert [(p["granularity"], p["change"]) for p in event["data"]["rollup"]["periods"]] == [
        ("quarter", "updated"),
        ("month", "updated"),
        ("week", "updated"),
        ("day", "created"),
    ]
