"""Reads for journey maps and personas, prefetched so a page costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from audiences.models import Audience, Organisation
from journeys.models import Persona, Stage, Touchpoint
from measurements.models import MetricDefinition


def journey_stages(*, audience: Audience) -> QuerySet[Stage]:
    """The audience's stages in order, each with its touchpoints (in order), their owners and
    the metric definitions measured at each touchpoint."""
    definitions = (
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .order_by("-active", "name")
    )
    touchpoints = (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("owner")
        .prefetch_related(Prefetch("metric_definitions", queryset=definitions))
        .order_by("position", "id")
    )
    return (
        Stage.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
        .order_by("position", "id")
    )


def audience_personas(*, audience: Audience) -> QuerySet[Persona]:
    """The audience's personas with their quotes."""
    return (
        Persona.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related("quotes")
    )


def touchpoint_list(
    *, organisation: Organisation, audience_slug: str | None = None
) -> QuerySet[Touchpoint]:
    """The organisation's touchpoints (optionally one audience's) in journey order, with the
    audience and stage each belongs to."""
    touchpoints = Touchpoint.objects.for_org(organisation).select_related("audience", "stage")
    if audience_slug is not None:
        touchpoints = touchpoints.filter(audience__slug=audience_slug)
    return touchpoints.order_by("audience__slug", "stage__position", "stage_id", "position", "id")
