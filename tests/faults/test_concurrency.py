"""Things that happen twice at once: two rollup processes on one audience, the same bulk batch
sent by two clients, beat's jobs running in two places. Each must come out as if once.

(Threads racing recomputes in one process: tests/measurements/test_rollups.py. Here the
rollups race as two separate processes, as two workers on two machines would.)
"""

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connections

from measurements.models import Alert, MetricKind, Response, Rollup, StaleMark
from measurements.rollups import rollup_full
from measurements.tasks import recompute_stale, rollup_organisation
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.faults.conftest import (
    ROOT,
    api_client_for,
    database_url_of_tests,
    needs_postgres,
    nps_items,
)
from tests.measurements.rollup_helpers import respond


def _rollup_table() -> list[tuple]:
    return list(
        Rollup.all_orgs.order_by("definition_id", "granularity", "period_start").values_list(
            "definition_id", "granularity", "period_start", "value", "n", "details"
        )
    )


def _in_threads(*jobs) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_rollup_processes_on_one_audience_give_the_result_of_one():
    needs_postgres()
    org = OrganisationFactory(slug="two-processes")
    audience = AudienceFactory(organisation=org, slug="customers")
    rows = []
    for d in range(4):
        definition = MetricDefinitionFactory(audience=audience, slug=f"nps-{d}")
        for offset in range(365):
            day = date(2024, 1, 1) + timedelta(days=offset)
            for k in range(3):
                rows.append(
                    Response(
                        organisation=org,
                        audience=audience,
                        definition=definition,
                        score=(d + offset * 5 + k * 4) % 11,
                        responded_at=datetime(day.year, day.month, day.day, 8 + k, tzinfo=UTC),
                        local_date=day,
                    )
                )
                if k == 0:
                    rows[-1].stale = True
    Response.objects.bulk_create(rows, batch_size=5000)
    StaleMark.objects.bulk_create(
        [
            StaleMark(organisation=org, definition=r.definition, day=r.local_date)
            for r in rows
            if getattr(r, "stale", False)
        ],
        batch_size=5000,
    )

    env = {"DATABASE_URL": database_url_of_tests(), "DB_CONN_MAX_AGE": "0", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "manage.py", "rollup", "--org", org.slug]
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [*command, "--audience", "customers"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ),
        # and the stale recompute a worker would run at the same moment
        subprocess.Popen(
            [sys.executable, "manage.py", "rollup"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ),
        subprocess.Popen(
            [*command, "--audience", "customers"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ),
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    print(f"\nThree rollup processes at once finished in {time.monotonic() - started:.1f} s")
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert StaleMark.all_orgs.count() == 0
    together = _rollup_table()

    Rollup.all_orgs.all().delete()
    rollup_full(audience=audience)
    # 4 definitions × (365 days of 2024 from Monday 1 Jan + 53 weeks + 12 months + 4 quarters).
    assert len(together) == 4 * (365 + 53 + 12 + 4)
    assert together == _rollup_table()


@pytest.mark.django_db(transaction=True)
def test_the_same_bulk_batch_sent_twice_at_once_is_stored_once():
    needs_postgres()
    cache.clear()
    org = OrganisationFactory(slug="same-batch")
    audience = AudienceFactory(organisation=org, slug="customers")
    MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps")
    # 1,000 items: 100 days × 10 scores (0–9), each with its own external id.
    days = {(date(2025, 1, 1) + timedelta(days=i)).isoformat(): list(range(10)) for i in range(100)}
    items = nps_items(days, prefix="dup")
    assert len(items) == 1000
    clients = [api_client_for(org), api_client_for(org)]
    answers = []

    def send(client):
        return lambda: answers.append(client.post("/api/v1/responses/", items, format="json"))

    assert _in_threads(send(clients[0]), send(clients[1])) == []
    assert [a.status_code for a in answers] == [201, 201]
    bodies = [a.json() for a in answers]
    assert sum(b["created"] + b["duplicates"] for b in bodies) == 2000
    assert sum(b["created"] for b in bodies) == 1000
    assert Response.all_orgs.filter(organisation=org).count() == 1000


@pytest.mark.django_db(transaction=True)
def test_beat_running_twice_raises_one_alert_and_sends_one_email(mailoutbox):
    needs_postgres()
    cache.clear()
    org = OrganisationFactory(slug="beat-twice")
    audience = AudienceFactory(
        organisation=org, slug="customers", owner=PersonFactory(organisation=org)
    )
    nps = MetricDefinitionFactory(
        audience=audience, kind=MetricKind.NPS, slug="nps", alert_threshold=0, alert_min_n=1
    )
    # May 2025: 10, 2, 3, 1 → P 1, D 3 → NPS (1 − 3) / 4 × 100 = −50, below the threshold 0.
    # Stored as ingestion stores them (rows + a stale mark), left for beat's jobs to roll up.
    for hour, score in enumerate([10, 2, 3, 1]):
        respond(nps, score, datetime(2025, 5, 6, 9 + hour, tzinfo=UTC), mark=True)
    # Two beats each fire the minute's stale recompute and the nightly per-organisation rollup
    # (what their workers run), all at the same moment.
    errors = _in_threads(
        lambda: recompute_stale.apply(),
        lambda: recompute_stale.apply(),
        lambda: rollup_organisation.apply(args=[org.pk]),
        lambda: rollup_organisation.apply(args=[org.pk]),
    )
    assert errors == []
    alert = Alert.all_orgs.get(definition__audience=audience)
    assert (alert.granularity, alert.period_start, alert.value) == ("month", date(2025, 5, 1), -50)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [audience.owner.email]
