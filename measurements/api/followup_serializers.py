"""API shapes for follow-ups: the answer (what `measurements.followups.followup_payload` gives,
privacy applied) and the strict PATCH body. Writes go through `followups.followup_update`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from axreg.api.serializers import StrictCharField, StrictSerializer
from measurements.followups import NOTE_MAX, FollowUpShown, followup_payload
from measurements.models import FollowUpStatus

WITHHELD = "null when small-group privacy withholds it (see `withheld`)."
TIMES = ("responded_at", "created_at", "closed_at")


def _utc_z(value: Any) -> Any:
    if isinstance(value, str) and value.endswith("+00:00"):
        return value[: -len("+00:00")] + "Z"
    return value


class FollowUpSerializer(serializers.Serializer):
    """One follow-up: a low response with a comment or respondent, and who answers it."""

    id = serializers.IntegerField()
    audience = serializers.CharField(help_text="Audience slug.")
    metric = serializers.CharField(help_text="Metric definition slug.")
    label = serializers.CharField(help_text='The metric\'s name for this audience ("eNPS").')
    score = serializers.IntegerField()
    threshold = serializers.IntegerField(
        allow_null=True,
        help_text="The threshold the score was at or below when the follow-up was made (a "
        "changed threshold applies from then on).",
    )
    threshold_recorded = serializers.BooleanField(
        help_text="false for follow-ups made before the threshold was stored with them: "
        "`threshold` is then the metric's current one, which may have changed since."
    )
    comment = serializers.CharField(allow_null=True, help_text="The comment; " + WITHHELD)
    respondent = serializers.CharField(allow_null=True, help_text="The respondent; " + WITHHELD)
    responded_at = serializers.CharField(
        help_text="ISO 8601 date-time; only the date (organisation's calendar) where withheld."
    )
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    assignee = serializers.EmailField(allow_null=True, help_text="The assigned person's e-mail.")
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.CharField(
        help_text="ISO 8601 date-time; only the date where the answer's time is withheld."
    )
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.EmailField(allow_null=True)
    withheld = serializers.CharField(
        allow_null=True, help_text="Why something is withheld, in words; null when nothing is."
    )
    version = serializers.CharField(
        help_text="Changes with every change; send it back in PATCH to refuse a stale write."
    )

    def to_representation(self, instance: FollowUpShown) -> dict[str, Any]:
        payload = followup_payload(instance)
        # Times end in Z, as on every other answer of the API (the payload's +00:00 is UTC).
        return {k: _utc_z(v) if k in TIMES else v for k, v in payload.items()}


class FollowUpUpdateSerializer(StrictSerializer):
    """Assign, move or note a follow-up; every field optional."""

    assignee = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="E-mail of a person of your organisation; null to unassign.",
    )
    status = serializers.ChoiceField(
        choices=FollowUpStatus.choices,
        required=False,
        help_text="closed records when and by whom; a closed follow-up may be reopened.",
    )
    note = StrictCharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, trim_whitespace=True
    )
    version = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The `version` you read: when the follow-up changed since, nothing is saved "
        "(400 naming `version`): read it again and decide. Leave out to write regardless.",
    )
