"""The API rate limit and the sign-in lockout hold across web processes (issue #9, item 7).

gunicorn with two workers on a throwaway PostgreSQL, once with the counters in the database
cache (no Redis configured) and once with Redis (the Celery broker's server). Requests go
out from several threads so both workers serve; a counter kept per process would let about
twice the limit through.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from tests.faults.conftest import ROOT, PostgresCluster, free_port, wait_for

DATABASE = "axreg_limits"
LIMIT = 20
PASSWORD = "the-right-password-1"
SETUP = f"""
from audiences.services import api_key_create
from audiences.models import Membership, Organisation, Role
from django.contrib.auth import get_user_model
org = Organisation.objects.create(slug="limits", name="Limits")
user = get_user_model().objects.create_user(username="lead@example.org",
    email="lead@example.org", password="{PASSWORD}")
Membership.objects.create(organisation=org, user=user, role=Role.LEAD)
print(api_key_create(organisation=org, name="limits").raw_key)
"""


def _env(cluster: PostgresCluster, broker: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": cluster.url(DATABASE),
        "CELERY_BROKER_URL": broker,
        "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
        "DEBUG": "false",
        "SECRET_KEY": "limits-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # An hour: sixty requests never straddle two windows.
        "API_THROTTLE_RATE": f"{LIMIT}/hour",
        "LOG_LEVEL": "WARNING",
    }


def _prepare(env: dict[str, str], cluster: PostgresCluster) -> str:
    admin = psycopg2.connect(cluster.url())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    python = [sys.executable, "manage.py"]
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([*python, "migrate", "--no-input"], timeout=180, **run)
    return subprocess.run([*python, "shell", "-c", SETUP], timeout=60, **run).stdout.split()[-1]


def _call(request: urllib.request.Request) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture(scope="module", params=["database", "redis"])
def server(request, postgres_cluster, tmp_path_factory):
    """A two-worker gunicorn; its counters in the database cache or in Redis."""
    broker = ""
    if request.param == "redis":
        redis_server = request.getfixturevalue("redis_server")
        broker = redis_server.url
        import redis

        redis.Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/1").flushdb()
    env = _env(postgres_cluster, broker)
    key = _prepare(env, postgres_cluster)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp(request.param) / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "axreg.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _healthy(base), timeout=30, what="gunicorn")
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def _healthy(base: str) -> bool:
    try:
        return _call(urllib.request.Request(f"{base}/healthz"))[0] == 200
    except urllib.error.URLError:
        return False


def _spread(calls, threads: int = 4) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda f: f(), calls))


@pytest.mark.worker
def test_one_key_gets_exactly_its_limit_across_two_workers(server):
    base, key = server

    def get():
        request = urllib.request.Request(f"{base}/api/v1/audiences/")
        request.add_header("Authorization", f"Bearer {key}")
        status, _, headers = _call(request)
        return status, headers.get("Retry-After")

    answers = _spread([get] * (3 * LIMIT))

    assert Counter(status for status, _ in answers) == {200: LIMIT, 429: 2 * LIMIT}
    assert all(int(after) > 0 for status, after in answers if status == 429)


def _sign_in_form(base: str) -> tuple[str, str]:
    status, html, headers = _call(urllib.request.Request(f"{base}/login/"))
    assert status == 200
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def _sign_in(base: str, cookie: str, token: str, password: str) -> tuple[int, str]:
    body = urllib.parse.urlencode(
        {"username": "lead@example.org", "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=body, method="POST")
    request.add_header("Cookie", f"csrftoken={cookie}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.worker
def test_sign_in_locks_at_the_tenth_failure_across_two_workers(server):
    base, _ = server
    cookie, token = _sign_in_form(base)

    def attempt(password: str):
        return lambda: _sign_in(base, cookie, token, password)

    nine = _spread([attempt("wrong-password")] * 9)
    assert [status for status, _ in nine] == [200] * 9
    assert attempt(PASSWORD)()[0] == 302  # nine is not the limit yet

    # The tenth failure, whichever worker counts it, answers with the lockout; from then on
    # even the right password is refused without being checked.
    tenth = attempt("wrong-password")()
    right = attempt(PASSWORD)()

    assert right[0] == 429, right[1][:500]
    assert tenth[0] == 429
    assert "Too many failed sign-ins" in right[1]
    assert 'class="card narrow"' in right[1]  # the app's own page, not a bare error
