"""The journey pages that show what measures each touchpoint: the map and the confirmations of
removing a stage or a touchpoint (which name the metrics left without one).

Metric definitions point at touchpoints, so these views live here; their URL names stay
`journeys:map`, `journeys:stage_delete` and `journeys:touchpoint_delete` (see axreg/urls.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from audiences.access import audience_for_edit, member_required
from audiences.models import Audience
from journeys import services
from journeys.models import Phase, Stage, Touchpoint
from journeys.views import audience_or_404, child_or_404, to_journey
from measurements import journey_selectors as selectors


@member_required
def journey_map(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_or_404(request, slug)
    # A `?persona=` that names none of this audience's personas is ignored with a note, as
    # the lists ignore a filter value they do not know: the page itself exists.
    wanted = request.GET.get("persona", "").strip()
    persona = selectors.persona_from_query(audience=audience, raw=wanted) if wanted else None
    journey = selectors.journey_map(audience=audience, persona=persona)
    context = {
        "audience": audience,
        "journey": journey,
        "persona_unknown": bool(wanted) and persona is None,
        "stages": journey.stages,
        "phases": Phase.choices,
        "can_edit": request.access.can_edit_audience(audience),
        # A persona's view hides stages and touchpoints, whose places a move could not keep.
        "can_reorder": request.access.can_edit_audience(audience) and persona is None,
        "curve": {"points": journey.curve_points},
    }
    return render(request, "journeys/journey_map.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def stage_delete(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    """GET asks (naming the touchpoints that go too, or why it stays); only the POST removes."""
    audience = audience_for_edit(request, slug)
    stage = child_or_404(request, Stage, audience, stage_id)
    if request.method == "POST":
        try:
            services.stage_delete(stage=stage, actor_user=request.user)
        except ValidationError:
            return _confirm(request, audience, "stage", stage, status=400)
        messages.success(request, gettext("Stage “%(name)s” removed.") % {"name": stage.name})
        return to_journey(audience)
    return _confirm(request, audience, "stage", stage)


@member_required
@require_http_methods(["GET", "POST"])
def touchpoint_delete(request: HttpRequest, slug: str, touchpoint_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    touchpoint = child_or_404(request, Touchpoint, audience, touchpoint_id)
    if request.method == "POST":
        try:
            services.touchpoint_delete(touchpoint=touchpoint, actor_user=request.user)
        except ValidationError:
            return _confirm(request, audience, "touchpoint", touchpoint, status=400)
        messages.success(
            request, gettext("Touchpoint “%(name)s” removed.") % {"name": touchpoint.name}
        )
        return to_journey(audience)
    return _confirm(request, audience, "touchpoint", touchpoint)


def _confirm(
    request: HttpRequest,
    audience: Audience,
    what: str,
    obj: Stage | Touchpoint,
    status: int = 200,
) -> HttpResponse:
    """The confirmation: what goes with it, or (stored rows carry a touchpoint) why it stays;
    a refused POST shows the same page, so the reason reads the same."""
    impact = (
        selectors.stage_delete_impact(stage=obj)
        if what == "stage"
        else selectors.touchpoint_delete_impact(touchpoint=obj)
    )
    context = {"audience": audience, "what": what, "obj": obj, "impact": impact}
    return render(request, "journeys/confirm_delete.html", context, status=status)
