"""Opportunities: the prioritised lists (one audience's, the organisation's), one opportunity
with its before and after, and the forms to add, change, move and remove one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audiences.access import audience_for_edit, member_required, org_object_or_404
from audiences.models import Audience
from axreg.forms import save_through_service
from journeys.models import Touchpoint
from measurements import opportunity_services as services
from measurements.models import Opportunity, OpportunityStatus
from measurements.opportunities import attach_before_after, opportunity_list, opportunity_queryset
from measurements.opportunity_forms import OpportunityFilter, OpportunityForm


def _opportunity_or_404(request: HttpRequest, audience: Audience, pk: int) -> Opportunity:
    rows = opportunity_queryset(organisation_id=audience.organisation_id)
    return org_object_or_404(request, rows, pk=pk, audience=audience)


def _list(request: HttpRequest, audience: Audience | None) -> HttpResponse:
    rows = opportunity_queryset(organisation_id=request.access.organisation.pk)
    # The organisation's list leaves archived audiences out, as the registry does; an archived
    # audience's own list still shows what it had.
    rows = rows.filter(audience=audience) if audience else rows.filter(audience__archived=False)
    filterset = OpportunityFilter(request.GET, queryset=rows, request=request)
    context = {
        "audience": audience,
        "filter": filterset,
        "opportunities": opportunity_list(queryset=filterset.qs),
        "can_edit": audience is not None and request.access.can_edit_audience(audience),
        "statuses": OpportunityStatus.choices,
    }
    return render(request, "measurements/opportunity_list.html", context)


@member_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return _list(request, None)


@member_required
def audience_list(request: HttpRequest, slug: str) -> HttpResponse:
    audience = org_object_or_404(request, Audience.objects.select_related("owner"), slug=slug)
    return _list(request, audience)


@member_required
def detail(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    audience = org_object_or_404(request, Audience.objects.select_related("owner"), slug=slug)
    opportunity = _opportunity_or_404(request, audience, opportunity_id)
    attach_before_after([opportunity])
    context = {
        "audience": audience,
        "opportunity": opportunity,
        "statuses": OpportunityStatus.choices,
        "can_edit": request.access.can_edit_audience(audience),
    }
    return render(request, "measurements/opportunity_detail.html", context)


def _to_detail(audience: Audience, opportunity: Opportunity) -> HttpResponse:
    return redirect(
        "measurements:opportunity_detail", slug=audience.slug, opportunity_id=opportunity.pk
    )


def _after_save(audience: Audience, opportunity: Opportunity, back_to_map: bool) -> HttpResponse:
    if back_to_map:
        return redirect("journeys:map", slug=audience.slug)
    return _to_detail(audience, opportunity)


@member_required
def create(request: HttpRequest, slug: str) -> HttpResponse:
    """Prefilled from `?touchpoint=<id>` (the map's "Add an opportunity"): that touchpoint,
    its metric and the audience's owner, so only problem, value and effort remain."""
    audience = audience_for_edit(request, slug)
    source = request.GET.get("touchpoint") or ""  # the form posts back to the same URL
    touchpoint = (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(audience=audience, pk=int(source))
        .first()
        if source.isdigit()
        else None
    )
    initial = {"owner": audience.owner, "status": OpportunityStatus.IDEA}
    if touchpoint is not None:
        initial["touchpoints"] = [touchpoint]
        initial["definition"] = services.touchpoint_default_definition(touchpoint)
    form = OpportunityForm(request.POST or None, initial=initial, audience=audience)
    opportunity = request.method == "POST" and save_through_service(
        form,
        lambda data: services.opportunity_create(
            audience=audience, data=data, actor_user=request.user
        ),
    )
    if opportunity:
        messages.success(request, _("Opportunity added."))
        return _after_save(audience, opportunity, back_to_map=touchpoint is not None)
    context = {"audience": audience, "form": form, "opportunity": None, "touchpoint": touchpoint}
    return render(request, "measurements/opportunity_form.html", context)


@member_required
def edit(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    opportunity = _opportunity_or_404(request, audience, opportunity_id)
    form = OpportunityForm(request.POST or None, instance=opportunity, audience=audience)
    saved = request.method == "POST" and save_through_service(
        form,
        lambda data: services.opportunity_update(
            opportunity=opportunity, data=data, actor_user=request.user
        ),
    )
    if saved:
        messages.success(request, _("Opportunity saved."))
        return _after_save(audience, saved, back_to_map=False)
    context = {"audience": audience, "form": form, "opportunity": opportunity}
    return render(request, "measurements/opportunity_form.html", context)


@member_required
@require_POST
def status(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    opportunity = _opportunity_or_404(request, audience, opportunity_id)
    try:
        services.opportunity_set_status(
            opportunity=opportunity, status=request.POST.get("status", ""), actor_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        opportunity.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("Opportunity moved to “%(status)s”.") % {"status": opportunity.get_status_display()},
        )
    return _to_detail(audience, opportunity)


@member_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    """GET asks; the POST of that page removes (no JavaScript needed)."""
    audience = audience_for_edit(request, slug)
    opportunity = _opportunity_or_404(request, audience, opportunity_id)
    if request.method == "GET":
        context = {"audience": audience, "opportunity": opportunity}
        return render(request, "measurements/opportunity_delete.html", context)
    services.opportunity_delete(opportunity=opportunity, actor_user=request.user)
    messages.success(request, _("Opportunity removed."))
    return redirect("measurements:opportunity_list", slug=audience.slug)
