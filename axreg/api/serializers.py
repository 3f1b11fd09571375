"""The serializer base every API body uses: unknown and server-set fields are refused by name."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

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


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers and booleans: DRF's CharField stores 123 as "123",
    which hides a client's bug (the survey tool sent the wrong field)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number as a JSON number: "3", 3.0 and true are refused, as pushed scores are
    (measurements.ingest.fields), rather than read as 3."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("Must be an integer.")
        return super().to_internal_value(data)


def at_least(count: int, thing: str) -> dict[str, str]:
    """`error_messages` for a list's min_length in words ("at least 1 event"), not DRF's
    "Ensure this field has at least 1 elements."."""
    plural = thing if count == 1 else f"{thing}s"
    return {"min_length": f"Give at least {count} {plural}."}
