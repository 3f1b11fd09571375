"""Two rank changes through the API at once both land: the order is read under the lock."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from audiences.models import Audience, Organisation
from tests.api.locks import sessions_waiting_on_a_lock
from tests.factories import AudienceFactory


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_api_rank_changes_at_once_both_land_and_answer_what_is_stored(org, key):
    for rank, slug in enumerate(["alpha", "beta"], start=1):
        AudienceFactory(organisation=org, slug=slug, name=slug.title(), rank=rank)
    for slug in ["gamma", "delta"]:
        AudienceFactory(organisation=org, slug=slug, name=slug.title())
    answers = {}

    def patch(slug):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
        try:
            answers[slug] = client.patch(f"/api/v1/audiences/{slug}/", {"rank": 1}, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(slug,)) for slug in ["gamma", "delta"]]
    # Hold the organisation's ranking lock until both requests wait on it, then let them run.
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=org.pk).first()
        threads[0].start()
        for _ in range(100):
            if sessions_waiting_on_a_lock() == 1:
                break
            time.sleep(0.05)
        threads[1].start()
        for _ in range(100):
            if sessions_waiting_on_a_lock() == 2:
                break
            time.sleep(0.05)
        assert sessions_waiting_on_a_lock() == 2
    for thread in threads:
        thread.join()

    assert {slug: answer.status_code for slug, answer in answers.items()} == {
        "gamma": 200,
        "delta": 200,
    }
    stored = dict(
        Audience.objects.for_org(org).filter(rank__isnull=False).values_list("slug", "rank")
    )
    # Both changes land (neither works from the order before the other), ranks stay 1..n.
    assert set(stored) == {"alpha", "beta", "gamma", "delta"}
    assert sorted(stored.values()) == [1, 2, 3, 4]
    # The request that ran last put its audience first, and said so.
    first = next(slug for slug, rank in stored.items() if rank == 1)
    assert first in answers
    assert answers[first].json()["rank"] == 1
