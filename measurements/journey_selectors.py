"""Reads for the journey pages that show what measures each touchpoint
(measurements/views/journeys.py): metric definitions point at touchpoints, so journeys does not
read them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from audiences.models import Audience
from journeys import selectors as journey_selectors
from journeys.models import Stage, Touchpoint
from measurements.models import MetricDefinition


def journey_stages_measured(*, audience: Audience) -> QuerySet[Stage]:
    """The audience's stages and touchpoints in order (`journeys.selectors.journey_stages`),
    each touchpoint with the metric definitions measured at it, active first."""
    definitions = (
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .order_by("-active", "name")
    )
    return journey_selectors.journey_stages(
        audience=audience,
        touchpoint_prefetches=[Prefetch("metric_definitions", queryset=definitions)],
    )


@dataclass(frozen=True)
class DeleteImpact:
    """What removing a stage or touchpoint takes with it, for the confirmation page."""

    touchpoints: list[str]
    measured_by: list[str]  # metric definitions that stay, without their touchpoint


def stage_delete_impact(*, stage: Stage) -> DeleteImpact:
    return _impact(Touchpoint.objects.for_org(stage.organisation_id).filter(stage=stage))


def touchpoint_delete_impact(*, touchpoint: Touchpoint) -> DeleteImpact:
    return _impact(Touchpoint.objects.for_org(touchpoint.organisation_id).filter(pk=touchpoint.pk))


def _impact(touchpoints: QuerySet[Touchpoint]) -> DeleteImpact:
    rows = list(touchpoints.order_by("position", "pk"))
    definitions = (
        MetricDefinition.objects.for_org(rows[0].organisation_id)
        .filter(touchpoint__in=rows)
        .order_by("name")
        .values_list("name", flat=True)
        if rows
        else []
    )
    return DeleteImpact(touchpoints=[t.name for t in rows], measured_by=list(definitions))
