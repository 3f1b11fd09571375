"""One alert as every outside reader sees it: `GET /api/v1/alerts/{id}/` and the `alert`
object of the `alert.opened` / `alert.resolved` webhook events.

One function for both, so a receiver that stores the event and later reads the API sees the
same field names and the same values (walk2 #6: the event carried the evaluation's time as
`opened_at` and `resolved_at` where the API had the row's `created_at` and `closed_at`).
JSON-ready: dates ISO 8601, times in UTC ending in `Z`, people by e-mail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from measurements.alert_selectors import alert_closed_by_person
from measurements.formulas import definition_label
from measurements.kinds import kind_of
from measurements.models import Alert


def utc_text(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with `Z`, as DRF renders times elsewhere in the API."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(day: date) -> str:
    return day.isoformat()


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


def alert_representation(alert: Alert) -> dict[str, Any]:
    """The alert's fields; `alert` should come with its definition, audience and people
    selected (each is read once)."""
    definition = alert.definition
    return {
        "id": alert.pk,
        "audience": alert.audience.slug,
        "metric": definition.slug,
        "kind": definition.kind,
        "label": definition_label(definition),
        "period_start": _day(alert.period_start),
        "last_period_start": _day(alert.last_period_start),
        "value": alert.value,
        "threshold": alert.threshold,
        "direction": "below" if kind_of(definition.kind).higher_is_better else "above",
        "status": alert.status,
        "opened_at": utc_text(alert.created_at),
        "emailed_at": utc_text(alert.emailed_at),
        "emailed_to": alert.notified_to.email if alert.notified_to_id else None,
        "acknowledged_at": utc_text(alert.acknowledged_at),
        "acknowledged_by": _email(alert.acknowledged_by),
        "closed_at": utc_text(alert.closed_at),
        "closed_by": _email(alert.closed_by),
        "closed_by_person": alert_closed_by_person(alert),
        "back_on_target_at": utc_text(alert.resolved_at),
        "note": alert.note,
    }
