"""Deliveries to a real receiver on 127.0.0.1: signed as the Standard Webhooks specification
says, retried on a 500 and on a timeout, never sent twice, refused for private addresses."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.tasks import deliver_due

PAYLOAD = {
    "audience": "parents",
    "metric": "nps",
    "value": -12.0,
    "summary": "NPS of Parents fell to -12",
}


def _emit(org, django_capture_on_commit_callbacks, event="alert.opened"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.webhook_emit(organisation=org, event_type=event, payload=PAYLOAD)


def _make_due(delivery):
    WebhookDelivery.all_orgs.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_it_signs_a_delivery_that_verifies_with_the_specifications_algorithm(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    [got] = receiver.received
    assert got.path == "/hooks/ax"
    document = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert document["type"] == "alert.opened"
    assert document["data"] == PAYLOAD
    assert dt.datetime.fromisoformat(document["timestamp"])
    assert got.headers["webhook-id"] == delivery.message_id
    assert got.headers["webhook-signature"].startswith("v1,")
    assert " " not in got.headers["webhook-signature"]  # one secret, one signature
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None


def test_it_fails_verification_with_another_secret_or_a_changed_body(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    _emit(org, django_capture_on_commit_callbacks)
    [got] = receiver.received
    other = services.endpoint_create(
        organisation=org, url=receiver.url, events=["alert.resolved"]
    ).secret
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(got.body.replace(b"-12", b"-13"), got.headers)


def test_it_sends_only_to_active_endpoints_subscribed_to_the_event(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    services.endpoint_create(organisation=org, url=receiver.url, events=["followup.closed"])
    services.endpoint_create(
        organisation=org, url=receiver.url, events=["alert.opened"], active=False
    )
    deliveries = _emit(org, django_capture_on_commit_callbacks)
    assert [d.endpoint_id for d in deliveries] == [endpoint.endpoint.pk]
    assert len(receiver.received) == 1


def test_it_sends_nothing_when_the_emitting_transaction_rolls_back(org, endpoint, receiver):
    from django.db import transaction

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.webhook_emit(organisation=org, event_type="alert.opened", payload=PAYLOAD)
        raise Undo
    assert WebhookDelivery.objects.for_org(org).count() == 0
    assert receiver.received == []


def test_it_retries_after_a_500_and_logs_both_attempts(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses.append(500)
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code == 500
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < wait <= services.RETRY_DELAYS[0]

    assert deliver_due() == 0  # not due yet: nothing is sent early
    _make_due(delivery)
    assert deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    codes = [a.status_code for a in delivery.attempt_log.order_by("number")]
    assert codes == [500, 200]
    assert len(receiver.received) == 2
    # The same message both times, so the receiver can tell it is a retry.
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.message_id}


def test_it_retries_after_a_timeout(
    org, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT = 0.5
    receiver.delay = 1.5
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None
    assert "No answer within 0.5 s" in delivery.last_error
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None and attempt.duration_ms < 1400

    receiver.delay = 0
    _make_due(delivery)
    deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_it_gives_up_after_the_last_attempt_of_the_schedule(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses.extend([503] * services.MAX_ATTEMPTS)
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    for _ in range(services.MAX_ATTEMPTS - 1):
        _make_due(delivery)
        deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None
    assert services.MAX_ATTEMPTS >= 5
    assert (
        dt.timedelta(minutes=45)
        <= sum(services.RETRY_DELAYS, dt.timedelta())
        <= dt.timedelta(minutes=75)
    )
    assert len(receiver.received) == services.MAX_ATTEMPTS


def test_it_does_not_follow_a_redirect(org, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.statuses.append(302)
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "redirect" in delivery.last_error


def test_it_sends_a_slack_compatible_body(
    org, lead, receiver, allow_private, django_capture_on_commit_callbacks
):
    services.endpoint_create(
        organisation=org, url=receiver.url, events=["alert.opened"], format="slack", actor=lead
    )
    _emit(org, django_capture_on_commit_callbacks)
    [got] = receiver.received
    assert json.loads(got.body) == {
        "text": "AX Registry: An alert opened: NPS of Parents fell to -12"
    }
    assert got.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
    ],
)
def test_it_refuses_an_endpoint_on_a_private_address(org, lead, url):
    with pytest.raises(ValidationError, match="points to a private address"):
        services.endpoint_create(organisation=org, url=url, events=["alert.opened"], actor=lead)
    assert WebhookEndpoint.objects.for_org(org).count() == 0


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://a/"])
def test_it_refuses_anything_but_http_and_https(org, url):
    with pytest.raises(ValidationError, match="http:// or https://"):
        services.endpoint_create(organisation=org, url=url, events=["alert.opened"])


def test_it_accepts_a_public_address(org):
    created = services.endpoint_create(
        organisation=org, url="https://93.184.215.14/hook", events=["alert.opened"]
    )
    assert created.secret.startswith("whsec_")


def test_it_checks_the_address_again_when_it_delivers(
    org, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # saved while allowed; refused at send time
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "points to a private address" in delivery.last_error
    assert receiver.received == []


def test_the_old_secret_verifies_during_the_overlap_and_not_after(
    org, endpoint, receiver, lead, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    new = services.endpoint_secret_rotate(endpoint=endpoint.endpoint, actor=lead).secret
    assert new != old
    _emit(org, django_capture_on_commit_callbacks)
    got = receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)

    WebhookEndpoint.all_orgs.filter(pk=endpoint.endpoint.pk).update(
        previous_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _emit(org, django_capture_on_commit_callbacks)
    got = receiver.received[-1]
    Webhook(new).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(got.body, got.headers)


def test_a_redelivery_sends_the_delivery_again_as_a_new_attempt(
    org, endpoint, receiver, lead, django_capture_on_commit_callbacks
):
    [delivery] = _emit(org, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_redeliver(delivery=delivery, actor=lead)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.message_id] * 2


def test_a_delivery_that_is_not_due_is_not_claimed(org, endpoint):
    delivery = WebhookDelivery.objects.create(
        organisation=org,
        endpoint=endpoint.endpoint,
        event_type="alert.opened",
        message_id="msg_later",
        next_attempt_at=timezone.now() + dt.timedelta(minutes=1),
    )
    claim = services.delivery_claim(
        organisation_id=org.pk, delivery_id=delivery.pk, now=timezone.now()
    )
    assert claim is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_no_delivery_is_sent_twice_when_workers_run_at_once(org, lead, receiver, allow_private):
    endpoint = services.endpoint_create(
        organisation=org, url=receiver.url, events=["alert.opened"], actor=lead
    ).endpoint
    receiver.delay = 0.3  # the first POST is still in flight when the others claim
    deliveries = [
        WebhookDelivery.objects.create(
            organisation=org,
            endpoint=endpoint,
            event_type="alert.opened",
            message_id=f"msg_{n}",
            payload={"n": n},
            next_attempt_at=timezone.now(),
        )
        for n in range(3)
    ]
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for delivery in deliveries[worker % 3 :] + deliveries[: worker % 3]:
                outcomes.append(
                    services.delivery_attempt(organisation_id=org.pk, delivery_id=delivery.pk)
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(r.headers["webhook-id"] for r in receiver.received) == ["msg_0", "msg_1", "msg_2"]
    assert outcomes.count(True) == 3 and outcomes.count(None) == 3 * workers - 3
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("succeeded", 1)
