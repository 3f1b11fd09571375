"""API shapes for metric definitions and the pushed results.

The result item serializers render GET lists and document the POST items in the OpenAPI
schema; POST bodies themselves are validated by the lean checks in `measurements.ingest`
(same fields, same rules), because a DRF serializer per item is ~10x too slow for bulk.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axreg.api.serializers import FiniteFloatField, StrictSerializer
from journeys.models import Channel, Touchpoint
from measurements.ingest.fields import AMOUNT_LIMIT, AMOUNT_PATTERN, ID_PATTERN, TIME_PATTERN
from measurements.models import MetricDefinition, MetricKind
from measurements.services import SCALE_LIMITS

SLUG_HELP = "Slug of the audience's object; slugs are scoped to your organisation."
TIME_HELP = (
    "RFC 3339 date-time with seconds and an offset (e.g. 2025-03-01T09:30:00+01:00 or "
    "2025-03-01T08:30:00Z); from 1900 to not over a day ahead."
)


class MetricDefinitionSerializer(StrictSerializer):
    """How an audience's owner measures one metric, addressed by audience and slug."""

    audience = serializers.SlugField(max_length=80, help_text="Audience slug (fixed once created).")
    slug = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Empty: the kind."
    )
    kind = serializers.ChoiceField(choices=MetricKind.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # The range `definition_validate` accepts, so the schema says it too.
    scale_min = serializers.IntegerField(
        required=False, allow_null=True, min_value=SCALE_LIMITS[0], max_value=SCALE_LIMITS[1]
    )
    scale_max = serializers.IntegerField(
        required=False, allow_null=True, min_value=SCALE_LIMITS[0], max_value=SCALE_LIMITS[1]
    )
    target = FiniteFloatField(required=False, allow_null=True)
    alert_threshold = FiniteFloatField(required=False, allow_null=True)
    margin_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, coerce_to_string=False
    )
    touchpoint = serializers.SlugField(
        max_length=80, required=False, allow_null=True, help_text="Touchpoint slug or null."
    )
    active = serializers.BooleanField(required=False)

    def to_representation(self, instance: MetricDefinition) -> dict[str, Any]:
        return {
            "audience": instance.audience.slug,
            "slug": instance.slug,
            "kind": instance.kind,
            "name": instance.name,
            "scale_min": instance.scale_min,
            "scale_max": instance.scale_max,
            "target": instance.target,
            "alert_threshold": instance.alert_threshold,
            "margin_percent": float(instance.margin_percent),
            "touchpoint": instance.touchpoint.slug if instance.touchpoint_id else None,
            "active": instance.active,
        }

    def validate_touchpoint(self, value: str | None) -> Touchpoint | None:
        audience = self.context.get("audience")
        if value is None or audience is None:
            return None  # an unknown audience is reported on its own field
        touchpoint = Touchpoint.objects.for_org(audience.organisation).filter(
            audience=audience, slug=value
        )
        found = touchpoint.first()
        if found is None:
            raise serializers.ValidationError(f"No touchpoint '{value}' in this audience.")
        return found


# --- pushed results (GET rendering and POST documentation) ---------------------------------


# The patterns are the ones `measurements.ingest.fields` checks, so schema and validation agree.
@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": AMOUNT_PATTERN},
            {
                "type": "number",
                "minimum": -int(AMOUNT_LIMIT),
                "exclusiveMinimum": True,
                "maximum": int(AMOUNT_LIMIT),
                "exclusiveMaximum": True,
            },
        ],
        "description": "Decimal amount with at most 2 decimal places: a JSON number, or a "
        'string of ASCII digits with an optional minus and point ("19.99", "-5").',
    }
)
class AmountField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=14, decimal_places=2, **kwargs)


@extend_schema_field({"type": "string", "format": "date-time", "pattern": TIME_PATTERN})
class TimeField(serializers.DateTimeField):
    """Documented as the RFC 3339 shape the ingest checks take (TIME_PATTERN)."""


def _slug(source: str, *, optional: bool = False) -> serializers.SlugField:
    return serializers.SlugField(
        source=source,
        max_length=80,
        help_text=SLUG_HELP,
        **({"required": False, "allow_null": True} if optional else {}),
    )


def _time(*, optional: bool = False) -> serializers.DateTimeField:
    return TimeField(
        help_text=TIME_HELP, **({"required": False, "allow_null": True} if optional else {})
    )


def _id(help_text: str, *, required: bool = True) -> serializers.CharField:
    """An id: at least one non-blank character (the schema's pattern is the check's)."""
    return serializers.CharField(
        max_length=200,
        min_length=1,
        validators=[RegexValidator(ID_PATTERN)],
        help_text=help_text,
        **({} if required else {"required": False, "allow_null": True}),
    )


def _external_id(*, required: bool = False) -> serializers.CharField:
    return _id(
        "Your id for the item: a repeat is a duplicate (cases: an update). Not empty or "
        "blank: leave it out when the item has no id.",
        required=required,
    )


MEMBER_HELP = "Your id for the member (e.g. a customer number); not empty or blank."


class ResponseItemSerializer(serializers.Serializer):
    external_id = _external_id()
    audience = _slug("audience.slug")
    metric = _slug("definition.slug")
    score = serializers.IntegerField(help_text="Integer on the metric's scale (NPS 0–10).")
    responded_at = _time()
    touchpoint = _slug("touchpoint.slug", optional=True)
    respondent = serializers.CharField(
        max_length=200, required=False, allow_null=True, help_text="Pseudonymous id."
    )
    comment = serializers.CharField(max_length=10_000, required=False, allow_null=True)


class CaseItemSerializer(serializers.Serializer):
    external_id = _external_id(required=True)
    audience = _slug("audience.slug")
    opened_at = _time()
    resolved_at = _time(optional=True)
    touchpoint = _slug("touchpoint.slug", optional=True)
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_null=True, allow_blank=True
    )


class RevenueEventItemSerializer(serializers.Serializer):
    external_id = _external_id()
    audience = _slug("audience.slug")
    member = _id(MEMBER_HELP)
    amount = AmountField()
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217, e.g. EUR.")
    occurred_at = _time()


class MemberItemSerializer(serializers.Serializer):
    audience = _slug("audience.slug")
    member = _id(MEMBER_HELP)
    joined_at = _time()
    left_at = _time(optional=True)
