"""Celery tasks for webhooks: thin, by id, safe to run twice (each attempt is claimed first).

A receiver's failure is not a task failure: it is recorded and retried on the delivery's own
schedule (`services.RETRY_DELAYS`), driven by beat's sweep every minute. Celery retries only
the transient database and broker errors, like the rollup tasks.
"""

from __future__ import annotations

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from webhooks import selectors, services

RETRY = {
    "acks_late": True,
    "autoretry_for": (
        OperationalError,
        InterfaceError,
        kombu.exceptions.OperationalError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
    ),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def deliver(organisation_id: int, delivery_id: int) -> bool | None:
    """Attempt one delivery now, if it is still owed and due."""
    return services.delivery_attempt(organisation_id=organisation_id, delivery_id=delivery_id)


@shared_task(**RETRY)
def deliver_due() -> int:
    """Beat, every minute: queue every delivery that is due (retries, and lost messages)."""
    due = selectors.deliveries_due(now=timezone.now())
    return services.deliveries_due_send(deliveries=due)
