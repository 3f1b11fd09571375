"""Reads for journey maps and personas, prefetched so a page costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from audiences.models import Audience, Organisation
from journeys.models import Persona, Stage, Touchpoint


def journey_stages(
    *, audience: Audience, touchpoint_prefetches: Iterable[Prefetch | str] = ()
) -> QuerySet[Stage]:
    """The audience's stages in order, each with its touchpoints (in order) and their owners.

    `touchpoint_prefetches` adds what another app relates to each touchpoint (the journey map
    in measurements adds the metric definitions measured there).
    """
    touchpoints = (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("owner")
        .prefetch_related(*touchpoint_prefetches)
        .order_by("position", "id")
    )
    return (
        Stage.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
        .order_by("position", "id")
    )


def audience_personas(*, audience: Audience) -> QuerySet[Persona]:
    """The audience's personas with their quotes and the stages and touchpoints they use."""
    return (
        Persona.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related("quotes", "stages", "touchpoints")
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
