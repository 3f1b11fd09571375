"""A real Celery worker on Redis turns an API push into a rollup (PostgreSQL + Redis)."""

import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.db import connection
from rest_framework.test import APIClient

from audiences.services import api_key_create
from axreg.celery import app as celery_app
from measurements.models import MetricKind, Rollup
from tests.factories import AudienceFactory, MetricDefinitionFactory, OrganisationFactory

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_pool() -> None:
    # Pools are cached per broker URL in kombu's global registry, and another test may have
    # closed the one for this URL; clear them all so the next send opens a fresh connection.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_queue(transactional_db):
    """Send tasks to Redis (not in process) on a queue of this test's own."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (set DATABASE_URL)")
    if not _redis_available():
        pytest.skip(f"Redis is not reachable at {BROKER_URL}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {
        k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")
    }
    celery_app.conf.update(broker_url=BROKER_URL, task_always_eager=False, task_default_queue=queue)
    _reset_pool()
    yield queue
    celery_app.conf.update(saved)
    _reset_pool()


@pytest.fixture
def worker(broker_queue):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "DB_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "axreg",
            "worker",
            "--pool",
            "solo",
            "-Q",
            broker_queue,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rolls_up_what_the_api_stored(worker):
    org = OrganisationFactory(slug="worker-org")
    audience = AudienceFactory(organisation=org, slug="customers")
    nps = MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps")
    key = api_key_create(organisation=org, name="worker test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    # 9, 9, 3 on 4 May 2025 → P 2, D 1 → NPS (2 − 1) / 3 × 100 = 33.33. The push stores the
    # rows and stale marks, then enqueues the recompute on Redis after commit.
    items = [
        {
            "audience": "customers",
            "metric": "nps",
            "score": s,
            "responded_at": "2025-05-04T10:00:00Z",
        }
        for s in (9, 9, 3)
    ]
    assert api.post("/api/v1/responses/", items, format="json").status_code == 201

    deadline = time.monotonic() + 60
    rollup = None
    while rollup is None and time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + worker.stdout.read()[-3000:])
        time.sleep(0.5)
        rollup = Rollup.all_orgs.filter(
            definition=nps, granularity="month", period_start=date(2025, 5, 1)
        ).first()
    assert rollup is not None, "no rollup within 60 s"
    assert rollup.value == pytest.approx(100 / 3)
    assert rollup.n == 3
