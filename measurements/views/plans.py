"""The Measurement tab: the audience's plan and metric definitions (read, and edit for owners)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audiences.access import audience_for_edit, member_required, org_object_or_404
from audiences.models import Audience
from axreg.forms import save_through_service
from measurements import reviews, services
from measurements.forms import DefinitionForm, PlanForm
from measurements.formulas import definition_label, formula_text
from measurements.liability import liabilities_for
from measurements.models import MeasurementPlan, MetricDefinition


@member_required
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    audience = org_object_or_404(request, Audience.objects.select_related("owner"), slug=slug)
    definitions = [
        (d, definition_label(d), formula_text(d))
        for d in MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("audience", "touchpoint__stage")
        .order_by("-active", "kind", "slug")
    ]
    plan = MeasurementPlan.objects.for_org(audience.organisation_id).filter(audience=audience)
    plan = plan.select_related("organisation").first()
    context = {
        "audience": audience,
        "plan": plan,
        "review_due": plan and reviews.plan_review_due(plan),
        "review_overdue": plan and reviews.plan_review_overdue(plan),
        # The current time zone is the organisation's (audiences.middleware).
        "reviewed_today": plan and plan.last_reviewed_on == timezone.localdate(),
        "definitions": definitions,
        "liability": liabilities_for([audience])[audience.pk],
        "can_edit": request.access.can_edit_audience(audience),
    }
    return render(request, "measurements/plan_detail.html", context)


@member_required
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    instance = (
        MeasurementPlan.objects.for_org(audience.organisation_id).filter(audience=audience).first()
    )
    form = PlanForm(request.POST or None, instance=instance)
    if request.method == "POST" and instance is None and not form.has_changed():
        # An untouched form of an audience without a plan: saving it would record an empty
        # plan (and audit its creation) though the owner wrote nothing.
        messages.info(request, gettext("Nothing to save: the plan is still empty."))
        return redirect("measurements:plan", slug=audience.slug)
    if request.method == "POST" and save_through_service(
        form,
        lambda data: services.plan_save(audience=audience, actor_user=request.user, data=data),
    ):
        messages.success(request, gettext("Measurement plan saved."))
        return redirect("measurements:plan", slug=audience.slug)
    return render(request, "measurements/plan_form.html", {"audience": audience, "form": form})


@member_required
@require_POST
def plan_reviewed(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark the plan reviewed today: the review reminder starts again from today."""
    audience = audience_for_edit(request, slug)
    plan = org_object_or_404(request, MeasurementPlan, audience=audience)
    if reviews.plan_mark_reviewed(plan=plan, actor_user=request.user):
        messages.success(request, gettext("Measurement plan marked reviewed today."))
    else:
        messages.info(request, gettext("The plan was already marked reviewed today."))
    return redirect("measurements:plan", slug=audience.slug)


@member_required
def definition_create(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    form = DefinitionForm(request.POST or None, audience=audience)
    definition = request.method == "POST" and save_through_service(
        form,
        lambda data: services.definition_create(
            audience=audience, actor_user=request.user, data=data
        ),
    )
    if definition:
        messages.success(request, gettext("Metric “%(name)s” added.") % {"name": definition.name})
        return redirect("measurements:plan", slug=audience.slug)
    context = {"audience": audience, "form": form, "definition": None}
    return render(request, "measurements/definition_form.html", context)


@member_required
def definition_edit(request: HttpRequest, slug: str, definition_id: int) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    definition = org_object_or_404(request, MetricDefinition, pk=definition_id, audience=audience)
    form = DefinitionForm(request.POST or None, instance=definition, audience=audience)
    if request.method == "POST" and save_through_service(
        form,
        lambda data: services.definition_update(
            definition=definition, actor_user=request.user, data=data
        ),
    ):
        messages.success(request, gettext("Metric “%(name)s” saved.") % {"name": definition.name})
        return redirect("measurements:plan", slug=audience.slug)
    context = {"audience": audience, "form": form, "definition": definition}
    return render(request, "measurements/definition_form.html", context)


@member_required
@require_POST
def definition_active(request: HttpRequest, slug: str, definition_id: int) -> HttpResponse:
    """Deactivate or reactivate; definitions are never deleted because results hang off them."""
    audience = audience_for_edit(request, slug)
    definition = org_object_or_404(request, MetricDefinition, pk=definition_id, audience=audience)
    active = request.POST.get("active") == "1"
    services.definition_set_active(definition=definition, actor_user=request.user, active=active)
    if active:
        text = gettext("Metric “%(name)s” reactivated.")
    else:
        text = gettext("Metric “%(name)s” deactivated.")
    messages.success(request, text % {"name": definition.name})
    return redirect("measurements:plan", slug=audience.slug)
