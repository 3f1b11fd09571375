"""Registry pages: validate, call one service or selector, render.

The homes, the list and an audience's page show liability and alerts, which read journeys and
measurements: they are in `measurements/views/registry.py`, under the same `audiences:` names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audiences import selectors, services
from audiences.access import (
    SESSION_KEY,
    audience_for_edit,
    lead_required,
    member_required,
    org_object_or_404,
)
from audiences.forms import AudienceForm, PersonForm
from audiences.models import ApiKey, Audience, Membership, Person
from axreg.forms import BrowserForm

RANK_MOVE_LABELS = [
    ("up", _("Move up")),
    ("down", _("Move down")),
    ("remove", _("Remove from top ten")),
    ("add", _("Add to top ten")),
]


def _saved(form: Any, write: Callable[[], Any]) -> Any | None:
    """Run a service for a valid form; its validation errors land next to the fields."""
    if not form.is_valid():
        return None
    try:
        return write()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@lead_required
def audience_create(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = AudienceForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        audience = _saved(
            form,
            lambda: services.audience_save(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if audience:
            messages.success(
                request, gettext("%(name)s added to the registry.") % {"name": audience.name}
            )
            return redirect("audiences:detail", slug=audience.slug)
    return render(request, "audiences/audience_form.html", {"form": form})


@member_required
def audience_edit(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    form = AudienceForm(
        request.POST or None,
        instance=audience,
        organisation=request.access.organisation,
        can_assign_owner=request.access.is_lead,
    )
    if request.method == "POST":
        changes = dict(form.cleaned_data) if form.is_valid() else {}
        if _saved(
            form,
            lambda: services.audience_save(
                organisation=request.access.organisation,
                audience=audience,
                actor=request.user,
                **changes,
            ),
        ):
            messages.success(request, gettext("%(name)s saved.") % {"name": audience.name})
            return redirect("audiences:detail", slug=audience.slug)
    return render(request, "audiences/audience_form.html", {"form": form, "audience": audience})


@lead_required
@require_POST
def audience_archive(request: HttpRequest, slug: str) -> HttpResponse:
    audience = org_object_or_404(request, Audience, slug=slug)
    services.audience_archive(audience=audience, actor=request.user)
    messages.success(
        request,
        gettext("%(name)s archived; it left the top ten. Restore it any time.")
        % {"name": audience.name},
    )
    return redirect("audiences:detail", slug=audience.slug)


@lead_required
@require_POST
def audience_restore(request: HttpRequest, slug: str) -> HttpResponse:
    audience = org_object_or_404(request, Audience, slug=slug)
    services.audience_restore(audience=audience, actor=request.user)
    messages.success(request, gettext("%(name)s restored (unranked).") % {"name": audience.name})
    return redirect("audiences:detail", slug=audience.slug)


@member_required
def ranking(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    context = {
        "ranked": list(selectors.ranked_audiences(organisation=organisation)),
        "unranked": selectors.unranked_audiences(organisation=organisation),
        "can_rank": request.access.is_lead,
        "moves": RANK_MOVE_LABELS,
    }
    return render(request, "audiences/ranking.html", context)


def _ranking_answer(request: HttpRequest, write: Callable[[], list[Audience]]) -> HttpResponse:
    """JSON for the page's script, a redirect with a message for a plain form post."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        order = [a.slug for a in write()]
    except ValidationError as exc:
        ranked = selectors.ranked_audiences(organisation=request.access.organisation)
        current = [a.slug for a in ranked]
        if wants_json:
            return JsonResponse({"error": exc.messages[0], "order": current}, status=400)
        messages.error(request, exc.messages[0])
        return redirect("audiences:ranking")
    if wants_json:
        return JsonResponse({"order": order, "message": gettext("Top ten saved.")})
    messages.success(request, gettext("Top ten saved."))
    return redirect(reverse("audiences:ranking") + f"#rank-{request.POST.get('slug', '')}")


