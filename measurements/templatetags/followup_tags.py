"""Follow-up blocks the shared registry templates include (the audience page, the owner's
home), so those views need not change: each tag reads `measurements.followups`."""

from __future__ import annotations

from typing import Any

from django import template

from audiences.models import Audience
from measurements import followups

register = template.Library()


@register.inclusion_tag("measurements/_followup_audience.html", takes_context=True)
def followup_audience_card(context: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """The audience's loop numbers, with a link to its follow-ups."""
    return {
        "audience": audience,
        "loop": followups.followup_loop(organisation=audience.organisation, audience=audience),
    }


@register.simple_tag(takes_context=True)
def my_open_followups(context: dict[str, Any]) -> int:
    """How many open follow-ups are assigned to the signed-in user's person."""
    request = context["request"]
    organisation = request.access.organisation
    me = followups.person_of(organisation, request.user)
    return 0 if me is None else followups.open_followups(organisation, assignee=me).count()
