"""Alert transitions sent as webhooks to a real receiver on 127.0.0.1 (issue 14): one
`alert.opened` when a complete month crosses, nothing more while the crossing merely goes on or
a recompute runs again, one `alert.resolved` when a month is back on the right side; only to
the alert's organisation, and nothing for seeded history."""

from __future__ import annotations

import json
from datetime import date

import pytest
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from audiences.services import api_key_create
from measurements.models import Alert, MetricKind
from measurements.rollups import rollup_full
from measurements.rollups.recompute import definitions_of, definitions_recompute
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond, utc
from webhooks import services
from webhooks.models import WebhookDelivery

EVENTS = ["alert.opened", "alert.resolved"]


@pytest.fixture
def enps(unowned_audience):
    # Teachers (employees): NPS reads "eNPS"; one response is enough to alert in these tests.
    return MetricDefinitionFactory(
        audience=unowned_audience,
        kind=MetricKind.NPS,
        slug="enps",
        alert_threshold=0,
        alert_min_n=1,
    )


@pytest.fixture
def subscribed(org, receiver, allow_private):
    return services.endpoint_create(organisation=org, url=receiver.url, events=EVENTS)


def month_of(definition, year: int, month: int, scores: list[int]) -> None:
    for i, score in enumerate(scores):
        respond(definition, score, utc(year, month, 10, 8, i))


def recompute(definition, now, capture, **kwargs) -> None:
    """One recompute of the definition at `now`, its after-commit work (deliveries) run."""
    with capture(execute=True):
        definitions_recompute(definitions_of([definition.pk]), now=now, **kwargs)


def api_of(organisation) -> APIClient:
    api = APIClient()
    raw = api_key_create(organisation=organisation, name="reader").raw_key
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def documents(receiver, secret: str) -> list[dict]:
    """Every body received, each verified with the Standard Webhooks algorithm."""
    return [Webhook(secret).verify(got.body, got.headers) for got in receiver.received]


