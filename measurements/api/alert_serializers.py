"""API shapes for alerts. Moves go through `measurements.alert_services`; these translate."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from axreg.api.serializers import StrictSerializer
from measurements.alert_selectors import alert_closed_by_person
from measurements.alert_services import NOTE_MAX_LENGTH
from measurements.formulas import definition_label
from measurements.kinds import kind_of
from measurements.models import Alert, AlertStatus

MOVES = [(AlertStatus.ACKNOWLEDGED.value, "Acknowledged"), (AlertStatus.RESOLVED.value, "Resolved")]


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


def alert_representation(alert: Alert) -> dict[str, Any]:
    """One alert as the API shows it (times in UTC, people by e-mail)."""
    definition = alert.definition
    return {
        "id": alert.pk,
        "audience": alert.audience.slug,
        "metric": definition.slug,
        "kind": definition.kind,
        "label": definition_label(definition),
        "period_start": alert.period_start,
        "last_period_start": alert.last_period_start,
        "value": alert.value,
        "threshold": alert.threshold,
        "direction": "below" if kind_of(definition.kind).higher_is_better else "above",
        "status": alert.status,
        "opened_at": alert.created_at,
        "emailed_at": alert.emailed_at,
        "emailed_to": alert.notified_to.email if alert.notified_to_id else None,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": _email(alert.acknowledged_by),
        "closed_at": alert.closed_at,
        "closed_by": _email(alert.closed_by),
        "closed_by_person": alert_closed_by_person(alert),
        "back_on_target_at": alert.resolved_at,
        "note": alert.note,
    }


class AlertUpdateSerializer(StrictSerializer):
    """Acknowledge or resolve an alert, with a note kept in its history."""

    status = serializers.ChoiceField(
        choices=MOVES,
        help_text="acknowledged: someone is on it (still open); resolved: closed for everyone, "
        "final. Allowed: open → acknowledged → resolved, open → resolved.",
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=True
    )

    def to_representation(self, instance: Alert) -> dict[str, Any]:
        return alert_representation(instance)


AlertAnswer = inline_serializer(
    "AlertAnswer",
    {
        "id": serializers.IntegerField(),
        "audience": serializers.SlugField(help_text="Audience slug."),
        "metric": serializers.SlugField(help_text="Metric definition slug."),
        "kind": serializers.CharField(),
        "label": serializers.CharField(),
        "period_start": serializers.DateField(help_text="First month on the wrong side."),
        "last_period_start": serializers.DateField(help_text="Latest month on the wrong side."),
        "value": serializers.FloatField(help_text="The value of `last_period_start`."),
        "threshold": serializers.FloatField(),
        "direction": serializers.ChoiceField(choices=["below", "above"]),
        "status": serializers.ChoiceField(choices=AlertStatus.choices),
        "opened_at": serializers.DateTimeField(),
        "emailed_at": serializers.DateTimeField(allow_null=True),
        "emailed_to": serializers.EmailField(allow_null=True),
        "acknowledged_at": serializers.DateTimeField(allow_null=True),
        "acknowledged_by": serializers.EmailField(
            allow_null=True, help_text="Null for an API key or nobody."
        ),
        "closed_at": serializers.DateTimeField(allow_null=True),
        "closed_by": serializers.EmailField(
            allow_null=True, help_text="Null when the value came back, or for an API key."
        ),
        "closed_by_person": serializers.BooleanField(
            help_text="Resolved by a person or an API key rather than the value coming back."
        ),
        "back_on_target_at": serializers.DateTimeField(
            allow_null=True,
            help_text="When a recompute found a month back on the right side; null while "
            "the crossing lasts.",
        ),
        "note": serializers.CharField(),
    },
)
