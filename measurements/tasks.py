"""Celery tasks: thin interfaces that load by id and call one rollup or alert service.

All tasks are idempotent (recomputing writes the same rows again; an alert is claimed before
its e-mail, so it is never sent twice) and safe to run twice at once (stale marks are claimed
with SKIP LOCKED, definitions locked while recomputed). They
ack late, so a worker killed mid-task leaves the message and the marks for another run, and
retry with backoff only on transient database or broker errors.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError

from audiences.models import Organisation
from measurements.alerts import alerts_email_pending
from measurements.digest import digests_send
from measurements.models import MetricDefinition
from measurements.rollups import rollup_full, stale_rollups_recompute

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    OperationalError,  # includes deadlocks, serialisation failures and lost connections
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def recompute_stale() -> int:
    """Recompute the rollups ingestion marked stale (every minute by beat, and after writes)."""
    return stale_rollups_recompute()


@shared_task(**RETRY)
def rollup_organisation(organisation_id: int) -> int:
    """Recompute every rollup of one organisation from raw data."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    return rollup_full(organisation=organisation)


@shared_task(**RETRY)
def rollup_definition(organisation_id: int, definition_id: int) -> int:
    """Recompute every rollup of one definition: new over stored data, or its meaning changed."""
    definition = (
        MetricDefinition.objects.for_org(organisation_id)
        .select_related("organisation")
        .filter(pk=definition_id)
        .first()
    )
    if definition is None:
        return 0
    return rollup_full(organisation=definition.organisation, definition=definition)


@shared_task(**RETRY)
def rollup_nightly() -> int:
    """Queue a full recompute per organisation: it also refreshes the periods that change with
    time alone (retention, churn and CLV's S and E; TTR's open counts)."""
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        rollup_organisation.delay(organisation_id)
    return len(ids)


@shared_task(**RETRY)
def email_alerts(organisation_id: int | None = None) -> int:
    """E-mail the owners of new alerts (of one organisation, or of all): the rollup flow's
    last step, queued once its alerts are committed."""
    return alerts_email_pending(organisation_id=organisation_id)


@shared_task(**RETRY)
def send_weekly_digests() -> int:
    """Send the week's digest to the owners whose Monday morning it is (hourly by beat); an
    owner's week is claimed before the e-mail, so a second run sends nothing."""
    return digests_send().sent


def enqueue_stale_recompute() -> None:
    """Ask a worker to recompute stale rollups; never fails the caller if the broker is down.

    Ingestion calls this from `transaction.on_commit` after writing StaleMark rows. With no
    broker configured the task runs in process. If the broker is unreachable the marks stay and
    the beat schedule picks them up within a minute, so the client's write still succeeds.
    """
    try:
        recompute_stale.apply_async(retry=False)
    except Exception:  # a broker outage or an eager-mode failure must not fail a stored write
        logger.warning(
            "Could not queue the stale rollup recompute; beat will pick it up", exc_info=True
        )


def enqueue_definition_rollup(definition: MetricDefinition) -> None:
    """Ask a worker to roll one definition up; like `enqueue_stale_recompute`, never fails the
    caller: the nightly full rollup covers the definition if the broker is down."""
    try:
        rollup_definition.apply_async((definition.organisation_id, definition.pk), retry=False)
    except Exception:  # a broker outage or an eager-mode failure must not fail a stored write
        logger.warning(
            "Could not queue the rollup of definition %s; the nightly run will do it",
            definition.pk,
            exc_info=True,
        )


def enqueue_alert_emails(*, organisation_id: int | None) -> None:
    """Ask a worker to e-mail new alerts; never fails the caller: the alerts stay unsent
    (emailed_at NULL) and the next rollup run's notification sends them."""
    try:
        if email_alerts.app.conf.task_always_eager:
            # In process (the embedded default, and tests): run it here. An eager apply_async
            # still borrows a producer from the broker pool, and a closed pool lost the e-mail.
            email_alerts.apply((organisation_id,))
        else:
            email_alerts.apply_async((organisation_id,), retry=False)
    except Exception:  # a broker outage or an eager-mode failure must not fail a stored write
        logger.warning(
            "Could not queue the alert e-mails; the next rollup run sends them", exc_info=True
        )
