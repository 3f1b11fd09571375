"""API shapes for audiences. Writes go through `audiences.services`; these only translate."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from audiences.models import TOP_TEN, Audience, AudienceKind, LifecycleStage, Person

# Names a client might try to set that only the server sets: refused by name, not dropped.
SERVER_FIELDS = {"organisation", "organisation_id", "id", "pk", "created_at", "updated_at"}


class StrictSerializer(serializers.Serializer):
    """Refuses unknown fields and server-set fields by name instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            extra = [name for name in data if name not in self.fields]
            if extra:
                raise serializers.ValidationError(
                    {
                        name: "This field is set by the server; remove it."
                        if name in SERVER_FIELDS
                        else "Unknown field; remove it."
                        for name in extra
                    }
                )
        return super().to_internal_value(data)


class FiniteFloatField(serializers.FloatField):
    """A float that refuses NaN and ±Infinity (DRF's lets NaN through min/max validators)."""

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError("Enter a finite number.")
        return value


class AudienceSerializer(StrictSerializer):
    """An audience of the organisation, addressed by its slug."""

    slug = serializers.SlugField(
        max_length=80, required=False, help_text="Unique in the organisation; empty: from name."
    )
    name = serializers.CharField(min_length=1, max_length=200)
    kind = serializers.ChoiceField(choices=AudienceKind.choices)
    kind_label = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Required when kind is other."
    )
    stage = serializers.ChoiceField(choices=LifecycleStage.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    rank = serializers.IntegerField(
        min_value=1,
        max_value=TOP_TEN,
        required=False,
        allow_null=True,
        help_text="Place in the top ten (ranks stay 1..n: a rank past the end goes last).",
    )
    owner = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="E-mail of a person in the organisation who owns this audience's experience.",
    )
    archived = serializers.BooleanField(required=False)

    def to_representation(self, instance: Audience) -> dict[str, Any]:
        return {
            "slug": instance.slug,
            "name": instance.name,
            "kind": instance.kind,
            "kind_label": instance.kind_label,
            "stage": instance.stage,
            "description": instance.description,
            "rank": instance.rank,
            "owner": instance.owner.email if instance.owner_id else None,
            "archived": instance.archived,
        }

    def validate_owner(self, value: str | None) -> Person | None:
        if value is None:
            return None
        person = (
            Person.objects.for_org(self.context["organisation"])
            .filter(email__iexact=value)
            .order_by("id")
            .first()
        )
        if person is None:
            raise serializers.ValidationError(f"No person with the e-mail {value} here.")
        return person
