"""Alerts: a monthly value past its definition's alert threshold, recorded and e-mailed once.

Two steps of the rollup flow (claim → compute → write → alerts → notify):
- `alerts_evaluate` opens an alert for each written value on the wrong side of its threshold
  and closes the alert of a value back on the right side. Which side is wrong is the kind's
  direction in `measurements.kinds` (below for NPS, CSAT, CES, retention and CLV; above for
  TTR and churn). Only the month granularity alerts: one dip would otherwise raise four
  alerts (day, week, month, quarter) and four e-mails. The current (incomplete) month alerts
  too.
- `alerts_notify_on_commit` queues the e-mails as their own task once the alerts are
  committed; `alerts_email_pending` (the task's body) sends each alert's e-mail at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from measurements.formulas import definition_label
from measurements.kinds import kind_of
from measurements.models import Alert, Granularity

if TYPE_CHECKING:
    from measurements.rollups import RollupValue
    from measurements.rollups.writing import RollupScope

logger = logging.getLogger(__name__)

ALERT_GRANULARITY = Granularity.MONTH


def crosses_threshold(*, kind: str, value: float | None, threshold: float | None) -> bool:
    """Whether a value is on the wrong side of the threshold for its kind."""
    if value is None or threshold is None:
        return False
    return kind_of(kind).worse_than(value, threshold)


def _key(value: RollupValue) -> Q:
    return Q(
        definition_id=value.definition.pk,
        granularity=value.granularity,
        period_start=value.period_start,
    )


def alerts_evaluate(values: Iterable[RollupValue], scopes: Iterable[RollupScope] = ()) -> None:
    """Record an Alert for each crossing period (once: unique constraint + ignore_conflicts)
    and resolve the open alert of each period back within its threshold, or left without a
    value inside `scopes` (the periods the recompute covered: its row was deleted, since the
    period has no data any more)."""
    values = list(values)
    # All organisations: the alerts of the given values' definitions (a batch spans them).
    alerts = Alert.all_orgs.all()
    _alerts_without_value_resolve(alerts, values, list(scopes))
    checked = [
        v
        for v in values
        if v.granularity == ALERT_GRANULARITY and v.definition.alert_threshold is not None
    ]
    if not checked:
        return
    crossing, fine = [], []
    for v in checked:
        bad = crosses_threshold(
            kind=v.definition.kind, value=v.result.value, threshold=v.definition.alert_threshold
        )
        (crossing if bad else fine).append(v)
    if crossing:
        Alert.objects.bulk_create(
            [
                Alert(
                    organisation_id=v.definition.organisation_id,
                    audience_id=v.definition.audience_id,
                    definition_id=v.definition.pk,
                    granularity=v.granularity,
                    period_start=v.period_start,
                    value=v.result.value,
                    threshold=v.definition.alert_threshold,
                )
                for v in crossing
            ],
            ignore_conflicts=True,
        )
        reopened = Q()
        for v in crossing:
            reopened |= _key(v)
        alerts.filter(reopened, resolved_at__isnull=False).update(resolved_at=None)
    if fine:
        recovered = Q()
        for v in fine:
            recovered |= _key(v)
        alerts.filter(recovered, resolved_at=None).update(resolved_at=timezone.now())


def _alerts_without_value_resolve(
    alerts: QuerySet[Alert], values: list[RollupValue], scopes: list[RollupScope]
) -> None:
    """Resolve the open alerts inside `scopes` whose period the recompute gave no value."""
    covered = Q()
    for scope in scopes:
        covered |= scope.as_q()
    if not covered:
        return
    valued = {(v.definition.pk, v.granularity, v.period_start) for v in values}
    candidates = alerts.filter(covered, granularity=ALERT_GRANULARITY, resolved_at=None)
    orphaned = [
        pk
        for pk, *key in candidates.values_list("pk", "definition_id", "granularity", "period_start")
        if tuple(key) not in valued
    ]
    if orphaned:
        alerts.filter(pk__in=orphaned).update(resolved_at=timezone.now())


def alerts_notify_on_commit(*, organisation_id: int | None) -> None:
    """Queue the e-mails of the new alerts once the caller's transaction commits (at once
    outside a transaction), so the worker sees the alerts the flow just recorded."""
    # measurements.tasks imports the rollup engine (its tasks run it), so the task is looked
    # up when called rather than imported with this module.
    from measurements.tasks import enqueue_alert_emails

    transaction.on_commit(lambda: enqueue_alert_emails(organisation_id=organisation_id))


def _alerts_claim(organisation_id: int | None, *, send: bool) -> int:
    """Claim each pending alert with a conditional UPDATE (emailed_at still NULL), then e-mail
    its audience's owner if `send`; returns how many were claimed."""
    if organisation_id is not None:
        pending = Alert.objects.for_org(organisation_id)
    else:
        pending = Alert.all_orgs.all()  # All organisations: a stale batch or a run for all.
    pending = pending.filter(
        emailed_at=None, resolved_at=None, audience__owner__isnull=False
    ).select_related("audience__owner", "definition__audience")
    claimed_count = 0
    for alert in pending:
        owner = alert.audience.owner
        claimed = (
            Alert.objects.for_org(alert.organisation_id)
            .filter(pk=alert.pk, emailed_at=None)
            .update(emailed_at=timezone.now(), notified_to=owner)
        )
        if not claimed:
            continue
        claimed_count += 1
        if send:
            _alert_email(alert, owner.email)
    return claimed_count


def _alert_email(alert: Alert, to: str) -> None:
    label = definition_label(alert.definition)
    side = "below" if kind_of(alert.definition.kind).higher_is_better else "above"
    send_mail(
        subject=f"[AX Registry] {alert.audience.name}: {label} {side} its alert threshold",
        message=(
            f"{alert.definition.name} for {alert.audience.name} was {alert.value:.1f} in the "
            f"{alert.granularity} starting {alert.period_start:%d %B %Y}, {side} the alert "
            f"threshold of {alert.threshold:g}.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
        fail_silently=True,
    )


def alerts_email_pending(*, organisation_id: int | None = None) -> int:
    """E-mail each new alert to its audience's owner, exactly once.

    The conditional UPDATE (emailed_at still NULL) claims the alert before sending, so two
    beats or workers running this at once, or the same task delivered twice, never send the
    same e-mail twice.
    """
    return _alerts_claim(organisation_id, send=True)


def alerts_mark_notified(*, organisation_id: int) -> int:
    """Mark the organisation's pending alerts as notified without e-mailing anyone.

    For seeding a year of demo history: it crosses thresholds in many months, and those
    alerts are recorded but must not print dozens of e-mails to the console of `./ax up`, now
    or on the next run (the marks are the same as a sent e-mail's).
    """
    return _alerts_claim(organisation_id, send=False)
