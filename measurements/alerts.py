"""Alerts: a monthly value past its definition's alert threshold, recorded and e-mailed once.

Direction: lower is worse for NPS, CSAT, CES, retention and CLV, so they alert when the value
falls BELOW the threshold; higher is worse for TTR and churn, so they alert when it rises
ABOVE it. Only the month granularity alerts: one dip would otherwise raise four alerts (day,
week, month, quarter) and four e-mails. The current (incomplete) month alerts too; when a
recompute brings the value back within the threshold the alert is marked resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from measurements.formulas import definition_label
from measurements.models import Alert, Granularity, MetricKind

if TYPE_CHECKING:
    from measurements.rollups import RollupValue

logger = logging.getLogger(__name__)

ALERT_GRANULARITY = Granularity.MONTH
HIGHER_IS_WORSE = {MetricKind.TTR, MetricKind.CHURN}


def crosses_threshold(*, kind: str, value: float | None, threshold: float | None) -> bool:
    """Whether a value is on the wrong side of the threshold for its kind."""
    if value is None or threshold is None:
        return False
    return value > threshold if kind in HIGHER_IS_WORSE else value < threshold


def _key(value: RollupValue) -> Q:
    return Q(
        definition_id=value.definition.pk,
        granularity=value.granularity,
        period_start=value.period_start,
    )


def alerts_evaluate(values: Iterable[RollupValue]) -> None:
    """Record an Alert for each crossing period (once: unique constraint + ignore_conflicts)."""
    checked = [
        v
        for v in values
        if v.granularity == ALERT_GRANULARITY and v.definition.alert_threshold is not None
    ]
    if not checked:
        return
    # All organisations: the alerts of the given values' definitions (a batch spans them).
    alerts = Alert.all_orgs.all()
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


def alerts_email_pending(*, organisation_id: int | None = None) -> int:
    """E-mail each new alert to its audience's owner, exactly once.

    The conditional UPDATE (emailed_at still NULL) claims the alert before sending, so two
    beats or workers running this at once never send the same e-mail twice.
    """
    if organisation_id is not None:
        pending = Alert.objects.for_org(organisation_id)
    else:
        pending = Alert.all_orgs.all()  # All organisations: a stale batch or a run for all.
    pending = pending.filter(
        emailed_at=None, resolved_at=None, audience__owner__isnull=False
    ).select_related("audience__owner", "definition__audience")
    sent = 0
    for alert in pending:
        owner = alert.audience.owner
        claimed = (
            Alert.objects.for_org(alert.organisation_id)
            .filter(pk=alert.pk, emailed_at=None)
            .update(emailed_at=timezone.now(), notified_to=owner)
        )
        if not claimed:
            continue
        label = definition_label(alert.definition)
        side = "above" if alert.definition.kind in HIGHER_IS_WORSE else "below"
        send_mail(
            subject=f"[AX Registry] {alert.audience.name}: {label} {side} its alert threshold",
            message=(
                f"{alert.definition.name} for {alert.audience.name} was {alert.value:.1f} in the "
                f"{alert.granularity} starting {alert.period_start:%d %B %Y}, {side} the alert "
                f"threshold of {alert.threshold:g}.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[owner.email],
            fail_silently=True,
        )
        sent += 1
    return sent
