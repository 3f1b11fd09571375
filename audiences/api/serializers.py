"""API shapes for audiences. Writes go through `audiences.services`; these only translate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from audiences.models import TOP_TEN, Audience, AudienceKind, LifecycleStage, Person
from axreg.api.serializers import StrictSerializer


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
            raise serializers.ValidationError(
                gettext("No person with the e-mail %(email)s here.") % {"email": value}
            )
        return person
