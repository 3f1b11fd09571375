"""The leads' webhook pages: add (secret shown once), edit, rotate, delete, the delivery log
with its attempts and a Redeliver button; nobody else's endpoint by URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audiences.models import AuditEntry
from tests.isolation.conftest import login_in
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import deliver_due

PUBLIC = "https://93.184.215.14/hooks/ax"
FORM = {"url": PUBLIC, "events": ["alert.opened", "rollup.updated"], "format": "standard"}


def _shown_secret(html: str) -> str | None:
    found = re.search(r'data-testid="new-webhook-secret"[^>]* value="([^"]+)"', html)
    return found.group(1) if found else None


@pytest.fixture
def browser(org, lead):
    return login_in(Client(), lead, org)


def test_a_lead_adds_a_webhook_and_sees_the_secret_once(org, lead, browser):
    answer = browser.post(reverse("webhooks:create"), {**FORM, "description": "Helpdesk"})
    endpoint = WebhookEndpoint.objects.for_org(org).get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("webhooks:detail", args=[endpoint.pk])
    page = browser.get(answer["Location"]).content.decode()
    assert _shown_secret(page) == endpoint.secret
    again = browser.get(answer["Location"]).content.decode()
    assert _shown_secret(again) is None and endpoint.secret not in again
    assert endpoint.secret not in browser.get(reverse("webhooks:list")).content.decode()
    assert endpoint.events == ["alert.opened", "rollup.updated"]
    entry = AuditEntry.objects.for_org(org).get(object_type="webhookendpoint")
    assert (entry.action, entry.actor_user) == ("created", lead)


def test_the_form_refuses_a_private_address_next_to_the_field(org, browser):
    answer = browser.post(reverse("webhooks:create"), {**FORM, "url": "http://169.254.169.254/"})
    assert answer.status_code == 200
    assert "points to a private address" in answer.content.decode()
    assert 'id="id_url_error"' in answer.content.decode()
    assert not WebhookEndpoint.objects.for_org(org).exists()


def test_the_form_refuses_an_address_with_a_password_and_does_not_show_it_back(org, browser):
    url = "https://ada:hunter2@93.184.215.14/hooks/ax"
    answer = browser.post(reverse("webhooks:create"), {**FORM, "url": url})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="id_url_error"' in page
    assert "Leave the user name and password out of the address" in page
    assert "hunter2" not in page
    assert 'value="https://93.184.215.14/hooks/ax"' in page
    assert not WebhookEndpoint.objects.for_org(org).exists()


def test_a_lead_edits_events_and_switches_it_off(org, lead, browser):
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    path = reverse("webhooks:edit", args=[endpoint.endpoint.pk])
    assert 'value="alert.opened"' in browser.get(path).content.decode()
    answer = browser.post(path, {**FORM, "events": ["followup.closed"], "format": "slack"})
    assert answer.status_code == 302
    endpoint.endpoint.refresh_from_db()
    assert (endpoint.endpoint.events, endpoint.endpoint.active) == (["followup.closed"], False)
    assert endpoint.endpoint.format == "slack"
    entry = AuditEntry.objects.for_org(org).get(action="updated")
    assert entry.changes["active"] == [True, False]


def test_rotating_asks_first_then_shows_the_new_secret_and_keeps_the_old_one(org, browser):
    created = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    path = reverse("webhooks:rotate", args=[created.endpoint.pk])
    confirm = browser.get(path).content.decode()
    assert "24 hours" in confirm and 'method="post"' in confirm
    assert WebhookEndpoint.objects.for_org(org).get().secret == created.secret
    answer = browser.post(path)
    page = browser.get(answer["Location"]).content.decode()
    endpoint = WebhookEndpoint.objects.for_org(org).get()
    assert _shown_secret(page) == endpoint.secret != created.secret
    assert endpoint.previous_secret == created.secret
    overlap = endpoint.previous_expires_at - timezone.now()
    assert dt.timedelta(hours=23) < overlap <= dt.timedelta(hours=24)
    assert AuditEntry.objects.for_org(org).filter(action="secret_rotated").count() == 1


def test_deleting_asks_first(org, browser):
    created = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    path = reverse("webhooks:delete", args=[created.endpoint.pk])
    assert "cannot be undone" in browser.get(path).content.decode()
    assert WebhookEndpoint.objects.for_org(org).exists()
    assert browser.post(path)["Location"] == reverse("webhooks:list")
    assert not WebhookEndpoint.objects.for_org(org).exists()
    assert AuditEntry.objects.for_org(org).filter(action="deleted").count() == 1


def test_the_delivery_log_shows_each_attempt_and_redelivers(
    org, browser, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses.append(500)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.webhook_emit(
            organisation=org, event_type="alert.opened", payload={"summary": "NPS fell"}
        )
    WebhookDelivery.all_orgs.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    deliver_due()
    detail = reverse("webhooks:detail", args=[endpoint.endpoint.pk])
    page = browser.get(detail).content.decode()
    attempts = re.findall(r'data-testid="attempt">(\d+): (\d+|no answer)', page)
    assert attempts == [("1", "500"), ("2", "200")]
    assert "succeeded" in page

    redeliver = reverse("webhooks:redeliver", args=[endpoint.endpoint.pk, delivery.pk])
    assert f'action="{redeliver}"' in page
    assert browser.get(redeliver).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(redeliver)["Location"] == detail
    page = browser.get(detail).content.decode()
    assert re.findall(r'data-testid="attempt">(\d+): (\d+)', page)[-1] == ("3", "200")
    assert len(receiver.received) == 3
    assert AuditEntry.objects.for_org(org).filter(action="redelivered").count() == 1


def test_only_leads_see_the_pages_and_the_link(org, owner, viewer, browser):
    for user in (owner, viewer):
        client = login_in(Client(), user, org)
        assert client.get(reverse("webhooks:list")).status_code == 403
        assert client.post(reverse("webhooks:create"), FORM).status_code == 403
        assert 'href="/app/webhooks/"' not in client.get("/app/").content.decode()
    assert 'href="/app/webhooks/"' in browser.get("/app/").content.decode()
    assert Client().get(reverse("webhooks:list")).status_code == 302


def test_another_organisations_lead_gets_404_for_every_page_of_an_endpoint(
    org, other_org, outsider
):
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    [delivery] = services.webhook_emit(organisation=org, event_type="alert.opened", payload={})
    pk = endpoint.endpoint.pk
    client = login_in(Client(), outsider, other_org)
    for name in ("detail", "edit", "rotate", "delete"):
        assert client.get(reverse(f"webhooks:{name}", args=[pk])).status_code == 404, name
        assert client.post(reverse(f"webhooks:{name}", args=[pk]), FORM).status_code in (404, 405)
    redeliver = reverse("webhooks:redeliver", args=[pk, delivery.pk])
    assert client.post(redeliver).status_code == 404
    assert WebhookEndpoint.objects.for_org(org).get().secret == endpoint.secret
    assert client.get(reverse("webhooks:list")).content.decode().count(PUBLIC) == 0


def test_a_delivery_is_not_redelivered_through_another_endpoints_url(org, browser):
    first = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    second = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.resolved"])
    [delivery] = services.webhook_emit(organisation=org, event_type="alert.opened", payload={})
    assert delivery.endpoint_id == first.endpoint.pk
    path = reverse("webhooks:redeliver", args=[second.endpoint.pk, delivery.pk])
    assert browser.post(path).status_code == 404
