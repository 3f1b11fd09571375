"""Bulk ingestion against its floor: N responses through the API, then the same rows by COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/axreg_bench \\
        .venv/bin/python bench/ingest.py [--n 200000] [--batch 10000] [--clients 1] [--repeat 3]

The API side is realistic: HTTP to gunicorn (4 sync workers) on 127.0.0.1, JSON bodies of
`--batch` items with a Bearer key, `--clients` concurrent senders. The server queues the
rollup recompute on Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/14; the queue is
flushed afterwards) as in production, so no rollup runs inside the measured requests. The
floor is PostgreSQL `COPY … FROM STDIN` of the same rows into the same table. API and COPY
alternate `--repeat` times (the table emptied and vacuumed before each load); on a shared
machine either can be slowed by someone else's work, so the best of each is compared. Prints
rows/s for every load, the best of both and their ratio (target: API ≥ 25% of COPY).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "axreg.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from audiences.models import Audience, Organisation  # noqa: E402
from audiences.services import api_key_create  # noqa: E402
from measurements.models import MetricDefinition, Response, StaleMark  # noqa: E402

ORG_SLUG = "bench-ingest"


def _setup() -> tuple[Organisation, MetricDefinition, str]:
    Organisation.objects.filter(slug=ORG_SLUG).delete()
    org = Organisation.objects.create(slug=ORG_SLUG, name="Bench ingest", timezone="Europe/Paris")
    audience = Audience.objects.create(
        organisation=org, slug="customers", name="Customers", kind="customer"
    )
    definition = MetricDefinition.objects.create(
        organisation=org, audience=audience, kind="nps", slug="nps", name="NPS"
    )
    return org, definition, api_key_create(organisation=org, name="bench").raw_key


def _items(n: int, run: str) -> list[dict]:
    start = datetime.now(UTC) - timedelta(days=365)
    return [
        {
            "external_id": f"{run}-{i}",
            "audience": "customers",
            "metric": "nps",
            "score": i % 11,
            "responded_at": (start + timedelta(seconds=i * 150)).isoformat(),
            "respondent": f"p-{i % 5000}",
        }
        for i in range(n)
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int, broker: str) -> subprocess.Popen:
    env = {**os.environ, "CELERY_BROKER_URL": broker, "API_THROTTLE_RATE": "1000000/minute"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "axreg.wsgi",
            *("--bind", f"127.0.0.1:{port}", "--workers", "4"),
            *("--timeout", "120", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _push(port: int, key: str, batches: list[bytes]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for body in batches:
        conn.request("POST", "/api/v1/responses/", body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        if answer.status != 201:
            raise SystemExit(f"API answered {answer.status}: {payload[:500]!r}")
    conn.close()


def _copy(org: Organisation, definition: MetricDefinition, items: list[dict]) -> float:
    """COPY the same rows (with the local day computed as ingestion does) and time it."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(org.timezone)
    now = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    buffer = io.StringIO()
    for item in items:
        moment = datetime.fromisoformat(item["responded_at"])
        buffer.write(
            f"{org.pk}\t{definition.audience_id}\t{definition.pk}\t{item['external_id']}\t"
            f"{item['score']}\t{item['responded_at']}\t{moment.astimezone(tz).date()}\t"
            f"{item['respondent']}\t\t{now}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY measurements_response (organisation_id, audience_id, definition_id, "
            "external_id, score, responded_at, local_date, respondent, comment, created_at) "
            "FROM STDIN",
            buffer,
        )
    return time.perf_counter() - started


def _empty(org: Organisation) -> None:
    """Remove the bench rows and vacuum, so every load starts from the same table."""
    Response.objects.for_org(org).delete()
    StaleMark.objects.for_org(org).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE measurements_response")


def _api(port: int, key: str, bodies: list[bytes], clients: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        shares = [bodies[c::clients] for c in range(clients)]
        list(pool.map(lambda share: _push(port, key, share), shares))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: the floor is COPY.")

    org, definition, key = _setup()
    items = _items(args.n, run=str(int(time.time())))
    bodies = [orjson.dumps(items[i : i + args.batch]) for i in range(0, args.n, args.batch)]
    port = _free_port()
    server = _start_server(port, args.broker)
    print(f"rows: {args.n}, batch: {args.batch}, clients: {args.clients}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    api_times, copy_times = [], []
    try:
        _push(port, key, bodies[:1])  # warm up the workers (imports, connections)
        for run in range(1, args.repeat + 1):
            _empty(org)
            api_times.append(_api(port, key, bodies, args.clients))
            stored = Response.objects.for_org(org).count()
            assert stored == args.n, f"stored {stored} of {args.n}"
            _empty(org)
            copy_times.append(_copy(org, definition, items))
            print(
                f"run {run}: API {args.n / api_times[-1]:10,.0f} rows/s   "
                f"COPY {args.n / copy_times[-1]:10,.0f} rows/s"
            )
    finally:
        server.terminate()
        server.wait()
        Organisation.objects.filter(pk=org.pk).delete()
    try:
        import redis

        redis.Redis.from_url(args.broker).flushdb()
    except Exception:  # the broker is optional for the figures
        pass

    api_seconds, copy_seconds = min(api_times), min(copy_times)
    api_rate, copy_rate = args.n / api_seconds, args.n / copy_seconds
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"best of {args.repeat}:")
    print(f"API bulk (HTTP, gunicorn x4): {api_seconds:7.2f} s  {api_rate:10,.0f} rows/s")
    print(f"COPY floor:                   {copy_seconds:7.2f} s  {copy_rate:10,.0f} rows/s")
    print(f"ratio API / COPY: {api_rate / copy_rate:.0%}")


if __name__ == "__main__":
    main()
