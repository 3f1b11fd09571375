"""Reads for opportunities: what to improve at each touchpoint, in priority order.

The journey map includes templates/measurements/_touchpoint_opportunities.html under every
touchpoint with the lists `opportunities_by_touchpoint` returns.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from audiences.models import Audience
from journeys.models import Touchpoint
from measurements.models import Opportunity


def opportunity_queryset(*, organisation_id: int) -> QuerySet[Opportunity]:
    """The organisation's opportunities with what every list shows (owner, audience,
    touchpoints, the metric it should move), in a fixed number of queries."""
    touchpoints = Touchpoint.objects.for_org(organisation_id).order_by("position", "id")
    return (
        Opportunity.objects.for_org(organisation_id)
        .select_related("audience", "owner", "definition")
        .prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
    )


def opportunities_by_touchpoint(audience: Audience) -> dict[int, list[Opportunity]]:
    """The audience's opportunities under each touchpoint id they are linked to, open ones
    first in priority order, done ones last (an opportunity at two touchpoints is in both)."""
    by_touchpoint: dict[int, list[Opportunity]] = defaultdict(list)
    rows = opportunity_queryset(organisation_id=audience.organisation_id).filter(audience=audience)
    for opportunity in sorted(rows, key=_touchpoint_order):
        for touchpoint in opportunity.touchpoints.all():
            by_touchpoint[touchpoint.pk].append(opportunity)
    return dict(by_touchpoint)


def _touchpoint_order(opportunity: Opportunity) -> tuple[bool, float, int]:
    # Beside a touchpoint, what is still to do comes before what is done; within each,
    # value over effort as on the lists.
    return (opportunity.status == "done", -opportunity.value / opportunity.effort, -opportunity.pk)
