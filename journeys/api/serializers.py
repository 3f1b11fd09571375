"""API shapes for touchpoints (read only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journeys.models import Phase, Touchpoint


class TouchpointSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="What results send as `touchpoint`.")
    name = serializers.CharField()
    stage = serializers.CharField(help_text="Name of the journey stage it belongs to.")
    phase = serializers.ChoiceField(
        choices=Phase.choices, help_text="Before, during or after the transaction."
    )
    audience = serializers.SlugField(help_text="Slug of its audience.")

    def to_representation(self, instance: Touchpoint) -> dict[str, Any]:
        return {
            "slug": instance.slug,
            "name": instance.name,
            "stage": instance.stage.name,
            "phase": instance.stage.phase,
            "audience": instance.audience.slug,
        }
