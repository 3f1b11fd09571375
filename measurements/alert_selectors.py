"""Reads of alerts: the one meaning of "open alert" every page, count and digest uses.

An alert is open for people until it is resolved: by a person (`closed_by`), or by the
numbers when the value came back (the rollup sets the status with `resolved_at`). Reading
`resolved_at` alone would keep counting an alert a person closed while the crossing lasts.
"""

from __future__ import annotations

from django.db.models import QuerySet

from audiences.models import Audience, Organisation, Person
from measurements.models import Alert, AlertStatus

# The statuses that still ask someone to act.
OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def open_alerts(
    organisation: Organisation | int,
    *,
    owner: Person | None = None,
    audience: Audience | None = None,
) -> QuerySet[Alert]:
    """The organisation's alerts not yet resolved (open or acknowledged), optionally only
    those on the audiences `owner` owns, or on one `audience`."""
    alerts = Alert.objects.for_org(organisation).filter(status__in=OPEN_STATUSES)
    if owner is not None:
        alerts = alerts.filter(audience__owner=owner)
    if audience is not None:
        alerts = alerts.filter(audience=audience)
    return alerts
