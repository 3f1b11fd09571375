"""Reads for webhooks: an organisation's endpoints, an endpoint's delivery log, what is due."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from audiences.models import Organisation
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# A delivery still owed to its receiver: waiting, between retries, or claimed by a worker
# that may have died (its lease, `next_attempt_at`, then runs out).
OWED = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
LOG_LENGTH = 100


def endpoint_list(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_org(organisation).select_related("created_by")


def delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts in order."""
    attempts = WebhookAttempt.objects.for_org(endpoint.organisation_id).order_by("number")
    return (
        WebhookDelivery.objects.for_org(endpoint.organisation_id)
        .filter(endpoint=endpoint)
        .prefetch_related(Prefetch("attempt_log", queryset=attempts))[:LOG_LENGTH]
    )


def deliveries_due(*, now: dt.datetime, limit: int = 500) -> list[tuple[int, int]]:
    """(organisation id, delivery id) of every delivery owed and due, oldest first; those of a
    switched-off endpoint wait until it is switched on again."""
    due = WebhookDelivery.all_orgs.filter(  # beat's sweep: one worker for every organisation
        status__in=OWED, next_attempt_at__lte=now, endpoint__active=True
    ).order_by("next_attempt_at", "id")
    return list(due.values_list("organisation_id", "id")[:limit])
