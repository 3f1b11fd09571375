"""Who may read and write through the API: keys, sessions, roles, other organisations."""

import threading

import pytest
from django.db import connection
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from audiences.services import api_key_revoke
from measurements.models import Response
from tests.api.conftest import response_item
from tests.factories import AudienceFactory, MetricDefinitionFactory

URL = "/api/v1/responses/"


def test_it_answers_401_with_www_authenticate_without_a_key(db):
    answer = APIClient().get(URL)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_wrong_key(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer axr_deadbeef_nottherightsecret")
    assert client.get(URL).status_code == 401


def test_it_refuses_a_revoked_key_at_once(api, key, nps):
    assert api.get(URL).status_code == 200
    api_key_revoke(api_key=key.api_key)
    answer = api.post(URL, response_item(), format="json")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "This API key has been revoked."}
    assert Response.all_orgs.count() == 0


def test_it_records_when_a_key_was_last_used(api, key):
    assert key.api_key.last_used_at is None
    api.get(URL)
    key.api_key.refresh_from_db()
    assert key.api_key.last_used_at is not None


def test_it_answers_404_for_another_organisations_slug(other_api, nps):
    answer = other_api.post(URL, response_item(), format="json")
    assert answer.json()["errors"][0] == {
        "field": "audience",
        "code": "not_found",
        "message": "No audience 'customers'.",
    }
    assert other_api.get("/api/v1/audiences/customers/").status_code == 404
    assert other_api.get("/api/v1/metric-definitions/customers/nps/").status_code == 404
    assert other_api.get(URL).json()["count"] == 0


def test_it_keeps_the_same_slug_in_two_organisations_apart(api, other_api, nps, other_org):
    theirs = AudienceFactory(organisation=other_org, slug="customers")
    MetricDefinitionFactory(audience=theirs, kind="nps", slug="nps")
    assert api.post(URL, response_item(), format="json").status_code == 201
    assert other_api.post(URL, response_item(), format="json").json()["created"] == 1
    assert Response.all_orgs.filter(audience=theirs).count() == 1
    assert api.get("/api/v1/audiences/customers/").json()["name"] == "Customers"


def test_it_throttles_per_key_with_retry_after(api, other_api, nps, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute"},
    }
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    answer = api.get(URL)
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    assert other_api.get(URL).status_code == 200  # another key has its own budget


def test_it_lets_a_session_user_read_and_requires_csrf_to_write(lead, nps):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(lead)
    assert client.get(URL).status_code == 200
    answer = client.post(URL, response_item(), format="json")
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]


def test_it_lets_a_lead_session_write_with_the_csrf_token(lead, nps):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(lead)
    token = get_random_string(32)  # what the browser holds in its csrftoken cookie
    client.cookies["csrftoken"] = token
    answer = client.post(URL, response_item(), format="json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 201
    assert Response.all_orgs.get().api_key is None


def test_it_refuses_writes_from_a_viewer_session(viewer, nps):
    client = APIClient()
    client.force_login(viewer)
    assert client.get(URL).status_code == 200
    assert client.post(URL, response_item(), format="json").status_code == 403


def test_it_lets_an_owner_session_write_only_to_audiences_they_own(owner, owned_audience, nps):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    client = APIClient()
    client.force_login(owner)
    mine = client.post(URL, response_item(audience="parents"), format="json")
    assert mine.status_code == 201
    theirs = client.post(URL, response_item(external_id="x"), format="json")
    assert theirs.status_code == 403
    assert "customers" in theirs.json()["detail"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_it_stores_one_row_when_twenty_clients_send_the_same_item_at_once(nps, key):
    from django.db import connections

    results = []
    barrier = threading.Barrier(20)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
        barrier.wait()
        try:
            results.append(client.post(URL, [response_item()], format="json").json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Response.all_orgs.filter(external_id="r-1").count() == 1
    assert sum(r["created"] for r in results) == 1
    assert sum(r["duplicates"] for r in results) == 19
