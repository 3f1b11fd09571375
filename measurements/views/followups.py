"""The follow-up pages: the organisation's list with the loop's numbers, one follow-up with its
assign / status / note form, and the lead's target. Validate, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from audiences.access import lead_required, member_required, org_object_or_404
from audiences.models import Role
from axreg.forms import save_through_service
from measurements import followups
from measurements.followup_forms import FollowUpFilterForm, FollowUpForm, FollowUpTargetForm
from measurements.followup_history import followup_history, person_name
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
    form = FollowUpForm(
        request.POST or None, initial=FollowUpForm.initial_of(followup), organisation=organisation
    )
    status = 200
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied(_("Only a lead or the audience's owner can change follow-ups."))
        saved = save_through_service(
            form,
            lambda data: followups.followup_update(
                followup=followup,
                actor=request.user,
                version=data.pop("version") or None,
                **data,
            ),
        )
        if saved is not None:
            messages.success(request, _saved_message(saved.status))
            return redirect("measurements:followup_detail", pk=followup.pk)
        if form.has_error("version"):
            status = 409  # Conflict: the row changed since this form was read
            followup = followups.followups_for(organisation).get(pk=followup.pk)
            form = _stale_form(form, followup)
    shown = followups.followup_shown(followup)
    context = {
        "shown": shown,
        "form": form,
        "may_act": may_act,
        # The one it was made under; (value, False) for one made before that was recorded.
        "threshold": followups.threshold_of(followup),
        "history": followup_history(shown),
        "closed_by": person_name(organisation.pk, followup.closed_by),
        "loop": followups.followup_loop(organisation=organisation, audience=followup.audience),
    }
    return render(request, "measurements/followup_detail.html", context, status=status)


def _saved_message(status: str) -> str:
    """A whole sentence per status: a label dropped into "saved: …" reads wrong in Korean."""
    if status == FollowUpStatus.CLOSED:
        return _("Follow-up saved: closed.")
    if status == FollowUpStatus.IN_PROGRESS:
        return _("Follow-up saved: in progress.")
    return _("Follow-up saved: open.")


def _stale_form(stale: FollowUpForm, followup: FollowUp) -> FollowUpForm:
    """After a refused stale save: the follow-up's current assignee, status and version, and
    the note the person typed (so it is not lost), with the refusal on top."""
    data = stale.data.copy()
    current = FollowUpForm.initial_of(followup)
    data["assignee"] = current["assignee"].pk if current["assignee"] else ""
    data["status"] = current["status"]
    data["version"] = current["version"]
    form = FollowUpForm(data, organisation=followup.organisation)
    form.is_valid()
    form.add_error("version", stale.errors["version"])  # the summary lists a hidden field's
    return form


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
    messages.success(
        request,
        ngettext(
            "Follow-ups should now close within %(days)s day.",
            "Follow-ups should now close within %(days)s days.",
            days,
        )
        % {"days": days},
    )
    return redirect("measurements:followups")
