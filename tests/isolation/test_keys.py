"""API keys: revoked means refused at once, the secret must match, only a hash is stored."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from audiences.services import api_key_create
from tests.isolation.conftest import login_in

URL = "/api/v1/audiences/"


def _client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_it_refuses_a_key_revoked_in_the_browser_on_the_very_next_request(org, lead):
    new = api_key_create(organisation=org, name="Helpdesk")
    api = _client(new.raw_key)
    assert api.get(URL).status_code == 200
    browser = login_in(Client(), lead, org)
    revoke = browser.post(f"/app/api-keys/{new.api_key.pk}/revoke/")
    assert revoke.status_code == 302
    answer = api.get(URL)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "This API key has been revoked."}


def test_it_refuses_the_right_prefix_with_a_wrong_secret(org):
    new = api_key_create(organisation=org, name="Helpdesk")
    scheme, prefix, secret = new.raw_key.split("_", 2)
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert _client(f"{scheme}_{prefix}_{wrong}").get(URL).status_code == 401
    assert _client(f"{scheme}_{prefix}_").get(URL).status_code == 401
    assert _client(f"{scheme}_{prefix}_{secret}").get(URL).status_code == 200


def test_it_refuses_another_keys_hash_sent_as_the_secret(org):
    # Knowing a stored hash must not be enough to authenticate.
    new = api_key_create(organisation=org, name="Helpdesk")
    scheme, prefix, _ = new.raw_key.split("_", 2)
    forged = f"{scheme}_{prefix}_{new.api_key.hashed_key}"
    assert _client(forged).get(URL).status_code == 401


def test_it_stores_only_a_hash_of_the_key_in_any_column(org, lead):
    browser = login_in(Client(), lead, org)
    page = browser.post("/app/api-keys/", {"name": "Billing"}, follow=True)
    shown = re.search(r'data-testid="new-api-key"[^>]* value="([^"]+)"', page.content.decode())
    assert shown, (page.status_code, page.get("Location"))
    raw_key = shown.group(1)
    secret = raw_key.split("_", 2)[2]
    assert raw_key in page.content.decode()  # shown once, to the lead who made it
    _client(raw_key).get(URL)  # used once, so usage bookkeeping ran too
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None and secret in str(value):
                        found.append(f"{table}.{column}")
    assert found == []
    assert browser.get("/app/api-keys/").content.decode().count(secret) == 0


def test_it_records_when_a_key_was_last_used(org):
    new = api_key_create(organisation=org, name="Helpdesk")
    assert new.api_key.last_used_at is None
    _client(new.raw_key).get(URL)
    new.api_key.refresh_from_db()
    first = new.api_key.last_used_at
    assert first is not None
    _client(new.raw_key).get(URL)
    new.api_key.refresh_from_db()
    assert new.api_key.last_used_at >= first


def test_it_does_not_mark_a_revoked_or_wrong_key_as_used(org):
    new = api_key_create(organisation=org, name="Helpdesk")
    scheme, prefix, secret = new.raw_key.split("_", 2)
    _client(f"{scheme}_{prefix}_{secret[::-1]}").get(URL)
    new.api_key.refresh_from_db()
    assert new.api_key.last_used_at is None
