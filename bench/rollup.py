"""Rollup, dashboard and liability benchmark (PostgreSQL; a benchmark, not a test).

    .venv/bin/python bench/rollup.py [--responses 1000000] [--audiences 50] [--dormant 10]
        [--organisations 1000] [--db postgres://postgres@127.0.0.1:5432/axreg_bench]

Builds N responses over A audiences in a separate database (recreated): a year of data ending
now for the active audiences, and a year ending 120 days ago for the last `--dormant` ones (no
data in 90 days: the liability check must look and find nothing). Then times, each figure as
a ratio against a floor measured in the same run:
(a) the full rollup against one hand-written SQL GROUP BY computing the same monthly NPS
    values (target ≤ 2×);
(b) the stale-only rollup after 10,000 new responses over the last 31 days, against a GROUP
    BY of those 10,000 rows alone (what the new data costs to read; target < 1 s);
(c) the audience dashboard (the current month has data: breakdowns and comments run), the
    organisation overview and the registry list, median and p95 over 50 requests, against
    `GET /healthz` through the same client (target p95 < 150 ms, constant query count);
(d) a stale batch with one mark in each of `--organisations` organisations, against the same
    number of marks and definitions in one organisation: the difference is the overhead per
    organisation (target: well under 1 ms).
The database is kept afterwards, so `bench/ingest.py` can run against the stored data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from common import recreate_database  # bench/common.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DORMANT_DAYS = 120  # past the liability check's 90 days
CHUNK = 1_000_000  # rows per INSERT … SELECT, so a 10M build reports progress


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--audiences", type=int, default=50)
    parser.add_argument("--dormant", type=int, default=10)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/axreg_bench")
    args = parser.parse_args()
    if not 0 <= args.dormant < args.audiences:
        parser.error("--dormant must leave at least one active audience")

    recreate_database(args.db)
    os.environ["DATABASE_URL"] = args.db
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "axreg.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # the stale step is timed in process
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{_load()} at the start")
    org, user, definitions = _setup(args.audiences)
    _insert_history(org, definitions, args.responses, args.dormant)
    _full_rollup(org)
    _stale(org, definitions[: len(definitions) - args.dormant])
    _pages(user, definitions[0].audience.slug)
    if args.organisations:
        _many_organisations(args.organisations)
    print(f"{_load()} at the end")


def _setup(audience_count: int):
    from django.contrib.auth import get_user_model

    from audiences.models import Audience, Membership, Organisation, Person, Role
    from measurements.models import MetricDefinition

    org = Organisation.objects.create(name="Bench", slug="bench", timezone="Europe/Istanbul")
    user = get_user_model().objects.create_user("lead@bench.example", "lead@bench.example", "x")
    Membership.objects.create(user=user, organisation=org, role=Role.LEAD)
    owner = Person.objects.create(organisation=org, name="Owner", email="owner@bench.example")
    definitions = []
    for i in range(audience_count):
        audience = Audience.objects.create(
            organisation=org,
            name=f"Audience {i}",
            slug=f"a{i}",
            kind="customer",
            owner=owner,
            rank=i + 1 if i < 10 else None,
        )
        definitions.append(
            MetricDefinition.objects.create(
                organisation=org,
                audience=audience,
                kind="nps",
                name="NPS",
                slug="nps",
                scale_min=0,
                scale_max=10,
                target=20,
            )
        )
    return org, user, definitions


# One statement per chunk: `g` numbers the rows (audience = g mod A), each row a random time
# in [end - span, end) with `end` per audience (now, or DORMANT_DAYS ago for a dormant one).
INSERT = """
    INSERT INTO measurements_response
        (organisation_id, audience_id, definition_id, external_id, score, responded_at,
         local_date, respondent, comment, created_at)
    SELECT %(org)s, a.audience_id, a.definition_id, NULL,
           LEAST(10, floor(random() * 11 + (a.n %% 3))::int), t,
           (t AT TIME ZONE 'Europe/Istanbul')::date, '',
           CASE WHEN g %% 50 = 0 THEN 'A comment' ELSE '' END, now()
    FROM generate_series(%(first)s, %(last)s) AS g
    JOIN (SELECT unnest(%(defs)s::bigint[]) AS definition_id,
                 unnest(%(auds)s::bigint[]) AS audience_id,
                 unnest(%(ends)s::timestamptz[]) AS ends,
                 generate_subscripts(%(defs)s::bigint[], 1) AS n) AS a
      ON a.n = (g %% %(count)s) + 1
    CROSS JOIN LATERAL (SELECT a.ends - random() * %(span)s::interval + g * interval '0 s' AS t)
        AS tt
