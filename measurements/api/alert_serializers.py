"""API shapes for alerts. Moves go through `measurements.alert_services`; these translate.
The answer is `measurements.alert_shape.alert_representation`, which the webhook events send
too."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from axreg.api.serializers import StrictCharField, StrictSerializer
from measurements.alert_services import NOTE_MAX_LENGTH
from measurements.alert_shape import alert_representation
from measurements.models import Alert, AlertStatus

MOVES = [(AlertStatus.ACKNOWLEDGED.value, "Acknowledged"), (AlertStatus.RESOLVED.value, "Resolved")]


class AlertUpdateSerializer(StrictSerializer):
    """Acknowledge or resolve an alert, with a note kept in its history."""

    status = serializers.ChoiceField(
        choices=MOVES,
        help_text="acknowledged: someone is on it (still open); resolved: closed for everyone, "
        "final. Allowed: open → acknowledged → resolved, open → resolved.",
    )
    note = StrictCharField(
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
