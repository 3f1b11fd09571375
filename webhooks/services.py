"""Writes for webhooks: endpoints (create, change, rotate, delete), events, and deliveries.

`webhook_emit` is what the rest of the app calls: one delivery per subscribed endpoint, sent
by a worker once the caller's transaction commits. A delivery is claimed with a conditional
UPDATE before each POST, so two workers (a queued task and beat's sweep) never send it twice,
and retried on the schedule below until a 2xx answer or the last attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import ApiKey, Organisation
from audiences.services import audit_record
from webhooks.addresses import url_addresses
from webhooks.models import (
    BodyFormat,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.selectors import OWED
from webhooks.sending import body_build, headers_sign, http_post, secret_generate

logger = logging.getLogger(__name__)

# The wait after each failed attempt: six attempts over 61 minutes, then the delivery fails
# (a lead can still redeliver it from the browser).
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=10),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ENDPOINT_FIELDS = ("url", "description", "events", "format", "active")

Actor = AbstractBaseUser | None


# --- endpoints -------------------------------------------------------------------------------


def _endpoint_check(endpoint: WebhookEndpoint) -> None:
    """Validate an endpoint before it is stored; the URL's host is resolved and checked."""
    errors: dict[str, list[ValidationError]] = {}
    events = endpoint.events
    if not isinstance(events, list) or not events:
        errors["events"] = [ValidationError(gettext("Choose at least one event."), code="required")]
    elif unknown := [e for e in events if e not in EventType.values]:
        message = gettext("Unknown event: %(events)s.") % {"events": ", ".join(map(str, unknown))}
        errors["events"] = [ValidationError(message, code="invalid_choice")]
    else:
        endpoint.events = [e for e in EventType.values if e in events]  # one order, no repeats
    if endpoint.format not in BodyFormat.values:
        message = gettext("Use one of %(values)s.") % {"values": ", ".join(BodyFormat.values)}
        errors["format"] = [ValidationError(message, code="invalid_choice")]
    try:  # the scheme and the address first: they say more than "Enter a valid URL"
        url_addresses(endpoint.url)
    except ValidationError as exc:
        errors["url"] = exc.error_dict["url"]
    try:
        endpoint.full_clean(exclude=["events", "format", *(["url"] if "url" in errors else [])])
    except ValidationError as exc:
        for name, field_errors in exc.error_dict.items():  # kept as errors: their codes too
            errors.setdefault(name, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class NewSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown to the lead once


@transaction.atomic
def endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    events: list[str],
    description: str = "",
    format: str = BodyFormat.STANDARD,
    active: bool = True,
    actor: Actor = None,
    actor_key: ApiKey | None = None,
) -> NewSecret:
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url.strip(),
        description=description.strip(),
        events=list(events),
        format=format,
        active=active,
        secret=secret_generate(),
        created_by=actor if actor is not None and actor.pk else None,
    )
    _endpoint_check(endpoint)
    endpoint.save()
    audit_record(
        organisation=organisation,
        action="created",
        obj=endpoint,
        actor_user=actor,
        actor_key=actor_key,
        changes={name: getattr(endpoint, name) for name in ENDPOINT_FIELDS},
    )
    return NewSecret(endpoint=endpoint, secret=endpoint.secret)


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor = None,
    actor_key: ApiKey | None = None,
    **fields: Any,
) -> WebhookEndpoint:
    """Change the URL, description, events, body format or whether it is active."""
    unknown = set(fields) - set(ENDPOINT_FIELDS)
    if unknown:
        raise ValueError(f"endpoint_update cannot change {sorted(unknown)}")
    endpoint = (
        WebhookEndpoint.objects.for_org(endpoint.organisation_id)
        .select_for_update()
        .get(pk=endpoint.pk)
    )
    before = {name: getattr(endpoint, name) for name in ENDPOINT_FIELDS}
    for name, value in fields.items():
        setattr(endpoint, name, value.strip() if isinstance(value, str) else value)
    _endpoint_check(endpoint)
    changes = {
        name: [before[name], getattr(endpoint, name)]
        for name in ENDPOINT_FIELDS
        if before[name] != getattr(endpoint, name)
    }
    if changes:
        endpoint.save()
        audit_record(
            organisation=endpoint.organisation,
            action="updated",
            obj=endpoint,
            actor_user=actor,
            actor_key=actor_key,
            changes=changes,
        )
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(
    *, endpoint: WebhookEndpoint, actor: Actor = None, actor_key: ApiKey | None = None
) -> NewSecret:
    """A new secret signs from now on; the one it replaces also signs until the overlap ends,
    so receivers can switch without losing a message. A rotation within the overlap drops the
    oldest secret."""
    endpoint = (
        WebhookEndpoint.objects.for_org(endpoint.organisation_id)
        .select_for_update()
        .get(pk=endpoint.pk)
    )
    overlap = dt.timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_expires_at = timezone.now() + overlap
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_expires_at"])
    audit_record(
        organisation=endpoint.organisation,
        action="secret_rotated",
        obj=endpoint,
        actor_user=actor,
        actor_key=actor_key,
        changes={"previous_expires_at": endpoint.previous_expires_at.isoformat()},
    )
    return NewSecret(endpoint=endpoint, secret=endpoint.secret)


