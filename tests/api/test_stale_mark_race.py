"""A push that commits while a worker recomputes the same day is never left out of the rollups.

Found by bench/load.py: with one mark per (definition, day), the push found the worker's mark,
added none, and the worker then deleted that only mark without having seen the push's rows.
"""

import threading
from datetime import date

import pytest
from django.db import connection

from measurements.models import Rollup, StaleMark
from measurements.rollups import stale, stale_rollups_recompute

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def push(api, ids, score):
    items = [
        {
            "external_id": i,
            "audience": "customers",
            "metric": "nps",
            "score": score,
            "responded_at": "2025-05-06T12:00:00+00:00",
        }
        for i in ids
    ]
    answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.content
    return answer


def test_a_push_during_a_recompute_of_its_day_keeps_its_mark(api, nps, monkeypatch):
    # The worker reads 6 May with three 10s (NPS 100, n 3), then pauses before deleting the mark
    # it claimed. Meanwhile a push adds two 0s on 6 May and commits. After the worker finishes,
    # the push's mark is still there; the next run gives 6 May: P 3, D 2, n 5 → NPS 20.
    monkeypatch.setattr("measurements.tasks.enqueue_stale_recompute", lambda: None)
    push(api, ["a", "b", "c"], 10)
    read_done, push_done = threading.Event(), threading.Event()
    delete_claimed = stale.stale_marks_delete

    def delete_after_the_push(ids):
        read_done.set()
        assert push_done.wait(timeout=30)
        delete_claimed(ids)

    monkeypatch.setattr(stale, "stale_marks_delete", delete_after_the_push)
    errors = []

    def worker():
        try:
            stale_rollups_recompute()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert read_done.wait(timeout=30)
    push(api, ["d", "e"], 0)
    push_done.set()
    thread.join(timeout=30)
    assert errors == []

    day = Rollup.all_orgs.get(definition=nps, granularity="day", period_start=date(2025, 5, 6))
    assert (day.value, day.n) == (100.0, 3)  # what the worker saw
    assert StaleMark.all_orgs.filter(definition=nps, day=date(2025, 5, 6)).count() == 1

    monkeypatch.setattr(stale, "stale_marks_delete", delete_claimed)
    assert stale_rollups_recompute() == 1
    day.refresh_from_db()
    assert (day.value, day.n) == (20.0, 5)
    assert StaleMark.all_orgs.count() == 0
