"""A real Celery worker killed with SIGKILL in the middle of a stale recompute: running the
recompute again gives exactly what a clean full recompute gives, and no stale mark is lost."""

import os
import signal
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from measurements.models import DailyScoreCount, Response, Rollup, StaleMark
from measurements.rollups import STALE_BATCH_SIZE, rollup_full, stale_rollups_recompute
from measurements.tasks import recompute_stale
from tests.factories import AudienceFactory, MetricDefinitionFactory, OrganisationFactory
from tests.faults.conftest import needs_postgres, start_worker, wait_for

DEFINITIONS = 12
DAYS = 500  # 12 × 500 = 6,000 marks: more than one claim batch (STALE_BATCH_SIZE, 5,000)
WORKER_APP = "h8_killed_worker"

# Test-only slowdown, installed in the test database and dropped afterwards (no hook in the
# app): once a first batch of marks has been consumed and committed, the next rollup INSERT
# sleeps inside its transaction, so the worker is surely killed mid-batch.
SLOW_TRIGGER = """
CREATE OR REPLACE FUNCTION h8_slow_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM measurements_stalemark) < {initial} THEN
    PERFORM pg_sleep(120);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER h8_slow_rollup BEFORE INSERT ON measurements_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION h8_slow_rollup();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS h8_slow_rollup ON measurements_rollup;
DROP FUNCTION IF EXISTS h8_slow_rollup();
"""


def _seed() -> None:
    org = OrganisationFactory(slug="killed-worker")
    audience = AudienceFactory(organisation=org, slug="customers")
    first = date(2024, 1, 1)
    rows, marks = [], []
    for d in range(DEFINITIONS):
        definition = MetricDefinitionFactory(audience=audience, slug=f"nps-{d}")
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            for k in range(2):
                rows.append(
                    Response(
                        organisation=org,
                        audience=audience,
                        definition=definition,
                        score=(d * 7 + offset * 3 + k * 5) % 11,
                        responded_at=datetime(day.year, day.month, day.day, 9 + k, tzinfo=UTC),
                        local_date=day,
                    )
                )
            marks.append(StaleMark(organisation=org, definition=definition, day=day))
    Response.objects.bulk_create(rows, batch_size=5000)
    StaleMark.objects.bulk_create(marks, batch_size=5000)


def _rollup_table() -> list[tuple]:
    return list(
        Rollup.all_orgs.order_by("definition_id", "granularity", "period_start").values_list(
            "definition_id", "granularity", "period_start", "value", "n", "details"
        )
    )


def _worker_backend_sleeping() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event = 'PgSleep'",
            [WORKER_APP],
        )
        return cursor.fetchone()[0] > 0


def _worker_backends_gone() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [WORKER_APP]
        )
        return cursor.fetchone()[0] == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rollup_loses_nothing_and_a_rerun_equals_a_clean_run(broker):
    needs_postgres()
    _seed()
    initial = StaleMark.all_orgs.count()
    assert initial == DEFINITIONS * DAYS > STALE_BATCH_SIZE
    with connection.cursor() as cursor:
        cursor.execute(SLOW_TRIGGER.format(initial=initial))
    worker = None
    try:
        worker = start_worker(
            broker_url=broker.url,
            # The server notices the killed client within 0.2 s and rolls its transaction back.
            extra_env={
                "PGOPTIONS": f"-c application_name={WORKER_APP} "
                "-c client_connection_check_interval=200"
            },
        )
        recompute_stale.delay()
        wait_for(_worker_backend_sleeping, timeout=90, what="the worker's second batch")
        consumed_before_kill = initial - StaleMark.all_orgs.count()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = time.monotonic()
        wait_for(_worker_backends_gone, timeout=10, what="the killed worker's session to end")
        print(
            f"\nKilled the worker mid-batch after it had committed {consumed_before_kill} of "
            f"{initial} marks; its session ended {time.monotonic() - killed_at:.2f} s later"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        with connection.cursor() as cursor:
            cursor.execute(DROP_TRIGGER)

    # The first batch committed (its marks gone, its rollups kept); the killed batch rolled
    # back whole, so its marks are all still there.
    assert consumed_before_kill == STALE_BATCH_SIZE
    assert StaleMark.all_orgs.count() == initial - STALE_BATCH_SIZE
    assert stale_rollups_recompute() == initial - STALE_BATCH_SIZE
    assert StaleMark.all_orgs.count() == 0
    after_rerun = _rollup_table()

    Rollup.all_orgs.all().delete()
    DailyScoreCount.all_orgs.all().delete()
    rollup_full()
    clean = _rollup_table()
    # 12 definitions × (500 days from Monday 1 Jan 2024 + 72 weeks + 17 months + 6 quarters).
    assert len(clean) == DEFINITIONS * (500 + 72 + 17 + 6)
    assert after_rerun == clean
