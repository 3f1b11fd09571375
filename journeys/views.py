"""Journey map and personas tabs of an audience: read for members, edit for its editors.

The map itself and the delete confirmations show the metrics measured at each touchpoint, so
those views are in `measurements/views/journeys.py`, under the same `journeys:` names.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audiences.access import audience_for_edit, member_required, org_object_or_404
from audiences.models import Audience
from axreg.forms import save_through_service
from journeys import selectors, services
from journeys.forms import (
    PersonaForm,
    QuoteFormSet,
    StageForm,
    TouchpointForm,
    quotes_from_formset,
)
from journeys.models import Persona, Stage, Touchpoint

# POSTed direction -> offset in the ordered list (left/up is earlier).
DIRECTIONS = {"left": -1, "up": -1, "right": 1, "down": 1}


def audience_or_404(request: HttpRequest, slug: str) -> Audience:
    """The member's audience by slug, with its owner; any other answers 404."""
    return org_object_or_404(request, Audience.objects.select_related("owner"), slug=slug)


def child_or_404(request: HttpRequest, model: type[Model], audience: Audience, pk: int) -> Model:
    """An object of this audience by id: another audience's or organisation's answers 404."""
    obj = org_object_or_404(request, model, pk=pk, audience=audience)
    obj.audience = audience
    return obj


def to_journey(audience: Audience) -> HttpResponse:
    """Back to the audience's journey map, where every journey edit returns."""
    return redirect("journeys:map", slug=audience.slug)


@member_required
def stage_form(request: HttpRequest, slug: str, stage_id: int | None = None) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    stage = child_or_404(request, Stage, audience, stage_id) if stage_id else None
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and save_through_service(
        form,
        lambda data: (
            services.stage_update(stage=stage, actor_user=request.user, data=data)
            if stage
            else services.stage_create(audience=audience, actor_user=request.user, data=data)
        ),
    ):
        messages.success(request, gettext("Stage saved."))
        return to_journey(audience)
    context = {"audience": audience, "form": form, "stage": stage}
    return render(request, "journeys/stage_form.html", context)


@member_required
@require_POST
def stage_move(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    stage = child_or_404(request, Stage, audience, stage_id)
    offset = DIRECTIONS.get(request.POST.get("direction", ""), 0)
    if offset and not services.stage_move(stage=stage, actor_user=request.user, offset=offset):
        messages.warning(
            request,
            gettext("“%(name)s” is already at that end of the journey.") % {"name": stage.name},
        )
    return to_journey(audience)


def _order_from(request: HttpRequest) -> list[int] | None:
    """The ids of a drag and drop's new order, from its JSON body {"order": [id, …]}."""
    try:
        order = json.loads(request.body or b"{}").get("order")
    except (ValueError, AttributeError):
        return None
    if not isinstance(order, list) or not all(type(i) is int for i in order):
        return None
    return order


def _reorder_answer(request: HttpRequest, save: Callable[[list[int]], list]) -> JsonResponse:
    order = _order_from(request)
    if order is None:
        return JsonResponse({"error": gettext('Send {"order": [id, …]}.')}, status=400)
    try:
        saved = save(order)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    return JsonResponse({"order": [item.pk for item in saved], "message": gettext("Order saved.")})


@member_required
@require_POST
def stage_reorder(request: HttpRequest, slug: str) -> HttpResponse:
    """Drag and drop of the stage columns (JSON); the move buttons do the same without script."""
    audience = audience_for_edit(request, slug)
    return _reorder_answer(
        request,
        lambda order: services.stage_reorder(
            audience=audience, order=order, actor_user=request.user
        ),
    )


@member_required
@require_POST
def touchpoint_reorder(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    """Drag and drop of a stage's touchpoint cards (JSON)."""
    audience = audience_for_edit(request, slug)
    stage = child_or_404(request, Stage, audience, stage_id)
    return _reorder_answer(
        request,
        lambda order: services.touchpoint_reorder(
            stage=stage, order=order, actor_user=request.user
        ),
    )


@member_required
def touchpoint_form(
    request: HttpRequest, slug: str, stage_id: int | None = None, touchpoint_id: int | None = None
) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    touchpoint = (
        child_or_404(request, Touchpoint, audience, touchpoint_id) if touchpoint_id else None
    )
    stage = touchpoint.stage if touchpoint else child_or_404(request, Stage, audience, stage_id)
    form = TouchpointForm(
        request.POST or None, instance=touchpoint, audience=audience, initial={"stage": stage}
    )
    if request.method == "POST" and save_through_service(
        form,
        lambda data: (
            services.touchpoint_update(touchpoint=touchpoint, actor_user=request.user, data=data)
            if touchpoint
            else services.touchpoint_create(stage=stage, actor_user=request.user, data=data)
        ),
    ):
        messages.success(request, gettext("Touchpoint saved."))
        return to_journey(audience)
    context = {"audience": audience, "form": form, "touchpoint": touchpoint, "stage": stage}
    return render(request, "journeys/touchpoint_form.html", context)


@member_required
@require_POST
def touchpoint_move(request: HttpRequest, slug: str, touchpoint_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    touchpoint = child_or_404(request, Touchpoint, audience, touchpoint_id)
    offset = DIRECTIONS.get(request.POST.get("direction", ""), 0)
    moved = offset and services.touchpoint_move(
        touchpoint=touchpoint, actor_user=request.user, offset=offset
    )
    if offset and not moved:
        messages.warning(
            request,
            gettext("“%(name)s” is already at that end of its stage.") % {"name": touchpoint.name},
        )
    return to_journey(audience)


@member_required
def personas(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_or_404(request, slug)
    context = {
        "audience": audience,
        "personas": selectors.audience_personas(audience=audience),
        "can_edit": request.access.can_edit_audience(audience),
    }
    return render(request, "journeys/persona_list.html", context)


@member_required
def persona_form(request: HttpRequest, slug: str, persona_id: int | None = None) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    persona = child_or_404(request, Persona, audience, persona_id) if persona_id else None
    form = PersonaForm(request.POST or None, instance=persona, audience=audience)
    quotes = QuoteFormSet(request.POST or None, instance=persona or Persona(), prefix="quotes")
    if (
        request.method == "POST"
        and quotes.is_valid()
        and save_through_service(
            form,
            lambda data: services.persona_save(
                audience=audience,
                persona=persona,
                actor_user=request.user,
                data=data,
                quotes=quotes_from_formset(quotes),
            ),
        )
    ):
        messages.success(request, gettext("Persona saved."))
        return redirect("journeys:personas", slug=audience.slug)
    context = {"audience": audience, "form": form, "quotes": quotes, "persona": persona}
    return render(request, "journeys/persona_form.html", context)


@member_required
@require_POST
def persona_delete(request: HttpRequest, slug: str, persona_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    persona = child_or_404(request, Persona, audience, persona_id)
    services.persona_delete(persona=persona, actor_user=request.user)
    messages.success(request, gettext("Persona “%(name)s” removed.") % {"name": persona.name})
    return redirect("journeys:personas", slug=audience.slug)
