"""Mixed-traffic load benchmark: the whole stack for a few minutes, then the promise checked.

    .venv/bin/python bench/load.py [--duration 120] [--bulk-clients 2] [--single-clients 2]
        [--browsers 4] [--upsert-clients 2] [--db postgres://postgres@127.0.0.1:5432/axreg_load]
        [--broker redis://127.0.0.1:6379/13]

Recreates the database named in --db, migrates, seeds the demo (`seed_demo`) and creates an
API key (`create_api_key riverside`), then starts gunicorn (4 sync workers), one Celery worker
(concurrency 2, as in docker-compose.yml) and celery beat, on Redis (--broker, which also holds
the sign-in and throttle counters; the database is flushed before and after). The per-key
throttle is lifted, as in bench/ingest.py: one key carries every API client here.

Baseline, measured first in the same run: GET /healthz (one database round trip, no session)
from as many client threads as the mixed phase has, back to back for --baseline seconds. Every
endpoint's p50/p95/p99 is printed in ms and as a multiple of the baseline's.

Mixed phase, --duration seconds of closed-loop clients with random think times (exponential;
means 1 s bulk, 0.1 s single, 1 s browser), starting at random over the first 3 s:
- bulk API clients POST batches of 500-2,000 NPS/CSAT/CES responses with unique external ids
  (responded in the last 30 days); one in ten re-sends an earlier batch of any client
  (possibly still in flight) and one in ten mixes earlier items with new ones, shuffled;
- single API clients POST one response at a time, one in ten a re-send;
- upsert API clients (--upsert-clients) write support cases and members and then change
  them as integrators do: a case opened, later resolved, re-sent with another audience or
  touchpoint, re-opened, or re-sent unchanged; a member joined, the join date corrected by
  months, left, rejoined; each client owns its ids, so it knows what each answer must count;
- browsers sign in at /login/ as the demo lead (session + CSRF) and GET the overview, an
  audience dashboard, the health grid and the registry list.
A request that fails (non-2xx, or no answer) is counted as an error and, for the API, sent again
(up to 3 times): the client cannot know whether the first attempt was stored.

Then: waits until the worker has consumed every stale mark, and checks (a) every external id
sent is stored exactly once and the API's created + duplicates add up to what was sent, and
(b) every upsert answer counted what its client expected (created / updated / duplicate), and
(c) the rollups equal a full recompute (`manage.py rollup --full`), row by row — including the
periods the updates and moves took data away from. Exits 1 on any error, lost or doubled row,
miscounted upsert, rollup mismatch, or a drain that did not finish.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import psycopg2
import redis
import requests
from common import recreate_database  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
LOGS = ROOT / "bench/out/load"
ORG_SLUG = "riverside"
LEAD = ("avery.johnson@riverside.example", "ax-demo-lead")
DEFAULT_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
BROWSER_PAGES = ("overview", "dashboard", "health", "registry")
API_ATTEMPTS = 3
RAMP_UP = 3.0  # seconds over which the clients of the mixed phase start, not all at once
TIMEOUT = 120


# --- the stack ------------------------------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """gunicorn, a Celery worker and beat as subprocesses, each in its own process group so
    that stopping one stops its children (gunicorn's and the worker's) and nothing else."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: dict[str, subprocess.Popen] = {}
        LOGS.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *command: str) -> None:
        log = (LOGS / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for_log(self, name: str, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise SystemExit(f"{name} exited; see {LOGS / name}.log")
            if text in (LOGS / f"{name}.log").read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise SystemExit(f"{name} did not log {text!r} within {timeout:.0f} s")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


# --- what the clients record ----------------------------------------------------------------


@dataclass
class Recorder:
    """One client thread's samples (endpoint, seconds, ok) and error notes; merged at the end."""

    samples: list[tuple[str, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(
        self, session: requests.Session, endpoint: str, method: str, url: str, **kwargs
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            answer = session.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.samples.append((endpoint, time.perf_counter() - started, False))
            self.errors.append(f"{endpoint}: no answer ({type(exc).__name__}: {exc})")
            return None
        elapsed = time.perf_counter() - started
        expected = 302 if method == "POST" and endpoint.startswith("POST /login/") else None
        ok = answer.status_code == expected if expected else 200 <= answer.status_code < 300
        self.samples.append((endpoint, elapsed, ok))
        if not ok:
            body = answer.text[:300].replace("\n", " ")
            self.errors.append(f"{endpoint}: {answer.status_code} {body}")
        return answer


class Ledger:
    """Every response item the API clients sent, what the API acknowledged, and its counts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[list[dict]] = []  # bulk batches, registered before they are sent
        self.singles: list[dict] = []
        self.sent_ids: set[str] = set()
        self.acked_ids: set[str] = set()
        self.items_acked = self.created = self.duplicates = self.updated = 0
        self.resend_created: list[str] = []  # re-sends of acknowledged items that created rows

    def acknowledge(self, items: list[dict], answer: dict, *, resend_of_acked: bool) -> None:
        with self.lock:
            self.items_acked += len(items)
            self.created += answer["created"]
            self.duplicates += answer["duplicates"]
            self.updated += answer["updated"]
            self.acked_ids.update(item["external_id"] for item in items)
            if resend_of_acked and answer["created"]:
                self.resend_created.append(f"{len(items)} items re-sent: {answer}")


class Items:
    """Valid response items for the organisation's active scored definitions."""

    def __init__(self, definitions: list[tuple[str, str, tuple[int, int]]], run: str) -> None:
        self.definitions = definitions
        self.run = run
        self.counter = 0
        self.lock = threading.Lock()

    def new(self, rng: random.Random) -> dict:
        with self.lock:
            self.counter += 1
            number = self.counter
        audience, metric, (lo, hi) = rng.choice(self.definitions)
        moment = datetime.now(UTC) - timedelta(seconds=rng.uniform(0, 30 * 86400))
        item = {
            "external_id": f"load-{self.run}-{number}",
            "audience": audience,
            "metric": metric,
            "score": rng.randint(lo, hi),
            "responded_at": moment.isoformat(timespec="seconds"),
            "respondent": f"r-{rng.randint(1, 50_000)}",
        }
        if rng.random() < 0.05:
            item["comment"] = rng.choice(["Quick and friendly.", "Long wait, no update."])
        return item


# --- the clients ----------------------------------------------------------------------------


def _think(rng: random.Random, mean: float, deadline: float) -> None:
    time.sleep(max(0.0, min(rng.expovariate(1 / mean), deadline - time.monotonic())))


def _api_push(
    recorder: Recorder,
    session: requests.Session,
    base: str,
    endpoint: str,
    items: list[dict],
    ledger: Ledger,
    *,
    resend_of_acked: bool,
    single: bool = False,
) -> None:
    body = orjson.dumps(items[0] if single else items)
    with ledger.lock:
        ledger.sent_ids.update(item["external_id"] for item in items)
    for attempt in range(API_ATTEMPTS):
        answer = recorder.request(session, endpoint, "POST", f"{base}/api/v1/responses/", data=body)
        if answer is not None and answer.status_code == 201:
            ledger.acknowledge(items, answer.json(), resend_of_acked=resend_of_acked)
            return
        if answer is not None and answer.status_code == 400:
            return  # the same body would be refused again
        time.sleep(1 + attempt)


def _api_session(key: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return session


def bulk_client(
    base: str, key: str, items: Items, ledger: Ledger, deadline: float, seed: int
) -> Recorder:
    rng, recorder = random.Random(seed), Recorder()
    time.sleep(rng.uniform(0, RAMP_UP))
    session = _api_session(key)
    while time.monotonic() < deadline:
        roll = rng.random()
        with ledger.lock:
            earlier = list(ledger.batches)
        if roll < 0.1 and earlier:
            batch, endpoint = rng.choice(earlier), "POST /api/v1/responses/ (bulk re-send)"
        elif roll < 0.2 and earlier:
            old = [item for b in rng.sample(earlier, min(3, len(earlier))) for item in b]
            size = rng.randint(500, 2000)
            batch = rng.sample(old, min(size // 2, len(old)))
            batch += [items.new(rng) for _ in range(size - len(batch))]
            rng.shuffle(batch)
            endpoint = "POST /api/v1/responses/ (bulk, half re-sent)"
        else:
            batch = [items.new(rng) for _ in range(rng.randint(500, 2000))]
            endpoint = "POST /api/v1/responses/ (bulk)"
        if endpoint.endswith("(bulk)"):
            with ledger.lock:
                ledger.batches.append(batch)
        # A re-send of a batch another client still has in flight may legitimately create rows.
        with ledger.lock:
            acked = all(item["external_id"] in ledger.acked_ids for item in batch)
        _api_push(recorder, session, base, endpoint, batch, ledger, resend_of_acked=acked)
        _think(rng, 1.0, deadline)
    return recorder


def single_client(
    base: str, key: str, items: Items, ledger: Ledger, deadline: float, seed: int
) -> Recorder:
    rng, recorder = random.Random(seed), Recorder()
    time.sleep(rng.uniform(0, RAMP_UP))
    session = _api_session(key)
    while time.monotonic() < deadline:
        with ledger.lock:
            earlier = list(ledger.singles)
        if rng.random() < 0.1 and earlier:
            item, endpoint = rng.choice(earlier), "POST /api/v1/responses/ (single re-send)"
        else:
            item, endpoint = items.new(rng), "POST /api/v1/responses/ (single)"
            with ledger.lock:
                ledger.singles.append(item)
        with ledger.lock:
            acked = item["external_id"] in ledger.acked_ids
        _api_push(
            recorder, session, base, endpoint, [item], ledger, resend_of_acked=acked, single=True
        )
        _think(rng, 0.1, deadline)
    return recorder


class Upserts:
    """What the upsert clients sent and whether the API counted it as they expected."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items = Counter()  # "cases created" etc.: what the answers counted
        self.expected = Counter()  # the same, as the client expected it
        self.miscounted: list[str] = []

    def record(self, kind: str, expected: str, answer: dict) -> None:
        with self.lock:
            for name in ("created", "updated", "duplicates"):
                self.items[f"{kind} {name}"] += answer[name]
            self.expected[f"{kind} {expected}"] += 1
            if answer[expected] != 1:
                self.miscounted.append(f"{kind}: expected {expected}, answer {answer}")


def _when(days_ago: float) -> str:
    # No jitter of its own: callers draw days_ago, so a case's resolution follows its opening.
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")


def upsert_client(
    base: str,
    key: str,
    targets: dict[str, list[tuple[str, list[str]]]],
    upserts: Upserts,
    deadline: float,
    seed: int,
    run: str,
) -> Recorder:
    """Cases and members, created and then changed; one item per request so that each answer
    says what happened to that item. `targets` holds (audience, touchpoints) per kind."""
    rng, recorder = random.Random(seed), Recorder()
    time.sleep(rng.uniform(0, RAMP_UP))
    session = _api_session(key)
    cases: dict[str, dict] = {}
    members: dict[tuple[str, str], dict] = {}
    counter = 0

    def push(kind: str, item: dict, expected: str) -> bool:
        endpoint = f"POST /api/v1/{kind}/ (upsert: {expected})"
        for attempt in range(API_ATTEMPTS):
            answer = recorder.request(
                session, endpoint, "POST", f"{base}/api/v1/{kind}/", data=orjson.dumps(item)
            )
            if answer is not None and answer.status_code == 201:
                # A retry of an attempt that was stored after all counts as a duplicate.
                upserts.record(kind, expected if attempt == 0 else "duplicates", answer.json())
                return True
            if answer is not None and answer.status_code == 400:
                return False
            time.sleep(1 + attempt)
        return False

    while time.monotonic() < deadline:
        roll = rng.random()
        if targets["cases"] and (roll < 0.5 or not targets["members"]):
            if cases and rng.random() < 0.6:
                case = dict(rng.choice(list(cases.values())))
                change = rng.choice(["resolve", "move", "touchpoint", "reopen", "same"])
                if change == "resolve":
                    case["resolved_at"] = _when(rng.uniform(0, 2))
                elif change == "move":
                    case["audience"], touchpoints = rng.choice(targets["cases"])
                    case["touchpoint"] = rng.choice(touchpoints) if touchpoints else None
                elif change == "touchpoint":
                    touchpoints = dict(targets["cases"])[case["audience"]]
                    case["touchpoint"] = rng.choice([None, *touchpoints])
                elif change == "reopen":
                    case["resolved_at"] = None
                expected = "duplicates" if case == cases[case["external_id"]] else "updated"
            else:
                counter += 1
                audience, touchpoints = rng.choice(targets["cases"])
                opened = rng.uniform(3, 120)
                case = {
                    "external_id": f"load-{run}-case-{seed}-{counter}",
                    "audience": audience,
                    "opened_at": _when(opened),
                    "resolved_at": _when(opened - rng.uniform(0.1, 3)),
                    "touchpoint": rng.choice([None, *touchpoints]),
                }
                expected = "created"
            if push("cases", case, expected):
                cases[case["external_id"]] = case
        elif targets["members"]:
            if members and rng.random() < 0.6:
                member = dict(rng.choice(list(members.values())))
                change = rng.choice(["correct", "leave", "rejoin", "same"])
                if change == "correct":  # the join date was wrong by months
                    member["joined_at"] = _when(rng.uniform(5, 400))
                elif change == "leave":
                    member["left_at"] = _when(rng.uniform(0, 4))
                elif change == "rejoin":
                    member["left_at"] = None
                key_ = (member["audience"], member["member"])
                expected = "duplicates" if member == members[key_] else "updated"
            else:
                counter += 1
                audience, _ = rng.choice(targets["members"])
                member = {
                    "audience": audience,
                    "member": f"load-{run}-m-{seed}-{counter}",
                    "joined_at": _when(rng.uniform(5, 400)),
                    "left_at": None,
                }
                expected = "created"
            if push("members", member, expected):
                members[(member["audience"], member["member"])] = member
        _think(rng, 0.2, deadline)
    return recorder


def _sign_in(recorder: Recorder, session: requests.Session, base: str) -> bool:
    recorder.request(session, "GET /login/", "GET", f"{base}/login/")
    token = session.cookies.get("csrftoken")
    answer = recorder.request(
        session,
        "POST /login/",
        "POST",
        f"{base}/login/",
        data={"username": LEAD[0], "password": LEAD[1], "csrfmiddlewaretoken": token or ""},
        headers={"Referer": f"{base}/login/"},
    )
    return answer is not None and answer.status_code == 302


def browser(base: str, audiences: list[str], deadline: float, seed: int) -> Recorder:
    rng, recorder = random.Random(seed), Recorder()
    time.sleep(rng.uniform(0, RAMP_UP))
    session = requests.Session()
    signed_in = _sign_in(recorder, session, base)
    while time.monotonic() < deadline:
        if not signed_in:
            time.sleep(1)
            signed_in = _sign_in(recorder, session, base)
            continue
        page = rng.choice(BROWSER_PAGES)
        if page == "overview":
            recorder.request(session, "GET /app/overview/", "GET", f"{base}/app/overview/")
        elif page == "dashboard":
            slug = rng.choice(audiences)
            url = f"{base}/app/audiences/{slug}/dashboard/"
            recorder.request(session, "GET /app/audiences/<slug>/dashboard/", "GET", url)
        elif page == "health":
            recorder.request(session, "GET /app/health/", "GET", f"{base}/app/health/")
        else:
            recorder.request(session, "GET /app/audiences/", "GET", f"{base}/app/audiences/")
        _think(rng, 1.0, deadline)
    return recorder


def healthz_client(base: str, deadline: float) -> Recorder:
    recorder, session = Recorder(), requests.Session()
    while time.monotonic() < deadline:
        recorder.request(session, "GET /healthz (baseline)", "GET", f"{base}/healthz")
    return recorder


def warm_up(base: str, key: str, audiences: list[str]) -> None:
    """Render every page and the API once per gunicorn worker (imports, templates, connections)
    before anything is measured; nothing here is recorded."""
    recorder, session = Recorder(), requests.Session()
    _sign_in(recorder, session, base)
    api = {"Authorization": f"Bearer {key}"}
    for _ in range(8):
        for path in ("/app/overview/", "/app/health/", "/app/audiences/"):
            session.get(f"{base}{path}", timeout=TIMEOUT)
        session.get(f"{base}/app/audiences/{audiences[0]}/dashboard/", timeout=TIMEOUT)
        requests.get(f"{base}/api/v1/responses/", headers=api, timeout=TIMEOUT)
    if recorder.errors:
        raise SystemExit(f"warm-up failed: {recorder.errors}")


def _run_threads(targets: list[tuple]) -> tuple[list[Recorder], float]:
    results: list[Recorder] = []
    lock = threading.Lock()

    def run(target, args) -> None:
        recorder = target(*args)
        with lock:
            results.append(recorder)

    threads = [threading.Thread(target=run, args=(t, a), daemon=True) for t, a in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


# --- figures --------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def _latencies(recorders: list[Recorder]) -> dict[str, tuple[int, int, list[float]]]:
    """endpoint -> (count, errors, sorted seconds of every request, failed ones included)."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for recorder in recorders:
        for endpoint, seconds, ok in recorder.samples:
            times[endpoint].append(seconds)
            errors[endpoint] += not ok
    return {name: (len(ts), errors[name], sorted(ts)) for name, ts in sorted(times.items())}


def _print_table(
    rows: dict[str, tuple[int, int, list[float]]], base: tuple[float, float, float]
) -> None:
    print(
        f"{'endpoint':<46} {'count':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'p50 x':>7} {'p95 x':>7} {'p99 x':>7}"
    )
    for name, (count, errors, ts) in rows.items():
        ps = [_percentile(ts, p) for p in (50, 95, 99)]
        ms = "".join(f" {p * 1000:8.1f}" for p in ps)
        ratios = "".join(f" {p / b:6.1f}x" for p, b in zip(ps, base, strict=True))
        print(f"{name:<46} {count:>6} {errors:>4}{ms}{ratios}")


# --- the checks -----------------------------------------------------------------------------


def _drain(db: str, timeout: float) -> tuple[bool, float]:
    started = time.monotonic()
    with psycopg2.connect(db) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            while time.monotonic() - started < timeout:
                cursor.execute("SELECT count(*) FROM measurements_stalemark")
                if cursor.fetchone()[0] == 0:
                    return True, time.monotonic() - started
                time.sleep(1)
    return False, time.monotonic() - started


def _stored(db: str, org_id: int, run: str) -> dict[str, int]:
    with psycopg2.connect(db) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, count(*) FROM measurements_response"
            " WHERE organisation_id = %s AND external_id LIKE %s GROUP BY external_id",
            [org_id, f"load-{run}-%"],
        )
        return dict(cursor.fetchall())


def _rollups(db: str) -> dict[tuple, tuple]:
    """(organisation, audience, definition, granularity, period start) -> (value, n, details)."""
    with psycopg2.connect(db) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT o.slug, a.slug, d.slug || ' (' || d.kind || ')', r.granularity,"
            " r.period_start, r.value, r.n, r.details"
            " FROM measurements_rollup r"
            " JOIN measurements_metricdefinition d ON d.id = r.definition_id"
            " JOIN audiences_audience a ON a.id = r.audience_id"
            " JOIN audiences_organisation o ON o.id = r.organisation_id"
        )
        return {tuple(row[:5]): tuple(row[5:]) for row in cursor.fetchall()}


def _rollup_differences(
    before: dict[tuple, tuple], after: dict[tuple, tuple]
) -> tuple[list[str], Counter[str], int]:
    """The differing rows as lines, how many per metric, and how many responses the stored
    day rollups count fewer (or more, negative) than the recompute."""
    lines, per_metric, day_shortfall = [], Counter(), 0
    for key in sorted(before.keys() | after.keys(), key=str):
        stored, recomputed = before.get(key), after.get(key)
        if stored != recomputed:
            lines.append(f"{' '.join(map(str, key))}: stored {stored} != recomputed {recomputed}")
            per_metric[f"{key[0]}/{key[1]}/{key[2]}"] += 1
            if key[3] == "day":
                day_shortfall += (recomputed[1] if recomputed else 0) - (stored[1] if stored else 0)
    return lines, per_metric, day_shortfall


# --- main -----------------------------------------------------------------------------------


def _setup(args: argparse.Namespace, env: dict[str, str]) -> tuple[str, int, list, list[str], dict]:
    recreate_database(args.db)
    _manage(env, "migrate", "--no-input")
    started = time.perf_counter()
    _manage(env, "seed_demo")
    print(f"seed_demo: {time.perf_counter() - started:.1f} s")
    key = _manage(env, "create_api_key", ORG_SLUG, "--name", "load bench").strip().splitlines()[-1]
    with psycopg2.connect(args.db) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id FROM audiences_organisation WHERE slug = %s", [ORG_SLUG])
        org_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT a.slug, d.slug, d.kind, d.scale_min, d.scale_max"
            " FROM measurements_metricdefinition d"
            " JOIN audiences_audience a ON a.id = d.audience_id"
            " WHERE d.organisation_id = %s AND d.active AND d.kind IN ('nps', 'csat', 'ces')"
            " ORDER BY 1, 2",
            [org_id],
        )
        definitions = [
            (audience, metric, (DEFAULT_SCALES[kind][0] if lo is None else lo,
                                DEFAULT_SCALES[kind][1] if hi is None else hi))
            for audience, metric, kind, lo, hi in cursor.fetchall()
        ]  # fmt: skip
        cursor.execute(
            "SELECT slug FROM audiences_audience WHERE organisation_id = %s AND NOT archived"
            " ORDER BY slug",
            [org_id],
        )
        audiences = [row[0] for row in cursor.fetchall()]
        upsert_targets: dict[str, list[tuple[str, list[str]]]] = {}
        for kind, kinds in (("cases", ("ttr",)), ("members", ("retention", "churn", "clv"))):
            cursor.execute(
                "SELECT a.slug, array_remove(array_agg(DISTINCT t.slug), NULL)"
                " FROM audiences_audience a"
                " JOIN measurements_metricdefinition d ON d.audience_id = a.id"
                " LEFT JOIN journeys_touchpoint t ON t.audience_id = a.id"
                " WHERE a.organisation_id = %s AND NOT a.archived AND d.active AND d.kind = ANY(%s)"
                " GROUP BY a.slug ORDER BY a.slug",
                [org_id, list(kinds)],
            )
            upsert_targets[kind] = [(slug, list(tps)) for slug, tps in cursor.fetchall()]
    return key, org_id, definitions, audiences, upsert_targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--baseline", type=float, default=5, help="seconds of /healthz first")
    parser.add_argument("--bulk-clients", type=int, default=2)
    parser.add_argument("--single-clients", type=int, default=2)
    parser.add_argument("--browsers", type=int, default=4)
    parser.add_argument("--upsert-clients", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/axreg_load")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": args.db,
        "CELERY_BROKER_URL": args.broker,
        "CACHE_URL": args.broker,
        "API_THROTTLE_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    broker = redis.Redis.from_url(args.broker)
    broker.flushdb()
    key, org_id, definitions, audiences, upsert_targets = _setup(args, env)
    run = uuid.uuid4().hex[:8]
    items, ledger, upserts = Items(definitions, run), Ledger(), Upserts()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    stack = Stack(env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        celery = (PYTHON, "-m", "celery", "-A", "axreg")
        stack.start("worker", *celery, "worker", "--concurrency", "2", "--loglevel", "INFO")
        stack.start("beat", *celery, "beat", "--loglevel", "INFO")
        stack.start(
            "gunicorn",
            str(ROOT / ".venv/bin/gunicorn"),
            "axreg.wsgi",
            *("--bind", f"127.0.0.1:{port}", "--workers", "4", "--timeout", "120"),
        )
        stack.wait_for_log("worker", " ready.")
        stack.wait_for_log("beat", "beat: Starting")
        stack.wait_for_log("gunicorn", "Booting worker")
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn does not answer /healthz; see {LOGS}/gunicorn.log")

        warm_up(base, key, audiences)
        users = args.bulk_clients + args.single_clients + args.upsert_clients + args.browsers
        print(
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before;"
            f" gunicorn 4 sync workers, Celery worker (concurrency 2) and beat on {args.broker}"
        )
        print(f"baseline: GET /healthz from {users} threads back to back, {args.baseline:.0f} s")
        baseline_end = time.monotonic() + args.baseline
        base_rec, _ = _run_threads([(healthz_client, (base, baseline_end))] * users)
        base_rows = _latencies(base_rec)
        _, _, base_ts = base_rows["GET /healthz (baseline)"]
        floor = tuple(_percentile(base_ts, p) for p in (50, 95, 99))

        print(
            f"mixed: {args.duration:.0f} s, {args.bulk_clients} bulk API clients,"
            f" {args.single_clients} single API clients, {args.upsert_clients} upsert API clients"
            f" (cases and members), {args.browsers} browsers (lead)"
        )
        print(
            "upsert targets: "
            + "; ".join(f"{k}: {', '.join(a for a, _ in v)}" for k, v in upsert_targets.items())
        )
        deadline = time.monotonic() + args.duration
        targets = [
            (bulk_client, (base, key, items, ledger, deadline, args.seed * 1000 + i))
            for i in range(args.bulk_clients)
        ]
        targets += [
            (single_client, (base, key, items, ledger, deadline, args.seed * 2000 + i))
            for i in range(args.single_clients)
        ]
        targets += [
            (
                upsert_client,
                (base, key, upsert_targets, upserts, deadline, args.seed * 4000 + i, run),
            )
            for i in range(args.upsert_clients)
        ]
        targets += [
            (browser, (base, audiences, deadline, args.seed * 3000 + i))
            for i in range(args.browsers)
        ]
        recorders, elapsed = _run_threads(targets)
        load_after = os.getloadavg()[0]
        stack.stop("gunicorn")

        drained, drain_s = _drain(args.db, args.drain_timeout)
        stack.stop("beat")
        stack.stop("worker")
        stored = _stored(args.db, org_id, run)
        before = _rollups(args.db)
        _manage(env, "rollup", "--full")
        after = _rollups(args.db)
    finally:
        stack.stop_all()
        broker.flushdb()

    rows = _latencies(recorders)
    total = sum(count for count, _, _ in rows.values())
    errors = sum(e for _, e, _ in rows.values())
    print(f"load average after: {load_after:.2f}")
    print()
    _print_table({**base_rows, **rows}, floor)
    print()
    print(
        f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} requests/s; errors: {errors}"
    )
    for note in [n for r in base_rec + recorders for n in r.errors][:20]:
        print(f"  error: {note}")

    lost = sorted(ledger.acked_ids - stored.keys())
    never_acked = ledger.sent_ids - ledger.acked_ids
    doubled = sorted(i for i, n in stored.items() if n > 1)
    unexpected = sorted(stored.keys() - ledger.sent_ids)
    print(
        f"responses: {len(ledger.sent_ids)} distinct external ids sent"
        f" ({ledger.items_acked} items acknowledged, {len(never_acked)} ids never acknowledged);"
        f" rows stored {sum(stored.values())} ({sum(stored.values()) / elapsed:.0f}/s);"
        f" lost {len(lost)}, doubled {len(doubled)}, unexpected {len(unexpected)}"
    )
    stored_never_acked = len(never_acked & stored.keys())
    if never_acked:
        print(f"  of the ids never acknowledged, {stored_never_acked} are stored")
    counts_add_up = (
        ledger.created + ledger.duplicates + ledger.updated == ledger.items_acked
        and ledger.created == len(stored) - stored_never_acked
        and ledger.updated == 0
    )
    print(
        f"API counts: created {ledger.created}, duplicates {ledger.duplicates},"
        f" updated {ledger.updated}: {'add up' if counts_add_up else 'DO NOT ADD UP'}"
        f" (created + duplicates = items acknowledged; created = rows stored)"
    )
    for note in ledger.resend_created[:10]:
        print(f"  re-send of acknowledged items created rows: {note}")
    for name, ids in (("lost", lost), ("doubled", doubled), ("unexpected", unexpected)):
        if ids:
            print(f"  {name}: {', '.join(ids[:20])}{' …' if len(ids) > 20 else ''}")

    upserts_add_up = not upserts.miscounted and upserts.items == upserts.expected
    print(
        "upserts: "
        + ", ".join(f"{name} {n}" for name, n in sorted(upserts.expected.items()))
        + (" — every answer counted as expected" if upserts_add_up else " — MISCOUNTED")
    )
    for note in upserts.miscounted[:10]:
        print(f"  {note}")

    differences, per_metric, day_shortfall = _rollup_differences(before, after)
    print(
        f"stale marks drained: {'yes' if drained else 'NO'} ({drain_s:.1f} s after the load);"
        f" rollups: {len(before)} rows, {len(differences)} differ from a full recompute"
    )
    if differences:
        print(
            f"  day rollups count {day_shortfall} responses fewer than the recompute; rows"
            f" differing per metric: {', '.join(f'{k} {n}' for k, n in sorted(per_metric.items()))}"
        )
    for line in differences[:10]:
        print(f"  {line}")

    broken = (
        errors
        or lost
        or doubled
        or unexpected
        or differences
        or not drained
        or not counts_add_up
        or not upserts_add_up
        or ledger.resend_created
    )
    print(
        "RESULT: "
        + (
            "PROMISE BROKEN (see above)"
            if broken
            else "no errors, nothing lost or doubled, rollups exact"
        )
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
