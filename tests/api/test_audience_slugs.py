"""Audience slugs through the API: reserved words and duplicates are refused on field `slug`,
also when two clients create the same slug at the same moment."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from audiences.models import Audience
from tests.api.locks import sessions_waiting_on_a_lock
from tests.factories import AudienceFactory


def _errors(answer):
    assert answer.status_code == 400, answer.content
    return answer.json()["errors"]


@pytest.mark.parametrize("slug", ["new", "top-ten"])
def test_it_refuses_to_rename_an_audience_to_a_reserved_slug(api, customers, slug):
    answer = api.patch("/api/v1/audiences/customers/", {"slug": slug}, format="json")
    assert _errors(answer) == [
        {
            "field": "slug",
            "code": "reserved",
            "message": f"'{slug}' is reserved; choose another slug.",
        }
    ]
    customers.refresh_from_db()
    assert customers.slug == "customers"


def test_it_reports_a_duplicate_slug_on_create_under_slug(api, customers):
    answer = api.post(
        "/api/v1/audiences/", {"name": "Customers", "kind": "customer"}, format="json"
    )
    assert [e["field"] for e in _errors(answer)] == ["slug"]
    assert "already used by another audience" in _errors(answer)[0]["message"]


def test_it_reports_a_duplicate_slug_on_rename_under_slug(api, customers, org):
    AudienceFactory(organisation=org, slug="parents", name="Parents")
    answer = api.patch("/api/v1/audiences/parents/", {"slug": "customers"}, format="json")
    assert [e["field"] for e in _errors(answer)] == ["slug"]


def test_the_same_slug_in_another_organisation_is_fine(api, foreign_audience):
    answer = api.post(
        "/api/v1/audiences/", {"name": "Customers", "kind": "customer"}, format="json"
    )
    assert answer.status_code == 201


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_creates_of_one_slug_at_once_answer_201_and_400_on_slug(org, key):
    answers = []

    def create():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
        try:
            body = {"name": "Donors", "kind": "donor"}
            answers.append(client.post("/api/v1/audiences/", body, format="json"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=create)
    # The first create is not committed yet when the second one checks the slug: the second
    # then waits on the unique index and fails when the first commits.
    with transaction.atomic():
        AudienceFactory(organisation=org, slug="donors", name="Donors")
        thread.start()
        for _ in range(100):
            if sessions_waiting_on_a_lock():
                break
            time.sleep(0.05)
        assert sessions_waiting_on_a_lock() == 1
    thread.join()
    (answer,) = answers
    assert [e["field"] for e in _errors(answer)] == ["slug"]
    assert Audience.objects.for_org(org).filter(slug="donors").count() == 1
