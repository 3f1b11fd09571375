"""Ten clients sending the same batch of cases or members at once: the answers' counts (and
the audit entries) say what was stored, not `created` once per client.

Cases and members upsert, and their counts compare each item with the row stored before it;
two batches that both read "not stored yet" would both count it created.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from audiences.services import api_key_create
from measurements.models import AudienceMember, MetricKind, SupportCase
from tests.factories import MetricDefinitionFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]
CLIENTS = 10


def send_at_once(org, url, items):
    keys = [api_key_create(organisation=org, name=f"client {i}") for i in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    answers, errors = [], []

    def send(key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
        try:
            barrier.wait()
            answers.append(client.post(url, items, format="json"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock?)"
    assert errors == []
    assert [a.status_code for a in answers] == [201] * CLIENTS, [a.content for a in answers]
    return [a.json() for a in answers]


def assert_counts_say_what_was_stored(bodies, stored, items, object_type):
    assert sum(b["created"] for b in bodies) == stored == len(items)
    assert sum(b["created"] + b["updated"] + b["duplicates"] for b in bodies) == CLIENTS * len(
        items
    )
    assert sum(b["updated"] for b in bodies) == 0  # the same values every time
    entries = AuditEntry.all_orgs.filter(action="ingested", object_type=object_type)
    assert sorted(e.changes["created"] for e in entries) == sorted(b["created"] for b in bodies)


def test_ten_identical_case_batches_at_once_count_each_case_created_once(org, customers):
    MetricDefinitionFactory(
        audience=customers, kind=MetricKind.TTR, slug="ttr", scale_min=None, scale_max=None
    )
    items = [
        {"external_id": f"T-{i}", "audience": "customers", "opened_at": "2025-03-01T09:00:00Z"}
        for i in range(200)
    ]
    bodies = send_at_once(org, "/api/v1/cases/", items)
    stored = SupportCase.all_orgs.filter(organisation=org).count()
    assert_counts_say_what_was_stored(bodies, stored, items, "case batch")


def test_ten_identical_member_batches_at_once_count_each_member_created_once(org, customers):
    items = [
        {"audience": "customers", "member": f"m-{i}", "joined_at": "2025-01-01T00:00:00Z"}
        for i in range(200)
    ]
    bodies = send_at_once(org, "/api/v1/members/", items)
    stored = AudienceMember.all_orgs.filter(organisation=org).count()
    assert_counts_say_what_was_stored(bodies, stored, items, "member batch")


def test_concurrent_changes_to_one_case_count_one_created_and_the_rest_as_they_were(org, customers):
    # Ten clients: the same case, five open and five resolved. Whatever the order, one creates
    # it and every later one is counted against the row it found: a duplicate or an update.
    open_case = {"external_id": "T-1", "audience": "customers", "opened_at": "2025-03-01T09:00:00Z"}
    keys = [api_key_create(organisation=org, name=f"client {i}") for i in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    bodies = []

    def send(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[i].raw_key}")
        item = dict(open_case, resolved_at="2025-03-02T09:00:00Z" if i % 2 else None)
        try:
            barrier.wait()
            bodies.append(client.post("/api/v1/cases/", item, format="json").json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(bodies) == CLIENTS
    assert sum(b["created"] for b in bodies) == 1
    assert sum(b["created"] + b["updated"] + b["duplicates"] for b in bodies) == CLIENTS
    assert SupportCase.all_orgs.count() == 1
