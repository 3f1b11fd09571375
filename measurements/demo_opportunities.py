"""Demo opportunities on Riverside's teacher journey: one done (so its before and after shows),
one in progress, one planned. Idempotent: keyed by (audience, problem), the problem as any
interface language writes it (a run in another language relabels the same rows); a re-run puts
the rows back as listed, dated relative to today."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from audiences.demo import in_every_language
from journeys.demo import touchpoint_slug
from journeys.models import Touchpoint
from measurements.models import MetricDefinition, Opportunity, OpportunityStatus

# (problem, idea, touchpoint name, owner key, value, effort, status, metric slug,
#  recorded days ago, done days ago)
TEACHER_OPPORTUNITIES: list[tuple[Any, ...]] = [
    (
        pgettext_lazy("demo", "New teachers get their laptop in week three of induction"),
        pgettext_lazy(
            "demo", "Order laptops when the contract is signed and hand them over on the first day."
        ),
        pgettext_lazy("demo", "New-teacher induction"),
        "maya",
        4,
        2,
        OpportunityStatus.DONE,
        "nps",
        200,
        110,
    ),
    (
        pgettext_lazy("demo", "The weekly staff bulletin buries what changed in attachments"),
        pgettext_lazy(
            "demo", "Three headlines at the top, what changed and why; attachments only for detail."
        ),
        pgettext_lazy("demo", "Weekly staff bulletin"),
        "maya",
        3,
        1,
        OpportunityStatus.IN_PROGRESS,
        "nps",
        40,
        None,
    ),
    (
        pgettext_lazy("demo", "Professional development days are one-size-fits-all"),
        pgettext_lazy(
            "demo",
            "Let teachers choose two of five sessions, and keep an hour to plan with colleagues.",
        ),
        pgettext_lazy("demo", "Professional development day"),
        "priya",
        4,
        4,
        OpportunityStatus.PLANNED,
        "nps",
        20,
        None,
    ),
]


def seed_opportunities(demo: dict[str, Any]) -> None:
    """The demo's opportunities (after its journeys and metric definitions)."""
    audience = demo["audiences"]["riverside"]["teachers"]
    people = demo["people"]["riverside"]
    org_id = audience.organisation_id
    now = timezone.now()
    for (
        problem,
        idea,
        at,
        owner,
        value,
        effort,
        status,
        metric,
        recorded,
        done,
    ) in TEACHER_OPPORTUNITIES:
        touchpoint = Touchpoint.objects.for_org(org_id).get(
            audience=audience, slug=touchpoint_slug(at)
        )
        opportunity = (
            Opportunity.objects.for_org(org_id)
            .filter(audience=audience, problem__in=in_every_language(problem))
            .first()
        ) or Opportunity(organisation_id=org_id, audience=audience)
        opportunity.problem, opportunity.idea = str(problem), str(idea)
        opportunity.owner = people[owner]
        opportunity.value, opportunity.effort, opportunity.status = value, effort, status
        opportunity.definition = MetricDefinition.objects.for_org(org_id).get(
            audience=audience, slug=metric
        )
        opportunity.done_at = now - timedelta(days=done) if done is not None else None
        opportunity.full_clean(exclude=["organisation", "audience"])
        opportunity.save()
        opportunity.touchpoints.set([touchpoint])
        # created_at is set on insert only; the demo dates it so the "before" month is real.
        Opportunity.objects.for_org(org_id).filter(pk=opportunity.pk).update(
            created_at=now - timedelta(days=recorded)
        )