def test_a_crossing_sends_one_opened_then_one_resolved_event(
    enps, subscribed, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # November 2025: 10, 0, 0, 8 → P 1, D 2 of 4 → NPS (1 − 2) / 4 × 100 = −25, below 0.
    month_of(enps, 2025, 11, [10, 0, 0, 8])
    recompute(enps, utc(2025, 11, 30, 23), capture)  # November still running: no alert
    assert receiver.received == []
    recompute(enps, utc(2025, 12, 1, 1), capture)
    alert = Alert.all_orgs.get(definition=enps)
    [opened] = documents(receiver, subscribed.secret)
    assert opened["type"] == "alert.opened"
    shown = api_of(alert.organisation).get(f"/api/v1/alerts/{alert.pk}/").json()
    # The event's alert is the API's alert: same names, same values (walk2 #6).
    assert opened["data"] == {
        "alert": shown,
        "summary": "Teachers: eNPS -25.0 in Nov 2025, below its alert threshold of 0",
    }
    assert shown | {"opened_at": None} == {
        "id": alert.pk,
        "audience": "teachers",
        "metric": "enps",
        "kind": "nps",
        "label": "eNPS",
        "period_start": "2025-11-01",
        "last_period_start": "2025-11-01",
        "value": -25.0,
        "threshold": 0.0,
        "direction": "below",
        "status": "open",
        "opened_at": None,
        "emailed_at": None,
        "emailed_to": None,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "closed_at": None,
        "closed_by": None,
        "closed_by_person": False,
        "back_on_target_at": None,
        "note": "",
    }
    assert shown["opened_at"] == alert.created_at.isoformat().replace("+00:00", "Z")
    [delivery] = WebhookDelivery.all_orgs.all()
    assert delivery.status == "succeeded"
    assert receiver.received[0].headers["webhook-id"] == delivery.message_id

    # The same recompute again, and again a day later: the row does not change, nothing is sent.
    recompute(enps, utc(2025, 12, 1, 1), capture)
    recompute(enps, utc(2025, 12, 2, 1), capture)
    assert len(receiver.received) == 1

    # December 2025 continues it (−100): the alert's months and value move, no event.
    month_of(enps, 2025, 12, [0])
    recompute(enps, utc(2026, 1, 1, 1), capture)
    assert len(receiver.received) == 1
    alert.refresh_from_db()
    assert (alert.last_period_start, alert.value, alert.resolved_at) == (
        date(2025, 12, 1),
        -100.0,
        None,
    )

    # January 2026 is back on the right side (10 → NPS 100): one alert.resolved.
    month_of(enps, 2026, 1, [10])
    recompute(enps, utc(2026, 2, 1, 1), capture)
    recompute(enps, utc(2026, 2, 1, 2), capture)
    resolved = documents(receiver, subscribed.secret)[1:]
    assert [d["type"] for d in resolved] == ["alert.resolved"]
    alert.refresh_from_db()
    assert (
        resolved[0]["data"]["alert"]
        == api_of(alert.organisation).get(f"/api/v1/alerts/{alert.pk}/").json()
    )
    assert {
        k: v
        for k, v in resolved[0]["data"]["alert"].items()
        if k in ("last_period_start", "value", "status", "closed_at", "closed_by")
        or k.startswith("back_on")
    } == {
        "last_period_start": "2025-12-01",
        "value": -100.0,
        "status": "resolved",
        "closed_at": "2026-02-01T01:00:00Z",
        "closed_by": None,  # the value came back; nobody resolved it
        "back_on_target_at": "2026-02-01T01:00:00Z",
    }
    assert resolved[0]["data"]["summary"] == (
        "Teachers: eNPS no longer below its alert threshold of 0 "
        "(below it from Nov 2025 to Dec 2025, last -100.0)"
    )
    assert WebhookDelivery.all_orgs.count() == 2


def test_late_data_that_reopens_an_alert_sends_opened_again_for_the_same_alert(
    enps, subscribed, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    month_of(enps, 2025, 11, [0])  # −100: opens
    month_of(enps, 2025, 12, [10])  # 100: resolves
    recompute(enps, utc(2025, 12, 1, 1), capture)
    recompute(enps, utc(2026, 1, 1, 1), capture)
    # Late December answers: 10, 0, 0, 0 → P 1, D 3 of 4 → −50: the crossing goes on.
    month_of(enps, 2025, 12, [0, 0, 0])
    recompute(enps, utc(2026, 1, 2, 1), capture)
    sent = documents(receiver, subscribed.secret)
    assert [d["type"] for d in sent] == ["alert.opened", "alert.resolved", "alert.opened"]
    assert len({d["data"]["alert"]["id"] for d in sent}) == 1  # the same alert, reopened
    # Reopened, the alert is the same crossing: opened_at stays when it was first opened.
    assert sent[2]["data"]["alert"]["opened_at"] == sent[0]["data"]["alert"]["opened_at"]
    assert (sent[2]["data"]["alert"]["status"], sent[2]["data"]["alert"]["closed_at"]) == (
        "open",
        None,
    )
    assert sent[2]["data"]["summary"] == (
        "Teachers: eNPS -50.0 in Dec 2025, below its alert threshold of 0 (since Nov 2025)"
    )


def test_a_crossing_already_over_when_it_is_found_is_not_news(
    enps, subscribed, receiver, django_capture_on_commit_callbacks
):
    # History rolled up at once: November below, December back above (as for the e-mail).
    month_of(enps, 2025, 11, [0])
    month_of(enps, 2025, 12, [10])
    recompute(enps, utc(2026, 1, 1, 1), django_capture_on_commit_callbacks)
    assert Alert.all_orgs.get(definition=enps).resolved_at is not None
    assert receiver.received == []


def test_an_endpoint_of_another_organisation_receives_nothing(
    enps, subscribed, other_org, receiver, django_capture_on_commit_callbacks
):
    services.endpoint_create(organisation=other_org, url=receiver.url + "/acme", events=EVENTS)
    month_of(enps, 2025, 11, [0])
    month_of(enps, 2025, 12, [10])
    recompute(enps, utc(2025, 12, 1, 1), django_capture_on_commit_callbacks)
    recompute(enps, utc(2026, 1, 1, 1), django_capture_on_commit_callbacks)
    assert [got.path for got in receiver.received] == ["/hooks/ax", "/hooks/ax"]
    assert not WebhookDelivery.all_orgs.filter(organisation=other_org).exists()


def test_a_slack_endpoint_shows_the_summary_line(
    org, enps, receiver, allow_private, django_capture_on_commit_callbacks
):
    slack = services.endpoint_create(
        organisation=org, url=receiver.url, events=EVENTS, format="slack"
    )
    month_of(enps, 2025, 11, [10, 0, 0, 8])
    recompute(enps, utc(2025, 12, 1, 1), django_capture_on_commit_callbacks)
    [got] = receiver.received
    Webhook(slack.secret).verify(got.body, got.headers)
    assert json.loads(got.body) == {
        "text": "AX Registry: An alert opened: "
        "Teachers: eNPS -25.0 in Nov 2025, below its alert threshold of 0"
    }


def test_seeding_without_notify_sends_nothing_then_or_later(
    org, enps, subscribed, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    month_of(enps, 2025, 11, [0])  # an open crossing in a complete month
    with capture(execute=True):
        rollup_full(organisation=org, notify=False)  # what the demo seeding runs
    assert Alert.all_orgs.get(definition=enps).resolved_at is None
    # A later recompute with notify finds the seeded alert as it is: no transition, no event.
    recompute(enps, utc(2026, 1, 1, 1), capture)
    recompute(enps, utc(2025, 12, 1, 1), capture, notify=False)
    assert receiver.received == []
    assert not WebhookDelivery.all_orgs.exists()


def test_responses_pushed_through_the_api_send_one_signed_alert_opened(
    org, enps, subscribed, receiver, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    items = [
        {"audience": "teachers", "metric": "enps", "score": score, "responded_at": at}
        for score, at in ((0, "2025-05-06T09:00:00Z"), (3, "2025-05-07T09:00:00Z"))
    ]
    for batch in (items, items):  # the same push twice: duplicates, and no second event
        with django_capture_on_commit_callbacks(execute=True):
            answer = api.post("/api/v1/responses/", batch, format="json")
        assert answer.status_code == 201, answer.content
    # The stale recompute ran after the first push's commit: May 2025 (−100) crossed.
    [opened] = documents(receiver, subscribed.secret)
    assert opened["type"] == "alert.opened"
    assert opened["data"]["alert"]["period_start"] == "2025-05-01"
    assert opened["data"]["alert"]["value"] == -100.0
