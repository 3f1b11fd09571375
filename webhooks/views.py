"""The leads' webhook pages: validate, call one service or selector, render.

A secret is shown once, like an API key: the POST that makes it keeps it in the session and
redirects; the GET that follows takes it out, so a reload never shows it again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audiences.access import lead_required, org_object_or_404
from axreg.forms import save_through_service
from webhooks import selectors, services
from webhooks.forms import EndpointEditForm, EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint

NEW_SECRET_SESSION = "new_webhook_secret"


def _secret_keep(request: HttpRequest, created: services.NewSecret) -> None:
    request.session[NEW_SECRET_SESSION] = {
        "endpoint": created.endpoint.pk,
        "secret": created.secret,
    }


def _secret_take(request: HttpRequest, endpoint: WebhookEndpoint) -> str | None:
    kept = request.session.pop(NEW_SECRET_SESSION, None)
    if not kept or kept["endpoint"] != endpoint.pk:
        return None  # another endpoint's (or organisation's): never shown here
    return kept["secret"]


@lead_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = selectors.endpoint_list(organisation=request.access.organisation)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@lead_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        created = save_through_service(
            form,
            lambda data: services.endpoint_create(
                organisation=request.access.organisation, actor=request.user, **data
            ),
        )
        if created is not None:
            _secret_keep(request, created)
            return redirect("webhooks:detail", created.endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@never_cache  # the page that shows a new secret must not be kept by the browser or a proxy
@lead_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = org_object_or_404(request, WebhookEndpoint, pk=pk)
    context = {
        "endpoint": endpoint,
        "new_secret": _secret_take(request, endpoint),
        "deliveries": selectors.delivery_log(endpoint=endpoint),
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@lead_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = org_object_or_404(request, WebhookEndpoint, pk=pk)
    initial = {name: getattr(endpoint, name) for name in services.ENDPOINT_FIELDS}
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = save_through_service(
            form,
            lambda data: services.endpoint_update(endpoint=endpoint, actor=request.user, **data),
        )
        if saved is not None:
            messages.success(request, gettext("Saved."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@lead_required
@require_http_methods(["GET", "POST"])
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first; the POST of that page makes the new secret (shown once)."""
    endpoint = org_object_or_404(request, WebhookEndpoint, pk=pk)
    if request.method == "GET":
        overlap = f"{settings.WEBHOOK_SECRET_OVERLAP_HOURS:g}"
        context = {"endpoint": endpoint, "overlap_hours": overlap}
        return render(request, "webhooks/endpoint_rotate.html", context)
    _secret_keep(request, services.endpoint_secret_rotate(endpoint=endpoint, actor=request.user))
    return redirect("webhooks:detail", endpoint.pk)


@lead_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (the delivery log goes with it); the POST of that page deletes."""
    endpoint = org_object_or_404(request, WebhookEndpoint, pk=pk)
    if request.method == "GET":
        return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, gettext("Deleted the webhook to %(url)s.") % {"url": endpoint.url})
    return redirect("webhooks:list")


@lead_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    deliveries = WebhookDelivery.objects.select_related("endpoint").filter(endpoint_id=pk)
    delivery = org_object_or_404(request, deliveries, pk=delivery_id)
    if services.delivery_redeliver(delivery=delivery, actor=request.user):
        messages.success(request, gettext("Sending it again now; its new attempt shows below."))
    else:
        messages.error(request, gettext("It is being sent at this moment; try again in a minute."))
    return redirect("webhooks:detail", pk)