@lead_required
@require_POST
def rank(request: HttpRequest) -> HttpResponse:
    try:
        ordered = json.loads(request.body or b"{}").get("order")
    except (ValueError, AttributeError):
        ordered = None
    if not isinstance(ordered, list) or not all(isinstance(s, str) for s in ordered):
        return JsonResponse({"error": gettext('Send {"order": ["slug", …]}.')}, status=400)
    return _ranking_answer(
        request,
        lambda: services.audience_ranking_set(
            organisation=request.access.organisation, ordered_slugs=ordered, actor=request.user
        ),
    )


@lead_required
@require_POST
def rank_move(request: HttpRequest) -> HttpResponse:
    return _ranking_answer(
        request,
        lambda: services.audience_rank_move(
            organisation=request.access.organisation,
            slug=request.POST.get("slug", ""),
            move=request.POST.get("move", ""),
            actor=request.user,
        ),
    )


@member_required
def people(request: HttpRequest) -> HttpResponse:
    people = selectors.people_list(organisation=request.access.organisation)
    return render(request, "audiences/people_list.html", {"people": people})


@lead_required
def person_create(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = PersonForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        person = _saved(
            form,
            lambda: services.person_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if person:
            messages.success(request, gettext("%(name)s added.") % {"name": person.name})
            return redirect("audiences:people")
    return render(request, "audiences/person_form.html", {"form": form})


@lead_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = org_object_or_404(request, Person, pk=pk)
    form = PersonForm(request.POST or None, instance=person, organisation=person.organisation)
    if request.method == "POST":
        changes = dict(form.cleaned_data) if form.is_valid() else {}
        if _saved(
            form, lambda: services.person_update(person=person, actor=request.user, **changes)
        ):
            messages.success(request, gettext("%(name)s saved.") % {"name": person.name})
            return redirect("audiences:people")
    return render(request, "audiences/person_form.html", {"form": form, "person": person})


@member_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.for_user(request.user),
        organisation__slug=request.POST.get("organisation", ""),
    )
    request.session[SESSION_KEY] = membership.organisation_id
    return redirect("audiences:home")


@lead_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The organisation's audit trail for leads: who changed what and when, filterable."""
    organisation = request.access.organisation
    chosen = {name: request.GET.get(name, "") for name in ("object_type", "actor")}
    entries = selectors.audit_entries(organisation=organisation, **chosen)
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in chosen.items() if value})
    context = {
        "page": page,
        "rows": selectors.audit_rows(page.object_list),
        "chosen": chosen,
        "query": query,
        **selectors.audit_filter_choices(organisation=organisation),
    }
    return render(request, "audiences/audit_list.html", context)


# --- API keys, the leads' page: list, create (the key is shown once), revoke.
#
# Creating a key is POST → redirect → GET, so reloading the page never creates a second key.
# The raw key waits in the session for exactly one display: the GET that follows takes it out.


class ApiKeyForm(BrowserForm):
    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        help_text=_("Say what uses it, e.g. “Survey tool” or “Helpdesk”."),
    )


NEW_KEY_SESSION = "new_api_key"


@never_cache  # the page that shows a raw key must not be kept by the browser or a proxy
@lead_required
def api_keys(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.api_key_create(
            organisation=organisation, name=form.cleaned_data["name"], created_by=request.user
        )
        request.session[NEW_KEY_SESSION] = {
            "organisation": organisation.pk,
            "name": created.api_key.name,
            "raw_key": created.raw_key,
        }
        return redirect("audiences:api_keys")
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    if new_key and new_key["organisation"] != organisation.pk:
        new_key = None  # the lead switched organisation in between: never show it elsewhere
    keys = ApiKey.objects.for_org(organisation).select_related("created_by")
    return render(
        request, "audiences/apikey_list.html", {"keys": keys, "form": form, "new_key": new_key}
    )


@lead_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (a revoked key cannot come back); the POST of that page revokes."""
    api_key = org_object_or_404(request, ApiKey, pk=pk)
    if request.method == "GET":
        if api_key.revoked_at is not None:
            return redirect("audiences:api_keys")
        return render(request, "audiences/apikey_revoke.html", {"key": api_key})
    services.api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(
        request, gettext("Revoked “%(name)s”: it stops working at once.") % {"name": api_key.name}
    )
    return redirect("audiences:api_keys")