"""


def _insert_params(org, definitions, ends, *, first: int, last: int, span: str) -> dict:
    return {
        "org": org.pk,
        "first": first,
        "last": last,
        "defs": [d.pk for d in definitions],
        "auds": [d.audience_id for d in definitions],
        "ends": ends,
        "count": len(definitions),
        "span": span,
    }


def _insert_history(org, definitions, total: int, dormant: int) -> None:
    """The responses, inserted as a restored dump would be: the table's secondary indexes
    dropped and rebuilt afterwards (much faster than maintaining them row by row), foreign
    keys not re-checked (the rows are generated against existing ids), then VACUUM ANALYZE
    (autovacuum would do the same to an insert-only table)."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    dormant_end = now - timezone.timedelta(days=DORMANT_DAYS)
    ends = [now] * (len(definitions) - dormant) + [dormant_end] * dormant
    print(
        f"Inserting {total:,} responses over {len(definitions)} audiences and a year "
        f"({dormant} of them with no data since {dormant_end:%Y-%m-%d})…"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'measurements_response'"
            " AND indexname <> 'measurements_response_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")  # no FK triggers per row
        for first in range(1, total + 1, CHUNK):
            last = min(total, first + CHUNK - 1)
            params = _insert_params(org, definitions, ends, first=first, last=last, span="365 days")
            cursor.execute(INSERT, params)
            print(f"  {last:,} rows ({time.perf_counter() - started:.0f} s)")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE measurements_response")
    print(f"  inserted, indexed and vacuumed in {time.perf_counter() - started:.1f} s")


FLOOR_SQL = """
    SELECT definition_id, date_trunc('month', local_date)::date,
           (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
               * 100.0 / count(*), count(*)
    FROM measurements_response WHERE organisation_id = %s GROUP BY 1, 2
"""


def _full_rollup(org) -> None:
    from django.db import connection

    from measurements.models import Rollup
    from measurements.rollups import rollup_full

    def floor_query():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [org.pk])
            return cursor.fetchall()

    floor_query()  # warm the cache the same way for both
    floors = [_timed(floor_query) for _ in range(3)]
    # The first run writes every histogram and rollup row; re-runs over unchanged data (the
    # nightly case) compare and write nothing. Both are reported against the same floor.
    first_s = _timed(lambda: rollup_full(organisation=org))
    reruns = [_timed(lambda: rollup_full(organisation=org)) for _ in range(3)]
    floors += [_timed(floor_query) for _ in range(3)]
    floor_s, full_s = statistics.median(floors), statistics.median(reruns)
    floor_rows = {(r[0], r[1]): r[2] for r in floor_query()}
    rollups = Rollup.objects.for_org(org)
    ours = {(r.definition_id, r.period_start): r.value for r in rollups.filter(granularity="month")}
    assert all(abs(ours[k] - float(v)) < 1e-9 for k, v in floor_rows.items()), "values differ"
    print(
        f"(a) floor (monthly NPS GROUP BY, median of 6): {floor_s:.3f} s; full rollup "
        f"(4 granularities, {rollups.count():,} rows): first run {first_s:.3f} s "
        f"({first_s / floor_s:.2f}x), re-run median of 3 {full_s:.3f} s "
        f"({full_s / floor_s:.2f}x) (target <= 2x); {_load()}"
    )


def _stale(org, active) -> None:
    """10,000 new responses over the last 31 days of the active audiences, marked stale as
    ingestion marks them (one mark per definition and local day)."""
    from django.db import connection
    from django.utils import timezone

    from measurements.rollups import stale_rollups_recompute

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM measurements_response")
        before = cursor.fetchone()[0]
        ends = [timezone.now()] * len(active)
        params = _insert_params(org, active, ends, first=1, last=10_000, span="31 days")
        cursor.execute(INSERT, params)
        cursor.execute(
            "INSERT INTO measurements_stalemark (organisation_id, definition_id, day, created_at)"
            " SELECT DISTINCT organisation_id, definition_id, local_date, now()"
            " FROM measurements_response WHERE organisation_id = %s AND id > %s",
            [org.pk, before],
        )
        marks = cursor.rowcount

    def floor_query():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT definition_id, local_date, score, count(*) FROM measurements_response"
                " WHERE organisation_id = %s AND id > %s GROUP BY 1, 2, 3",
                [org.pk, before],
            )
            return cursor.fetchall()

    floor_s = statistics.median(_timed(floor_query) for _ in range(5))
    stale_s = _timed(stale_rollups_recompute)
    print(
        f"(b) stale-only rollup after 10,000 new responses ({marks:,} stale days): "
        f"{stale_s:.3f} s (target < 1 s); floor (GROUP BY of the 10,000 new rows) "
        f"{floor_s * 1000:.1f} ms: {stale_s / floor_s:.0f}x; {_load()}"
    )


