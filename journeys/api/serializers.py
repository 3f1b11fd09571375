"""API shapes for journey stages and touchpoints: strict bodies (unknown fields refused by
name), the same fields the browser's forms have."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from axreg.api.serializers import StrictSerializer
from journeys.models import Channel, Phase, Stage, Touchpoint

TEXT_LIMIT = 5000  # a lane's note is a paragraph, not a document


class StageSerializer(StrictSerializer):
    """A column of an audience's journey map; new ones go at the end of their phase."""

    audience = serializers.SlugField(max_length=80, help_text="Audience slug (fixed once created).")
    name = serializers.CharField(min_length=1, max_length=200)
    phase = serializers.ChoiceField(
        choices=Phase.choices, required=False, help_text="Before, during or after the transaction."
    )
    description = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)

    def to_representation(self, instance: Stage) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "audience": instance.audience.slug,
            "name": instance.name,
            "phase": instance.phase,
            "description": instance.description,
            "position": instance.position + 1,
        }


StageAnswer = inline_serializer(
    "StageAnswer",
    {
        "id": serializers.IntegerField(),
        "audience": serializers.SlugField(),
        "name": serializers.CharField(),
        "phase": serializers.ChoiceField(choices=Phase.choices),
        "description": serializers.CharField(allow_blank=True),
        "position": serializers.IntegerField(min_value=1, help_text="1 is the first column."),
    },
)


class TouchpointWriteSerializer(StrictSerializer):
    """A touchpoint to add to a stage or change (any field; moving it to another stage puts it
    at the bottom of that stage)."""

    stage = serializers.IntegerField(min_value=1, help_text="Id of a stage of the audience.")
    name = serializers.CharField(min_length=1, max_length=200)
    slug = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Made from the name if empty."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    expectations = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    emotions = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    motivations = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    obstacles = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class TouchpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField(help_text="What results send as `touchpoint`.")
    name = serializers.CharField()
    stage = serializers.CharField(help_text="Name of the journey stage it belongs to.")
    stage_id = serializers.IntegerField(help_text="Id of that stage.")
    phase = serializers.ChoiceField(
        choices=Phase.choices, help_text="Before, during or after the transaction."
    )
    audience = serializers.SlugField(help_text="Slug of its audience.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    expectations = serializers.CharField(allow_blank=True)
    emotions = serializers.CharField(allow_blank=True)
    motivations = serializers.CharField(allow_blank=True)
    obstacles = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField(min_value=1, help_text="1 is the top of its stage.")

    def to_representation(self, instance: Touchpoint) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "slug": instance.slug,
            "name": instance.name,
            "stage": instance.stage.name,
            "stage_id": instance.stage_id,
            "phase": instance.stage.phase,
            "audience": instance.audience.slug,
            "channel": instance.channel,
            "expectations": instance.expectations,
            "emotions": instance.emotions,
            "motivations": instance.motivations,
            "obstacles": instance.obstacles,
            "position": instance.position + 1,
        }
