"""The follow-up pages: the organisation's list with the loop's numbers, one follow-up with its
assign / status / note form, and the lead's target. Validate, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audiences.access import lead_required, member_required, org_object_or_404
from audiences.models import Role
from axreg.forms import save_through_service
from measurements import followups
from measurements.followup_forms import FollowUpFilterForm, FollowUpForm, FollowUpTargetForm
from measurements.models import FollowUp, FollowUpStatus
from measurements.scales import followup_default_text


@member_required
@require_http_methods(["GET", "HEAD"])
def followup_list(request: HttpRequest) -> HttpResponse:
    return render(request, "measurements/followup_list.html", _list_context(request))


def _list_context(request: HttpRequest, target_form: FollowUpTargetForm | None = None) -> dict:
    organisation = request.access.organisation
    filters = FollowUpFilterForm(request.GET or None, organisation=organisation)
    if request.access.role == Role.VIEWER:
        # A viewer acts on no follow-up, so "assigned to me" is not their list (walk2).
        del filters.fields["mine"]
    data = filters.cleaned_data if filters.is_valid() else {}
    audience = data.get("audience")
    status = data.get("status") or ""
    me = followups.person_of(organisation, request.user)
    rows = followups.followups_filter(
        organisation,
        status=status if status in FollowUpStatus.values else None,
        audience=audience,
    )
    if not status:
        rows = rows.exclude(status=FollowUpStatus.CLOSED)
    if data.get("mine"):
        rows = rows.filter(assignee=me) if me else rows.none()
    scope = FollowUp.objects.for_org(organisation)
    if audience is not None:
        scope = scope.filter(audience=audience)
    counts = dict(scope.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "filters": filters,
        "rows": followups.followups_shown(rows[:200]),
        "total": rows.count(),
        "counts": [(label, counts.get(value, 0)) for value, label in FollowUpStatus.choices],
        "audience": audience,
        "default_rule": followup_default_text(),
        "loop": followups.followup_loop(organisation=organisation, audience=audience),
        "target_form": target_form
        or FollowUpTargetForm(initial={"followup_target_days": organisation.followup_target_days}),
    }
    return context


@member_required
@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.access.organisation
    followup = org_object_or_404(request, followups.followups_for(organisation), pk=pk)
    may_act = followups.followup_may_act(request.access, followup)
    initial = {"assignee": followup.assignee, "status": followup.status, "note": followup.note}
    form = FollowUpForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied("Only a lead or the audience's owner can change follow-ups.")
        saved = save_through_service(
            form,
            lambda data: followups.followup_update(followup=followup, actor=request.user, **data),
        )
        if saved is not None:
            messages.success(request, f"Follow-up saved: {saved.get_status_display().lower()}.")
            return redirect("measurements:followup_detail", pk=followup.pk)
    context = {
        "shown": followups.followup_shown(followup),
        "form": form,
        "may_act": may_act,
        # The one it was made under; (value, False) for one made before that was recorded.
        "threshold": followups.threshold_of(followup),
        "loop": followups.followup_loop(organisation=organisation, audience=followup.audience),
    }
    return render(request, "measurements/followup_detail.html", context)


@lead_required
@require_POST
def followup_target(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = FollowUpTargetForm(request.POST)
    saved = save_through_service(
        form,
        lambda data: followups.followup_target_set(
            organisation=organisation, days=data["followup_target_days"], actor=request.user
        ),
    )
    if saved is None:
        context = _list_context(request, target_form=form)
        return render(request, "measurements/followup_list.html", context, status=400)
    days = saved.followup_target_days
    messages.success(request, f"Follow-ups should now close within {days} days.")
    return redirect("measurements:followups")