def _pages(user, slug: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)

    def timings(url: str) -> tuple[list[float], set[int]]:
        client.get(url)
        times, counts = [], set()
        for _ in range(50):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            counts.add(len(ctx.captured_queries))
        times.sort()
        return times, counts

    floor, _ = timings("/healthz")
    floor_median = statistics.median(floor)
    print(f"(c) floor: GET /healthz median {floor_median:.1f} ms")
    for name, url in (
        ("audience dashboard, current month with data", f"/app/audiences/{slug}/dashboard/"),
        ("organisation overview, dormant audiences", "/app/overview/"),
        ("registry list, dormant audiences", "/app/audiences/"),
    ):
        times, counts = timings(url)
        median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        print(
            f"(c) {name}: median {median:.1f} ms, p95 {p95:.1f} ms (target < 150 ms), "
            f"p95 {p95 / floor_median:.1f}x the floor's median, queries {sorted(counts)}; "
            f"{_load()}"
        )


def _many_organisations(count: int) -> None:
    """One stale mark in each of `count` organisations (one audience, one NPS definition, 20
    responses each), against `count` marks over `count` definitions of one organisation."""
    from django.db import connection
    from django.utils import timezone

    from audiences.models import Audience, Organisation
    from measurements.models import MetricDefinition, StaleMark
    from measurements.rollups import stale_rollups_recompute

    def build(prefix: str, organisations: list) -> list:
        audiences = Audience.all_orgs.bulk_create(
            Audience(organisation=o, name=f"{prefix} {i}", slug=f"{prefix}{i}", kind="customer")
            for i, o in enumerate(organisations)
        )
        return MetricDefinition.all_orgs.bulk_create(
            MetricDefinition(
                organisation_id=a.organisation_id,
                audience=a,
                kind="nps",
                name="NPS",
                slug="nps",
                scale_min=0,
                scale_max=10,
            )
            for a in audiences
        )

    many = Organisation.objects.bulk_create(
        Organisation(name=f"Many {i}", slug=f"many-{i}", timezone="Europe/Istanbul")
        for i in range(count)
    )
    one = Organisation.objects.create(name="One", slug="one", timezone="Europe/Istanbul")
    groups = {
        "one organisation": build("one", [one] * count),
        f"{count:,} organisations": build("many", many),
    }
    day = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO measurements_response (organisation_id, audience_id, definition_id,"
            " score, responded_at, local_date, respondent, comment, created_at)"
            " SELECT d.organisation_id, d.audience_id, d.id, g %% 11, now(), %s, '', '',"
            " now() FROM measurements_metricdefinition d, generate_series(1, 20) AS g"
            " WHERE d.id = ANY(%s)",
            [day, [d.pk for definitions in groups.values() for d in definitions]],
        )
    # Alternating rounds, medians: one round is within the noise of a shared machine.
    runs: dict[str, list[float]] = {label: [] for label in groups}
    for _ in range(5):
        for label, definitions in groups.items():
            StaleMark.all_orgs.bulk_create(
                StaleMark(organisation_id=d.organisation_id, definition_id=d.pk, day=day)
                for d in definitions
            )
            runs[label].append(_timed(stale_rollups_recompute))
    for label, times in runs.items():
        print(
            f"(d) stale batch, {count:,} marks in {label}: median of 5 "
            f"{statistics.median(times):.3f} s; {_load()}"
        )
    single, spread = (statistics.median(times) for times in runs.values())
    print(
        f"(d) overhead per organisation: {(spread - single) / (count - 1) * 1000:.2f} ms "
        f"(target well under 1 ms); {spread / single:.2f}x the single organisation"
    )


if __name__ == "__main__":
    main()
