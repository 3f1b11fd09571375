"""API shapes for webhook endpoints. Writes go through `webhooks.services`; these translate."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from axreg.api.serializers import StrictCharField, StrictSerializer
from webhooks.addresses import url_refuse_credentials, url_without_credentials
from webhooks.models import BodyFormat, EventType, WebhookEndpoint


class WebhookEndpointSerializer(StrictSerializer):
    """A URL that receives the organisation's events, signed with its secret."""

    url = StrictCharField(
        min_length=1,
        max_length=500,
        help_text="http:// or https:// on a public address (private ones are refused), "
        "without a user name or password.",
    )
    description = StrictCharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        min_length=1,
        # In words, not DRF's "Ensure this field has at least 1 elements.".
        error_messages={"min_length": _("Give at least 1 event.")},
    )
    format = serializers.ChoiceField(
        choices=BodyFormat.choices,
        required=False,
        help_text='standard: the Standard Webhooks JSON envelope; slack: {"text": …}.',
    )
    active = serializers.BooleanField(required=False)

    def validate_url(self, value: str) -> str:
        try:
            url_refuse_credentials(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                str(exc.error_dict["url"][0].message), code="credentials"
            ) from exc
        return value

    def to_representation(self, instance: WebhookEndpoint) -> dict[str, Any]:
        return {
            "id": instance.pk,
            # One stored before credentials were refused is listed without them.
            "url": url_without_credentials(instance.url),
            "description": instance.description,
            "events": instance.events,
            "format": instance.format,
            "active": instance.active,
            "created_at": instance.created_at,
            "previous_secret_expires_at": instance.previous_expires_at
            if instance.previous_secret
            else None,
        }


def _answer_fields() -> dict[str, serializers.Field]:
    # Fresh fields per component: a DRF field binds to the one serializer it is declared on.
    return {
        "id": serializers.IntegerField(),
        "url": serializers.CharField(),
        "description": serializers.CharField(),
        "events": serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices)),
        "format": serializers.ChoiceField(choices=BodyFormat.choices),
        "active": serializers.BooleanField(),
        "created_at": serializers.DateTimeField(),
        "previous_secret_expires_at": serializers.DateTimeField(
            allow_null=True,
            help_text="Until when the secret before the last rotation also signs; null if none.",
        ),
    }


EndpointAnswer = inline_serializer("WebhookEndpointAnswer", _answer_fields())
NewEndpointAnswer = inline_serializer(
    "NewWebhookEndpointAnswer",
    {
        **_answer_fields(),
        "secret": serializers.CharField(
            help_text="The signing secret (whsec_…), shown in this answer only."
        ),
    },
)
