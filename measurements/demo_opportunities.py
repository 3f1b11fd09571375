"""Demo opportunities on Riverside's teacher journey: one done (so its before and after shows),
one in progress, one planned. Idempotent: keyed by (audience, problem); a re-run puts the
rows back as listed, dated relative to today."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from journeys.models import Touchpoint
from measurements.models import MetricDefinition, Opportunity, OpportunityStatus

# (problem, idea, touchpoint name, owner key, value, effort, status, metric slug,
#  recorded days ago, done days ago)
TEACHER_OPPORTUNITIES: list[tuple[Any, ...]] = [
    (
        "New teachers get their laptop in week three of induction",
        "Order laptops when the contract is signed and hand them over on the first day.",
        "New-teacher induction", "maya", 4, 2, OpportunityStatus.DONE, "nps", 200, 110,
    ),
    (
        "The weekly staff bulletin buries what changed in attachments",
        "Three headlines at the top, what changed and why; attachments only for detail.",
        "Weekly staff bulletin", "maya", 3, 1, OpportunityStatus.IN_PROGRESS, "nps", 40, None,
    ),
    (
        "Professional development days are one-size-fits-all",
        "Let teachers choose two of five sessions, and keep an hour to plan with colleagues.",
        "Professional development day", "priya", 4, 4, OpportunityStatus.PLANNED, "nps", 20,
        None,
    ),
]  # fmt: skip


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
        touchpoint = Touchpoint.objects.for_org(org_id).get(audience=audience, name=at)
        opportunity = (
            Opportunity.objects.for_org(org_id).filter(audience=audience, problem=problem).first()
        ) or Opportunity(organisation_id=org_id, audience=audience, problem=problem)
        opportunity.idea, opportunity.owner = idea, people[owner]
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
