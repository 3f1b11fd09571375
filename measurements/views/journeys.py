"""The journey pages that show what measures each touchpoint: the map and the confirmations of
removing a stage or a touchpoint (which name the metrics left without one).

Metric definitions point at touchpoints, so these views live here; their URL names stay
`journeys:map`, `journeys:stage_delete` and `journeys:touchpoint_delete` (see axreg/urls.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from audiences.access import audience_for_edit, member_required
from journeys import services
from journeys.models import Persona, Phase, Stage, Touchpoint
from journeys.views import audience_or_404, child_or_404, to_journey
from measurements import journey_selectors as selectors


@member_required
def journey_map(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_or_404(request, slug)
    persona = None
    if request.GET.get("persona"):
        wanted = request.GET["persona"]
        persona = child_or_404(request, Persona, audience, int(wanted) if wanted.isdigit() else 0)
    journey = selectors.journey_map(audience=audience, persona=persona)
    context = {
        "audience": audience,
        "journey": journey,
        "stages": journey.stages,
        "phases": Phase.choices,
        "can_edit": request.access.can_edit_audience(audience),
        "curve": {"points": journey.curve_points},
    }
    return render(request, "journeys/journey_map.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def stage_delete(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    """GET asks (naming the touchpoints that go too); the POST of that page removes."""
    audience = audience_for_edit(request, slug)
    stage = child_or_404(request, Stage, audience, stage_id)
    if request.method == "GET":
        context = {
            "audience": audience,
            "what": "stage",
            "obj": stage,
            "impact": selectors.stage_delete_impact(stage=stage),
        }
        return render(request, "journeys/confirm_delete.html", context)
    services.stage_delete(stage=stage, actor_user=request.user)
    messages.success(request, f"Stage “{stage.name}” removed.")
    return to_journey(audience)


@member_required
@require_http_methods(["GET", "POST"])
def touchpoint_delete(request: HttpRequest, slug: str, touchpoint_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    touchpoint = child_or_404(request, Touchpoint, audience, touchpoint_id)
    if request.method == "GET":
        context = {
            "audience": audience,
            "what": "touchpoint",
            "obj": touchpoint,
            "impact": selectors.touchpoint_delete_impact(touchpoint=touchpoint),
        }
        return render(request, "journeys/confirm_delete.html", context)
    services.touchpoint_delete(touchpoint=touchpoint, actor_user=request.user)
    messages.success(request, f"Touchpoint “{touchpoint.name}” removed.")
    return to_journey(audience)
