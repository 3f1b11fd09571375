"""The alert pages: the organisation's list (filtered per audience or owner), one alert with
its history, and the two moves (acknowledge, resolve) and a progress note, which the
audience's owner and leads may make; viewers read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audiences.access import member_required, org_object_or_404
from audiences.models import Person, Role
from measurements import alert_selectors as selectors
from measurements import alert_services as services
from measurements.alert_forms import AlertFilterForm, AlertNoteForm
from measurements.charts import unit_of
from measurements.kinds import kind_of
from measurements.models import Alert, AlertStatus

LIST_LIMIT = 200  # newest first; the filters narrow it


@member_required
def alert_list(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = AlertFilterForm(request.GET or None, organisation=organisation)
    # A viewer answers for no audience: "mine" is not their list, so it is not offered (walk2).
    viewer = request.access.role == Role.VIEWER
    if viewer:
        del form.fields["mine"]
    chosen = form.chosen() if request.GET else {"status": "", "audience": None, "owner": None}
    me = Person.objects.for_org(organisation).filter(user=request.user).first()
    owner = chosen["owner"]
    if chosen.get("mine"):
        owner = me or Person(pk=0)  # someone with no person owns nothing: an empty list
    scope = {"audience": chosen["audience"], "owner": owner}
    alerts = selectors.alert_list(organisation, status=chosen["status"], **scope)
    context = {
        "form": form,
        "alerts": list(alerts[:LIST_LIMIT]),
        "counts": selectors.alert_status_counts(organisation, **scope),
        "limit": LIST_LIMIT,
        "has_person": me is not None and not viewer,
        # The count links keep the other filters: "open on this audience", not everywhere.
        "keep": _without(request, "status"),
    }
    return render(request, "measurements/alert_list.html", context)


def _without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode() + "&" if query else ""


def _alert(request: HttpRequest, alert_id: int) -> Alert:
    queryset = Alert.objects.select_related(
        "audience__owner", "definition__audience", "notified_to", "acknowledged_by", "closed_by"
    )
    return org_object_or_404(request, queryset, pk=alert_id)


def _detail(request: HttpRequest, alert: Alert, form: AlertNoteForm | None = None, status=200):
    definition = alert.definition
    context = {
        "alert": alert,
        "definition": definition,
        # "below"/"above" picks the page's sentence; it is never shown as a word.
        "side": "below" if kind_of(definition.kind).higher_is_better else "above",
        "unit": unit_of(definition),
        "history": selectors.alert_history(alert),
        "can_act": request.access.can_edit_audience(alert.audience),
        "can_acknowledge": alert.status == AlertStatus.OPEN,
        "can_resolve": alert.status != AlertStatus.RESOLVED,
        "can_note": alert.status == AlertStatus.ACKNOWLEDGED,
        "form": form or AlertNoteForm(),
    }
    return render(request, "measurements/alert_detail.html", context, status=status)


@member_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _detail(request, _alert(request, alert_id))


def _move(request: HttpRequest, alert_id: int, service, done: str) -> HttpResponse:
    alert = _alert(request, alert_id)
    if not request.access.can_edit_audience(alert.audience):
        raise PermissionDenied(_("Only the audience's owner or a lead can change this alert."))
    form = AlertNoteForm(request.POST)
    if form.is_valid():
        try:
            service(alert=alert, actor_user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.message_dict.get("status", []) + exc.message_dict.get("note", []):
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("measurements:alert_detail", alert_id=alert.pk)
    return _detail(request, _alert(request, alert_id), form=form, status=400)


@require_POST
@member_required
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _move(request, alert_id, services.alert_acknowledge, _("Alert acknowledged."))


@require_POST
@member_required
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _move(
        request, alert_id, services.alert_resolve, _("Alert resolved: closed for everyone.")
    )


@require_POST
@member_required
def alert_note(request: HttpRequest, alert_id: int) -> HttpResponse:
    """A progress note on an acknowledged alert: it stays acknowledged."""
    return _move(request, alert_id, services.alert_note_add, _("Note added; the alert stays open."))
