"""The people's side of an alert: acknowledge it, resolve it (open → acknowledged → resolved).

The browser and the API both write through these two functions; `alert_note_add` adds a
progress note to an acknowledged alert without moving it. The numbers' side (the
value coming back) is the rollup's, in `measurements.alerts`; a person's resolution is final
and the rollup leaves it alone (`alerts.alert_closed_by_person`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audiences.models import ApiKey
from audiences.services import audit_record
from axreg.text import lower_first
from measurements.alert_selectors import NOTE_ADDED
from measurements.alerts import alert_event_emit
from measurements.models import Alert, AlertStatus, MetricDefinition
from measurements.rollups.common import lock_definitions
from webhooks.models import EventType

NOTE_MAX_LENGTH = 2000

# Where a person may move an alert from each status; resolved is final.
ALERT_MOVES: dict[str, tuple[str, ...]] = {
    AlertStatus.OPEN: (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED),
    AlertStatus.ACKNOWLEDGED: (AlertStatus.RESOLVED,),
    AlertStatus.RESOLVED: (),
}


@transaction.atomic
def alert_acknowledge(
    *,
    alert: Alert,
    actor_user: Any = None,
    actor_key: ApiKey | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Alert:
    """Say someone is on it: the alert stays open (it still counts) with who, when and a note."""
    return _alert_move(
        alert,
        AlertStatus.ACKNOWLEDGED,
        actor_user=actor_user,
        actor_key=actor_key,
        note=note,
        now=now,
    )


@transaction.atomic
def alert_resolve(
    *,
    alert: Alert,
    actor_user: Any = None,
    actor_key: ApiKey | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Alert:
    """Close the alert for everyone, even while the value is still on the wrong side; sends
    `alert.resolved` to the organisation's webhooks once the transaction commits."""
    return _alert_move(
        alert,
        AlertStatus.RESOLVED,
        actor_user=actor_user,
        actor_key=actor_key,
        note=note,
        now=now,
    )


def alert_move_error(alert: Alert, status: str) -> str | None:
    """Why the alert cannot move to `status` now, in words (the active language: the page's,
    or the API caller's Accept-Language); None when it can."""
    if status in ALERT_MOVES[alert.status]:
        return None
    if alert.status == AlertStatus.RESOLVED:
        return _already_resolved()
    if status == alert.status:
        return _("This alert is already acknowledged.")
    return _("An alert cannot go from %(current)s to %(wanted)s.") % {
        "current": lower_first(alert.get_status_display()),
        "wanted": status,  # the API's value, as the caller sent it
    }


def _already_resolved() -> str:
    return _("This alert is already resolved, and a resolved alert stays closed.")


def _note_too_long() -> str:
    return _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX_LENGTH}


def _alert_move(
    alert: Alert,
    status: str,
    *,
    actor_user: Any,
    actor_key: ApiKey | None,
    note: str,
    now: datetime | None,
) -> Alert:
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _note_too_long()})
    # The recompute that opens and closes this alert holds its definition's lock: taking it
    # first means a person's resolution and the value coming back never overwrite each other.
    lock_definitions([alert.definition_id])
    locked = (
        Alert.objects.for_org(alert.organisation_id)
        .select_for_update(of=("self",))
        .select_related("definition__audience", "definition__organisation")
        .get(pk=alert.pk)
    )
    error = alert_move_error(locked, status)
    if error:
        raise ValidationError({"status": error})
    user = actor_user if getattr(actor_user, "is_authenticated", False) else None
    before = {"status": locked.status, "note": locked.note}
    locked.status = status
    if note:
        locked.note = note
    fields = ["status", "note"]
    if status == AlertStatus.ACKNOWLEDGED:
        locked.acknowledged_by, locked.acknowledged_at = user, now
        fields += ["acknowledged_by", "acknowledged_at"]
    else:
        locked.closed_by, locked.closed_at = user, now
        fields += ["closed_by", "closed_at"]
    locked.save(update_fields=fields)
    definition = locked.definition
    audit_record(
        organisation=definition.organisation,
        action=str(status),
        obj=locked,
        object_repr=alert_audit_repr(locked, definition),
        audience=definition.audience,
        actor_user=user,
        actor_key=actor_key,
        changes={
            "status": [before["status"], status],
            **({"note": [before["note"], note]} if note else {}),
        },
    )
    if status == AlertStatus.RESOLVED:
        alert_event_emit(event_type=EventType.ALERT_RESOLVED, alert=locked, definition=definition)
    return locked


@transaction.atomic
def alert_note_add(
    *,
    alert: Alert,
    actor_user: Any = None,
    actor_key: ApiKey | None = None,
    note: str,
) -> Alert:
    """Add a progress note to an alert that is not resolved, without moving it: the note is
    the alert's latest, and the audit entry keeps it in the history beside the earlier ones."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note to add.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _note_too_long()})
    # The same lock as a move: a note never lands on an alert resolved a moment before.
    lock_definitions([alert.definition_id])
    locked = (
        Alert.objects.for_org(alert.organisation_id)
        .select_for_update(of=("self",))
        .select_related("definition__audience", "definition__organisation")
        .get(pk=alert.pk)
    )
    if locked.status == AlertStatus.RESOLVED:
        raise ValidationError({"status": _already_resolved()})
    before = locked.note
    locked.note = note
    locked.save(update_fields=["note"])
    definition = locked.definition
    audit_record(
        organisation=definition.organisation,
        action=NOTE_ADDED,
        obj=locked,
        object_repr=alert_audit_repr(locked, definition),
        audience=definition.audience,
        actor_user=actor_user if getattr(actor_user, "is_authenticated", False) else None,
        actor_key=actor_key,
        changes={"note": [before, note]},
    )
    return locked


def alert_audit_repr(alert: Alert, definition: MetricDefinition) -> str:
    """What the audit trail names an alert by: the metric's own name and the month, no
    sentence, since the entry is read later in whatever language the reader has chosen."""
    return f"{definition.name} · {alert.period_start:%Y-%m}"
