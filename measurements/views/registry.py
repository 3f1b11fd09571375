"""The registry pages that show liability and alerts: the three homes, the list, an audience.

They read all three apps, so they live here; their URL names stay `audiences:home`,
`audiences:list` and `audiences:detail` (axreg/urls.py serves them in that namespace).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audiences import selectors as audience_selectors
from audiences.access import Access, member_required, org_object_or_404
from audiences.models import Audience, Role
from measurements import registry_selectors as selectors
from measurements.filters import RegistryFilter
from measurements.liability import audiences_with_liability_flags, liability_of
from measurements.reviews import overdue_plans
from measurements.selectors import organisation_overview

# The page that fills each liability gap, and what its link says.
FIX_PAGES = {
    "owner_named": ("audiences:edit", _("Name an owner")),
    "plan_recorded": ("measurements:plan_edit", _("Record the measurement plan")),
    "plan_reviewed": ("measurements:plan", _("Review the plan")),
    "journey_mapped": ("journeys:map", _("Map the journey")),
    "metric_defined": ("measurements:definition_create", _("Define a metric")),
    "data_flowing": ("measurements:import", _("Import results (CSV)")),
}


def liability_fixes(audience: Audience, *, access: Access) -> list[dict[str, str]]:
    """Each failing check of `audience.liability` with a link to fix it, where `access` may.

    Only a lead names owners, so an owner gets no link for "No owner".
    """
    fixes = []
    for key, label, todo in audience.liability.failures:
        url_name, action = FIX_PAGES[key]
        allowed = access.is_lead if key == "owner_named" else access.can_edit_audience(audience)
        fixes.append(
            {
                "key": key,
                "label": label,
                "todo": todo,
                "action": action,
                "url": reverse(url_name, args=[audience.slug]) if allowed else "",
            }
        )
    return fixes


@member_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own home: the lead's checklist, an owner's gaps and alerts, a viewer's top
    ten with their health."""
    access = request.access
    organisation = access.organisation
    if access.is_lead:
        progress = selectors.registry_progress(organisation=organisation)
        return render(request, "audiences/home.html", {"progress": progress})
    if access.role == Role.OWNER:
        mine = selectors.owner_home(organisation=organisation, user=request.user)
        for audience in mine.audiences:
            audience.fixes = liability_fixes(audience, access=access)
        overdue = overdue_plans(organisation, audiences=mine.audiences)
        context = {"mine": mine, "overdue_reviews": overdue}
        return render(request, "audiences/home_owner.html", context)
    rows = organisation_overview(organisation=organisation)
    return render(request, "audiences/home_viewer.html", {"rows": rows})


@member_required
def audience_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.audience_list(organisation=request.access.organisation)
    filterset = RegistryFilter(request.GET, queryset=queryset, request=request)
    audiences = list(filterset.qs)
    for audience in audiences:
        audience.liability = liability_of(audience)
    context = {"filter": filterset, "audiences": audiences}
    return render(request, "audiences/audience_list.html", context)


@member_required
def audience_detail(request: HttpRequest, slug: str) -> HttpResponse:
    queryset = audiences_with_liability_flags(Audience.objects.select_related("owner"))
    audience = org_object_or_404(request, queryset, slug=slug)
    audience.liability = liability_of(audience)
    context = {
        "audience": audience,
        "liability": audience.liability,
        "fixes": liability_fixes(audience, access=request.access),
        "history": audience_selectors.audit_rows(
            audience_selectors.audience_history(audience=audience)
        ),
        "can_edit": request.access.can_edit_audience(audience),
    }
    return render(request, "audiences/audience_detail.html", context)