@transaction.atomic
def endpoint_delete(
    *, endpoint: WebhookEndpoint, actor: Actor = None, actor_key: ApiKey | None = None
) -> None:
    """Delete the endpoint with its delivery log; deliveries owed to it are not sent."""
    audit_record(
        organisation=endpoint.organisation,
        action="deleted",
        obj=endpoint,
        actor_user=actor,
        actor_key=actor_key,
        changes={"url": endpoint.url, "events": endpoint.events},
    )
    WebhookEndpoint.objects.for_org(endpoint.organisation_id).filter(pk=endpoint.pk).delete()


def endpoint_secrets_in_use(*, endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign a message sent now: the current one, and the previous one
    during the overlap after a rotation."""
    in_use = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_expires_at
        and endpoint.previous_expires_at > now
    ):
        in_use.append(endpoint.previous_secret)
    return in_use


# --- events and deliveries -------------------------------------------------------------------


def _enqueue(organisation_id: int, delivery_id: int) -> None:
    # webhooks.tasks imports this module, so the task is looked up when called.
    from webhooks.tasks import deliver

    try:
        deliver.apply_async((organisation_id, delivery_id), retry=False)
    except Exception:  # a broker outage must not fail the caller: beat's sweep sends it
        logger.warning(
            "Could not queue webhook delivery %s; beat will send it", delivery_id, exc_info=True
        )


def _enqueue_on_commit(delivery: WebhookDelivery) -> None:
    organisation_id, delivery_id = delivery.organisation_id, delivery.pk
    transaction.on_commit(lambda: _enqueue(organisation_id, delivery_id))


@transaction.atomic
def webhook_emit(
    *, organisation: Organisation | int, event_type: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Send an event to every active endpoint of the organisation subscribed to it.

    Call it inside the transaction that makes the event true: the deliveries are stored with
    it and queued only once it commits (a rolled-back alert sends nothing). `payload` must be
    JSON; a "summary" string in it becomes the line a Slack-format endpoint shows.
    """
    if event_type not in EventType.values:
        raise ValueError(f"Unknown webhook event {event_type!r}")
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    endpoints = WebhookEndpoint.objects.for_org(organisation_id).filter(active=True)
    message_id = f"msg_{uuid.uuid4().hex}"
    now = timezone.now()
    deliveries = [
        WebhookDelivery.objects.create(
            organisation_id=organisation_id,
            endpoint=endpoint,
            event_type=event_type,
            message_id=message_id,
            payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints.order_by("id")
        if event_type in endpoint.events
    ]
    for delivery in deliveries:
        _enqueue_on_commit(delivery)
    return deliveries


@transaction.atomic
def delivery_redeliver(
    *, delivery: WebhookDelivery, actor: Actor = None, actor_key: ApiKey | None = None
) -> bool:
    """Send a delivery once more, now, with its own webhook-id (receivers may deduplicate);
    False when a worker is sending it at this moment."""
    updated = (
        WebhookDelivery.objects.for_org(delivery.organisation_id)
        .filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.SENDING, next_attempt_at__gt=timezone.now())
        .update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    )
    if not updated:
        return False
    audit_record(
        organisation=delivery.organisation,
        action="redelivered",
        obj=delivery,
        object_repr=f"{delivery.event_type} to {delivery.endpoint}",
        actor_user=actor,
        actor_key=actor_key,
        changes={"endpoint": delivery.endpoint_id, "message_id": delivery.message_id},
    )
    _enqueue_on_commit(delivery)
    return True


def _lease(now: dt.datetime) -> dt.datetime:
    # A claimed delivery whose worker died is owed again after this (beat's sweep takes it).
    return now + dt.timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT + 60)


