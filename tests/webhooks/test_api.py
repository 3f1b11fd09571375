"""`/api/v1/webhooks/`: leads manage the organisation's webhooks; API keys and nobody else's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from audiences.services import api_key_create
from tests.isolation.conftest import login_in
from webhooks import services
from webhooks.models import WebhookEndpoint

URL = "/api/v1/webhooks/"
PUBLIC = "https://93.184.215.14/hooks/ax"
BODY = {"url": PUBLIC, "events": ["alert.opened", "followup.created"], "description": "CRM"}


@pytest.fixture
def lead_api(org, lead):
    return login_in(APIClient(), lead, org)


def test_a_lead_adds_a_webhook_and_sees_its_secret_only_in_that_answer(org, lead, lead_api):
    answer = lead_api.post(URL, BODY, format="json")
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["alert.opened", "followup.created"]
    assert (created["format"], created["active"]) == ("standard", True)
    listed = lead_api.get(URL).json()["results"]
    assert [e["id"] for e in listed] == [created["id"]]
    assert created["secret"] not in str(listed)
    assert "secret" not in lead_api.get(f"{URL}{created['id']}/").json()
    entry = AuditEntry.objects.for_org(org).get(object_type="webhookendpoint")
    assert (entry.action, entry.actor_user) == ("created", lead)
    assert created["secret"] not in str(entry.changes)


def test_a_lead_changes_and_deletes_a_webhook_and_both_are_audited(org, lead, lead_api):
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    path = f"{URL}{endpoint.endpoint.pk}/"
    answer = lead_api.patch(path, {"active": False, "format": "slack"}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["active"], answer.json()["format"]) == (False, "slack")
    assert lead_api.delete(path).status_code == 204
    assert not WebhookEndpoint.objects.for_org(org).exists()
    actions = (
        AuditEntry.objects.for_org(org).filter(actor_user=lead).values_list("action", flat=True)
    )
    assert sorted(actions) == ["deleted", "updated"]


def test_an_api_key_cannot_list_add_or_repoint_webhooks(org):
    # Issue 14: a leaked survey-tool key must not be able to send the alerts elsewhere.
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    key = api_key_create(organisation=org, name="Survey tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    path = f"{URL}{endpoint.endpoint.pk}/"
    answers = [
        client.get(URL),
        client.get(path),
        client.post(URL, BODY, format="json"),
        client.patch(path, {"url": "https://93.184.215.15/steal"}, format="json"),
        client.delete(path),
    ]
    assert [a.status_code for a in answers] == [403] * 5
    assert answers[3].json() == {
        "detail": "Webhooks are managed by a lead: on /app/webhooks/ in the app, or here with "
        "a signed-in lead's session. API keys cannot manage them."
    }
    endpoint.endpoint.refresh_from_db()
    assert endpoint.endpoint.url == PUBLIC
    assert WebhookEndpoint.objects.for_org(org).count() == 1


@pytest.mark.parametrize(
    "url", ["https://user:hunter2@93.184.215.14/hooks", "https://token@93.184.215.14/hooks"]
)
def test_an_address_with_credentials_is_refused_on_url_and_not_stored(org, lead_api, url):
    answer = lead_api.post(URL, {**BODY, "url": url}, format="json")
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["field"] == "url"
    assert error["message"].startswith("Leave the user name and password out of the address")
    assert "hunter2" not in answer.content.decode() and "token" not in answer.content.decode()
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    path = f"{URL}{endpoint.endpoint.pk}/"
    assert lead_api.patch(path, {"url": url}, format="json").status_code == 400
    assert [e.url for e in WebhookEndpoint.objects.for_org(org)] == [PUBLIC]


def test_the_events_list_needs_one_in_plain_words(lead_api):
    answer = lead_api.post(URL, {**BODY, "events": []}, format="json")
    assert answer.json()["errors"] == [
        {"field": "events", "code": "min_length", "message": "Give at least 1 event."}
    ]


def test_a_missing_webhook_is_a_404_that_names_no_model(lead_api):
    answer = lead_api.get(f"{URL}999999/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found in your organisation."}


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.0.0.1/", "ftp://93.184.215.14/"])
def test_it_refuses_a_private_or_non_http_url_naming_the_field(lead_api, url):
    answer = lead_api.post(URL, {**BODY, "url": url}, format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["url"]


def test_it_refuses_unknown_events_and_server_set_fields(lead_api):
    assert (
        lead_api.post(URL, {**BODY, "events": ["alert.exploded"]}, format="json").status_code == 400
    )
    assert lead_api.post(URL, {**BODY, "events": []}, format="json").status_code == 400
    answer = lead_api.post(URL, {**BODY, "secret": "whsec_mine"}, format="json")
    assert answer.status_code == 400
    assert lead_api.post(URL, {**BODY, "id": 7}, format="json").status_code == 400


def test_owners_and_viewers_may_not_even_list_them(org, owner, viewer):
    services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    for user in (owner, viewer):
        client = login_in(APIClient(), user, org)
        assert client.get(URL).status_code == 403
        assert client.post(URL, BODY, format="json").status_code == 403
    assert APIClient().get(URL).status_code == 401


def test_another_organisations_lead_gets_404_for_its_webhook(org, other_org, outsider):
    endpoint = services.endpoint_create(organisation=org, url=PUBLIC, events=["alert.opened"])
    client = login_in(APIClient(), outsider, other_org)
    path = f"{URL}{endpoint.endpoint.pk}/"
    assert client.get(path).status_code == 404
    assert client.patch(path, {"active": False}, format="json").status_code == 404
    assert client.delete(path).status_code == 404
    assert client.get(URL).json()["results"] == []
    endpoint.endpoint.refresh_from_db()
    assert endpoint.endpoint.active
