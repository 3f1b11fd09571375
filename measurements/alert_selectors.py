"""Reads of alerts: the one meaning of "open alert" every page, count and digest uses.

An alert is open for people until it is resolved: by a person (`closed_by`), or by the
numbers when the value came back (the rollup sets the status with `resolved_at`). Reading
`resolved_at` alone would keep counting an alert a person closed while the crossing lasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audiences.models import Audience, AuditEntry, Organisation, Person
from measurements.models import Alert, AlertStatus

NOTE_ADDED = "note_added"  # the audit action of a progress note (`alert_services.alert_note_add`)

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


def alert_closed_by_person(alert: Alert) -> bool:
    """Whether someone resolved the alert (their resolution is final) rather than the value
    coming back. A recompute that closes an alert writes `closed_at` equal to `resolved_at`
    (so does migration 0009); a person or an API key closes it at their own time, while
    `resolved_at` is still empty. `closed_by` alone cannot tell: an API key is no user, and a
    deleted user leaves it empty."""
    return alert.status == AlertStatus.RESOLVED and alert.closed_at != alert.resolved_at


# What the list's `status` filter takes: one status, or every alert; empty means still open.
STATUS_FILTERS = {
    "": OPEN_STATUSES,
    AlertStatus.OPEN.value: (AlertStatus.OPEN,),
    AlertStatus.ACKNOWLEDGED.value: (AlertStatus.ACKNOWLEDGED,),
    AlertStatus.RESOLVED.value: (AlertStatus.RESOLVED,),
    "all": tuple(AlertStatus),
}


def alert_list(
    organisation: Organisation | int,
    *,
    status: str = "",
    audience: Audience | None = None,
    owner: Person | None = None,
) -> QuerySet[Alert]:
    """The organisation's alerts for the list pages and the API, newest crossing first:
    `status` one of STATUS_FILTERS (default: open and acknowledged), optionally one audience's
    or those on the audiences `owner` owns."""
    alerts = Alert.objects.for_org(organisation).filter(status__in=STATUS_FILTERS[status])
    if owner is not None:
        alerts = alerts.filter(audience__owner=owner)
    if audience is not None:
        alerts = alerts.filter(audience=audience)
    return alerts.select_related(
        "audience__owner", "definition__audience", "definition__organisation"
    ).order_by("-last_period_start", "-created_at", "-pk")


def alert_status_counts(
    organisation: Organisation | int,
    *,
    audience: Audience | None = None,
    owner: Person | None = None,
) -> dict[str, int]:
    """How many alerts are in each status, under the same audience and owner filters. 1 query."""
    alerts = alert_list(organisation, status="all", audience=audience, owner=owner)
    counted = dict(
        alerts.order_by().values("status").annotate(c=Count("*")).values_list("status", "c")
    )
    return {status.value: counted.get(status.value, 0) for status in AlertStatus}


@dataclass(frozen=True)
class AlertStep:
    """One line of an alert's history: what happened, when, by whom, with which note."""

    what: str
    at: datetime | None
    by: str = ""
    note: str = ""


def alert_history(alert: Alert) -> list[AlertStep]:
    """The alert's life in order: opened, e-mailed, acknowledged, resolved by someone and/or
    back on the right side. The people's steps come from the audit trail (each keeps its own
    note and names an API key too); the alert's fields stand in where no entry exists."""
    entries = (
        AuditEntry.objects.for_org(alert.organisation_id)
        .filter(object_type="alert", object_id=str(alert.pk))
        .select_related("actor_user", "actor_key")
        .order_by("at", "id")
    )
    steps = [AlertStep(_("Opened"), alert.created_at)]
    if alert.emailed_at and alert.notified_to_id:
        emailed = _("E-mailed to %(name)s") % {"name": alert.notified_to.name}
        steps.append(AlertStep(emailed, alert.emailed_at))
    done = set()
    for entry in entries:
        if entry.action == NOTE_ADDED:
            note = entry.changes.get("note", [None, ""])[1] or ""
            steps.append(AlertStep(_("Note added"), entry.at, entry.actor_display, note))
            continue
        if entry.action not in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED):
            continue
        done.add(entry.action)
        note = entry.changes.get("note", [None, ""])[1] or ""
        what = _acknowledged() if entry.action == AlertStatus.ACKNOWLEDGED else _resolved()
        steps.append(AlertStep(what, entry.at, entry.actor_display, note))
    if alert.acknowledged_at and AlertStatus.ACKNOWLEDGED not in done:
        steps.append(
            AlertStep(_acknowledged(), alert.acknowledged_at, _name(alert.acknowledged_by))
        )
    person_closed = alert_closed_by_person(alert)
    if person_closed and AlertStatus.RESOLVED not in done:
        steps.append(AlertStep(_resolved(), alert.closed_at, _name(alert.closed_by), alert.note))
    if alert.resolved_at:
        # The value came back: the alert's own end, or, after a person closed it, a fact.
        steps.append(AlertStep(_("Back on the right side of the threshold"), alert.resolved_at))
    return steps  # in the order they happen: a crossing's end follows what people did


def _acknowledged() -> str:
    return pgettext("alert history step", "Acknowledged")


def _resolved() -> str:
    return pgettext("alert history step", "Resolved")


def _name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email