def delivery_claim(*, organisation_id: int, delivery_id: int, now: dt.datetime) -> int | None:
    """Take a due delivery for one attempt: the number of that attempt, or None when it is not
    due or another worker took it first (the UPDATE's WHERE is re-checked under the row lock)."""
    claimed = (
        WebhookDelivery.objects.for_org(organisation_id)
        # Columns of this row only: a join would turn the WHERE into a subquery that
        # PostgreSQL does not re-check against the row a concurrent claim just changed.
        .filter(pk=delivery_id, status__in=OWED, next_attempt_at__lte=now)
        .update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=_lease(now)
        )
    )
    if not claimed:
        return None
    return (
        WebhookDelivery.objects.for_org(organisation_id)
        .values_list("attempts", flat=True)
        .get(pk=delivery_id)
    )


def _after_failure(attempt: int, now: dt.datetime) -> dict[str, Any]:
    if attempt >= MAX_ATTEMPTS:
        return {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    return {"status": DeliveryStatus.RETRYING, "next_attempt_at": now + RETRY_DELAYS[attempt - 1]}


def delivery_attempt(*, organisation_id: int, delivery_id: int) -> bool | None:
    """Claim the delivery, POST it once and record the answer; True on a 2xx answer, False on
    a failure (retried or failed), None when there was nothing to send.

    No transaction is held during the POST: the claim commits first, the outcome after.
    """
    now = timezone.now()
    endpoint = (
        WebhookEndpoint.objects.for_org(organisation_id).filter(deliveries__pk=delivery_id).first()
    )
    if endpoint is None or not endpoint.active:
        return None  # gone, or switched off: what it is owed waits until it is switched on
    attempt = delivery_claim(organisation_id=organisation_id, delivery_id=delivery_id, now=now)
    if attempt is None:
        return None
    delivery = WebhookDelivery.objects.for_org(organisation_id).get(pk=delivery_id)
    body = body_build(
        body_format=endpoint.format,
        event_type=delivery.event_type,
        created_at=delivery.created_at,
        payload=delivery.payload,
    )
    headers = headers_sign(
        message_id=delivery.message_id,
        body=body,
        secrets_in_use=endpoint_secrets_in_use(endpoint=endpoint, now=now),
        at=now,
    )
    try:
        address = url_addresses(endpoint.url)[0]
    except ValidationError as exc:  # checked again now: DNS may have changed since it was saved
        answer_code, error, duration = None, " ".join(exc.messages), 0
    else:
        answer = http_post(
            url=endpoint.url,
            address=address,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
        )
        answer_code, error, duration = answer.status_code, answer.error, answer.duration_ms
    ok = answer_code is not None and 200 <= answer_code < 300
    done = timezone.now()
    if ok:
        outcome = {
            "status": DeliveryStatus.SUCCEEDED,
            "next_attempt_at": None,
            "delivered_at": done,
        }
    else:
        error = error or f"The receiver answered {answer_code}."
        outcome = _after_failure(attempt, done)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            organisation_id=organisation_id,
            delivery_id=delivery_id,
            number=attempt,
            status_code=answer_code,
            error=error[:500],
            duration_ms=duration,
        )
        # Only the worker still holding this attempt's claim records its outcome.
        (
            WebhookDelivery.objects.for_org(organisation_id)
            .filter(pk=delivery_id, status=DeliveryStatus.SENDING, attempts=attempt)
            .update(last_status_code=answer_code, last_error=error[:500], **outcome)
        )
    return ok


def deliveries_due_send(*, deliveries: list[tuple[int, int]]) -> int:
    """Queue each (organisation id, delivery id); the claim makes a duplicate harmless."""
    for organisation_id, delivery_id in deliveries:
        _enqueue(organisation_id, delivery_id)
    return len(deliveries)
