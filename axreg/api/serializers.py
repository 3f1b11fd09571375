"""The serializer base every API body uses: unknown and server-set fields are refused by name."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext
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
                        name: serializers.ErrorDetail(
                            gettext("This field is set by the server; remove it."),
                            code="server_field",
                        )
                        if name in SERVER_FIELDS
                        else serializers.ErrorDetail(
                            gettext("Unknown field; remove it."), code="unknown_field"
                        )
                        for name in extra
                    }
                )
        return super().to_internal_value(data)


class FiniteFloatField(serializers.FloatField):
    """A float that refuses NaN and ±Infinity (DRF's lets NaN through min/max validators)."""

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError(gettext("Enter a finite number."), code="not_finite")
        return value


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers and booleans: DRF's CharField stores 123 as "123",
    which hides a client's bug (the survey tool sent the wrong field)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(gettext("Must be a string."), code="invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number as a JSON number: "3", 3.0 and true are refused, as pushed scores are
    (measurements.ingest.fields), rather than read as 3."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError(gettext("Must be an integer."), code="invalid")
        return super().to_internal_value(data)
