"""Throwaway Redis and PostgreSQL servers on free ports, to stop and start inside fault tests.

The machine's shared services (PostgreSQL 5432, Redis 6379) serve other people's test runs
and are never touched here. Each server lives for the test session in a temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.db import connection
from rest_framework.test import APIClient

from axreg.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_NO_DISK = ["--save", "", "--appendonly", "no", "--daemonize", "no"]
QUIET = ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not within {timeout} s")


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class RedisServer:
    """A redis-server subprocess without persistence; stop() kills it, start() brings it back."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", *REDIS_NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def queue_length(self, queue: str) -> int:
        import redis

        return int(redis.Redis.from_url(self.url).llen(queue))


class PostgresCluster:
    """A temporary PostgreSQL cluster (initdb as the postgres user; trust authentication)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="h8-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["su", "postgres", "-c", " ".join(_quote(a) for a in command)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        self._run(
            self.bin / "pg_ctl",
            "-D",
            self.data,
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            self.log,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL server binaries are missing under /usr/lib/postgresql")
    cluster = PostgresCluster(bins[-1].parent)
    cluster.init()
    cluster.start()
    yield cluster
    cluster.destroy()


def reset_celery_pools() -> None:
    # kombu caches pools per broker URL; a pool opened on a server since stopped must go.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """Send tasks to the throwaway Redis (not in process) for the duration of a test."""
    # Celery reads CELERY_BROKER_URL from the environment before its own broker_url setting.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {k: celery_app.conf[k] for k in keys}
    celery_app.conf.update(
        broker_url=redis_server.url, task_always_eager=False, task_default_queue="celery"
    )
    reset_celery_pools()
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()  # no message left over from another test
    yield redis_server
    celery_app.conf.update(saved)
    reset_celery_pools()
    if redis_server.process is None:
        redis_server.start()


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("this fault needs PostgreSQL (set DATABASE_URL)")


def database_url_of_tests() -> str:
    """The URL of the database pytest-django created, for subprocesses to connect to."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(
    *, broker_url: str, queue: str = "celery", extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    """A real Celery worker subprocess on the test database (solo pool: one process to kill)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_tests(),
        "CELERY_BROKER_URL": broker_url,
        "DB_CONN_MAX_AGE": "0",
        **(extra_env or {}),
    }
    return subprocess.Popen(
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
            queue,
            *QUIET,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def api_client_for(organisation) -> APIClient:
    from audiences.services import api_key_create

    key = api_key_create(organisation=organisation, name="fault test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


def nps_items(scores_by_day: dict[str, list[int]], *, prefix: str | None = None) -> list[dict]:
    """Response items for the "customers" audience's "nps" metric, at 10:00 UTC each day."""
    items = []
    for day, scores in scores_by_day.items():
        for i, score in enumerate(scores):
            item = {
                "audience": "customers",
                "metric": "nps",
                "score": score,
                "responded_at": f"{day}T10:00:00Z",
            }
            if prefix is not None:
                item["external_id"] = f"{prefix}-{day}-{i}"
            items.append(item)
    return items
