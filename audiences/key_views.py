"""The leads' page for API keys: list, create (the key is shown once), revoke.

Creating a key is POST → redirect → GET, so reloading the page never creates a second key.
The raw key waits in the session for exactly one display: the GET that follows takes it out.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audiences.access import lead_required, org_object_or_404
from audiences.keys import api_key_create, api_key_revoke
from audiences.models import ApiKey
from axreg.forms import BrowserForm


class ApiKeyForm(BrowserForm):
    name = forms.CharField(
        max_length=100, help_text="Say what uses it, e.g. “Survey tool” or “Helpdesk”."
    )


NEW_KEY_SESSION = "new_api_key"


@never_cache  # the page that shows a raw key must not be kept by the browser or a proxy
@lead_required
def api_keys(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = api_key_create(
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
    api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(request, f"Revoked “{api_key.name}”: it stops working at once.")
    return redirect("audiences:api_keys")
