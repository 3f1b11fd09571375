"""PostgreSQL stopped and started again under load: the app answers 503 with a message (JSON
for the API, a plain page for the browser), never a 500 or a traceback, and serves again once
the database is back, without a restart of the app."""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

import psycopg2
import pytest

from tests.faults.conftest import ROOT, PostgresCluster, free_port, wait_for

DATABASE = "axreg_fault"
KINDS = ("api-get", "api-push", "html", "healthz")
SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from audiences.services import api_key_create
from audiences.models import Audience, Membership, Organisation, Role
from django.contrib.auth import get_user_model
from measurements.models import MetricDefinition
org = Organisation.objects.create(slug="restart", name="Restart")
aud = Audience.objects.create(organisation=org, slug="customers", name="Customers", rank=1)
MetricDefinition.objects.create(organisation=org, audience=aud, slug="nps", kind="nps",
    name="NPS", scale_min=0, scale_max=10)
user = get_user_model().objects.create_user(username="lead@example.org",
    email="lead@example.org", password="not-used-here-1")
Membership.objects.create(organisation=org, user=user, role=Role.LEAD)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "audiences.auth.EmailBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(api_key_create(organisation=org, name="restart").raw_key, session.session_key)
"""


@dataclass
class Answer:
    kind: str
    at: float
    status: int
    body: str
    content_type: str
    retry_after: str | None


def _env(cluster: PostgresCluster) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": cluster.url(DATABASE),
        "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }


def _prepare(cluster: PostgresCluster) -> tuple[str, str]:
    admin = psycopg2.connect(cluster.url())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    env = _env(cluster)
    python = [sys.executable, "manage.py"]
    subprocess.run(
        [*python, "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = subprocess.run(
        [*python, "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    key, session = out.split()[-2:]
    return key, session


def _request(base: str, kind: str, key: str, session: str, n: int) -> Answer:
    if kind == "api-get":
        request = urllib.request.Request(f"{base}/api/v1/audiences/customers/metrics/")
        request.add_header("Authorization", f"Bearer {key}")
    elif kind == "api-push":
        body = {
            "external_id": f"r-{n}",
            "audience": "customers",
            "metric": "nps",
            "score": n % 11,
            "responded_at": "2025-05-04T10:00:00Z",
        }
        request = urllib.request.Request(
            f"{base}/api/v1/responses/", data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Authorization", f"Bearer {key}")
        request.add_header("Content-Type", "application/json")
    elif kind == "healthz":
        request = urllib.request.Request(f"{base}/healthz")
    else:  # a signed-in browser: the session lookup itself needs the database
        request = urllib.request.Request(f"{base}/app/")
        request.add_header("Cookie", f"sessionid={session}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, headers, text = answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, headers, text = error.code, error.headers, error.read().decode()
    except TimeoutError:
        return Answer(kind, started, 0, "no answer within 10 s", "", None)
    return Answer(
        kind, started, status, text, headers.get("Content-Type", ""), headers.get("Retry-After")
    )


def _up(base: str, key: str, session: str) -> bool:
    try:
        return _request(base, "api-get", key, session, 0).status == 200
    except urllib.error.URLError:
        return False


@pytest.mark.worker
def test_requests_answer_503_while_postgres_is_down_and_succeed_after_it_restarts(
    postgres_cluster, tmp_path
):
    key, session = _prepare(postgres_cluster)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = tmp_path / "gunicorn.log"
    log_file = log_file.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "axreg.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=_env(postgres_cluster),
        # A file, not a pipe: a pipe nobody reads fills up with the outage's log lines and
        # blocks the workers.
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    answers: list[Answer] = []
    stop = threading.Event()
    counter = iter(range(1_000_000))

    def load(kind: str) -> None:
        while not stop.is_set():
            answers.append(_request(base, kind, key, session, next(counter)))
            time.sleep(0.02)

    threads = [threading.Thread(target=load, args=(k,)) for k in KINDS]
    try:
        wait_for(lambda: _up(base, key, session), timeout=30, what="gunicorn")
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        stopped_at = time.monotonic()
        postgres_cluster.stop()
        time.sleep(3)
        postgres_cluster.start()
        started_at = time.monotonic()
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=15)
        server_alive = server.poll() is None
        server.terminate()
        server.wait(timeout=15)
        log_file.close()
        log = (tmp_path / "gunicorn.log").read_text()

    assert server_alive, "gunicorn exited during the outage:\n" + log[-3000:]
    statuses = Counter((a.kind, a.status) for a in answers)
    print(f"\nPostgreSQL restart under load: {dict(statuses)}")
    assert {status for _, status in statuses} <= {200, 201, 503}, statuses
    during = [a for a in answers if a.status == 503]
    assert {a.kind for a in during} == set(KINDS)
    for answer in during:
        assert "Traceback" not in answer.body
        assert answer.retry_after == "5"
        if answer.kind in ("html", "healthz"):
            assert answer.content_type.startswith("text/html")
            assert "Temporarily unavailable" in answer.body
        else:
            assert json.loads(answer.body) == {
                "detail": "The database is unavailable; retry shortly."
            }
    # Every kind succeeds again after the restart, with the same gunicorn.
    for kind in KINDS:
        last_failure = max(a.at for a in answers if a.kind == kind and a.status == 503)
        assert any(
            a.at > last_failure and a.status in (200, 201) for a in answers if a.kind == kind
        )
    recovered = min(a.at for a in answers if a.at > started_at and a.status in (200, 201))
    outage = [a for a in answers if stopped_at <= a.at < started_at]
    print(
        f"503s: {len(during)} of {len(outage)} requests sent while stopped; first success "
        f"{recovered - started_at:.2f} s after the restart completed"
    )
    # Nothing pushed was lost or doubled: one row per 201.
    pushed = sum(1 for a in answers if a.kind == "api-push" and a.status == 201)
    connection = psycopg2.connect(postgres_cluster.url(DATABASE))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM measurements_response")
        assert cursor.fetchone()[0] == pushed
    connection.close()
