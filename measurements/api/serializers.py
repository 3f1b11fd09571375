"""API shapes for metric definitions and the pushed results.

The result item serializers render GET lists and document the POST items in the OpenAPI
schema; POST bodies themselves are validated by the lean checks in `measurements.ingest`,
because a DRF serializer per item is ~10x too slow for bulk. The item serializers are built
from the ingest's field table (`measurements.ingest.fields.SPECS`), so both hold the same
fields, limits, patterns and help texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axreg.api.serializers import FiniteFloatField, StrictSerializer
from journeys.models import Channel, Touchpoint
from measurements.ingest.fields import (
    AMOUNT_LIMIT,
    AMOUNT_PATTERN,
    CASES,
    CURRENCY_PATTERN,
    ID_PATTERN,
    MEMBERS,
    RESPONSES,
    REVENUE,
    SLUG_MAX_LENGTH,
    SPECS,
    TIME_PATTERN,
    FieldSpec,
)
from measurements.kinds import SCALE_LIMITS
from measurements.models import MetricDefinition, MetricKind
from measurements.scales import followup_default_text


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
    alert_min_n = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        help_text="A month alerts only with at least this many responses, cases or members "
        "behind it. Default 30: under 30 a value is indicative only.",
    )
    followup_threshold = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=SCALE_LIMITS[0],
        max_value=SCALE_LIMITS[1],
        help_text="NPS, CSAT and CES: a response at or below it with a comment or respondent "
        f"becomes a follow-up. Null: {followup_default_text()}. Applies to responses stored "
        "from then on.",
    )
    margin_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, coerce_to_string=False
    )
    # 3 capitals as on revenue events, or empty (the schema says both: oneOf).
    currency = serializers.RegexField(
        CURRENCY_PATTERN,
        max_length=3,
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("Enter a 3-letter ISO 4217 code in capitals, e.g. EUR.")},
        help_text="CLV only: the ISO 4217 code of the audience's revenue events (e.g. EUR); "
        "revenue events in another currency are refused. Omitted or empty on a CLV: the "
        "currency the audience's (else the organisation's) revenue is already in, else EUR. "
        "Empty for every other kind.",
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
            "alert_min_n": instance.alert_min_n,
            "followup_threshold": instance.followup_threshold,
            "margin_percent": float(instance.margin_percent),
            "currency": instance.currency,
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
            raise serializers.ValidationError(
                gettext("No touchpoint '%(touchpoint)s' in this audience.") % {"touchpoint": value},
                code="not_found",
            )
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


def _optional(spec: FieldSpec) -> dict[str, Any]:
    return {} if spec.required else {"required": False, "allow_null": spec.nullable}


def _source(spec: FieldSpec) -> dict[str, Any]:
    return {} if spec.source is None else {"source": spec.source}


# One DRF field per check of `measurements.ingest.fields`, with the limits and patterns the
# check applies, so the schema documents what the ingest accepts.
_FIELDS: dict[str, Callable[[FieldSpec], serializers.Field]] = {
    "id": lambda spec: serializers.CharField(
        max_length=spec.max_length,
        min_length=1,  # an id holds something visible: the pattern is the check's
        validators=[RegexValidator(ID_PATTERN)],
        help_text=spec.help,
        **_optional(spec),
    ),
    "slug": lambda spec: serializers.SlugField(
        max_length=SLUG_MAX_LENGTH, help_text=spec.help, **_source(spec), **_optional(spec)
    ),
    "time": lambda spec: TimeField(help_text=spec.help, **_optional(spec)),
    "score": lambda spec: serializers.IntegerField(help_text=spec.help, **_optional(spec)),
    "str": lambda spec: serializers.CharField(
        max_length=spec.max_length, help_text=spec.help, **_optional(spec)
    ),
    "amount": lambda spec: AmountField(help_text=spec.help, **_optional(spec)),
    "currency": lambda spec: serializers.RegexField(
        CURRENCY_PATTERN, help_text=spec.help, **_optional(spec)
    ),
    # The check takes "" as "no channel", so the field allows a blank too.
    "channel": lambda spec: serializers.ChoiceField(
        choices=Channel.choices, allow_blank=True, help_text=spec.help, **_optional(spec)
    ),
}


def item_serializer(kind: str, name: str) -> type[serializers.Serializer]:
    """The serializer of one kind of pushed item, made from its field table (SPECS[kind]).

    It renders GET lists and documents POST items in the schema; adding a field to SPECS adds
    it to both.
    """
    fields = {spec.name: _FIELDS[spec.check](spec) for spec in SPECS[kind]}
    return type(name, (serializers.Serializer,), {"__module__": __name__, **fields})


ResponseItemSerializer = item_serializer(RESPONSES, "ResponseItemSerializer")
CaseItemSerializer = item_serializer(CASES, "CaseItemSerializer")
RevenueEventItemSerializer = item_serializer(REVENUE, "RevenueEventItemSerializer")
MemberItemSerializer = item_serializer(MEMBERS, "MemberItemSerializer")
