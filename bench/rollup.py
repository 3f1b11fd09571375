"""Rollup and dashboard benchmark (PostgreSQL; a benchmark, not a test).

    .venv/bin/python bench/rollup.py [--responses 1000000] [--audiences 50]
        [--db postgres://postgres@127.0.0.1:5432/axreg_bench]

Builds N responses over A audiences and a year in a separate database (recreated), then times
(a) the full rollup against the floor: one hand-written SQL GROUP BY computing the same monthly
NPS values; (b) the stale-only rollup after 10,000 new responses; (c) the audience dashboard
and the organisation overview: median and p95 over 50 requests, and their query counts.
Targets: (a) within 2x the floor; (b) under 1 s; (c) p95 under 150 ms, constant query count.
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


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--audiences", type=int, default=50)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/axreg_bench")
    args = parser.parse_args()

    recreate_database(args.db)
    os.environ["DATABASE_URL"] = args.db
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "axreg.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # the stale step is timed in process
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args.responses, args.audiences)


def run(total: int, audience_count: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audiences.models import Audience, Membership, Organisation, Person, Role
    from measurements.models import MetricDefinition, Rollup
    from measurements.rollups import rollup_full, stale_rollups_recompute

    org = Organisation.objects.create(name="Bench", slug="bench", timezone="Europe/Istanbul")
    from django.contrib.auth import get_user_model

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
    ids = [d.pk for d in definitions]
    aud = {d.pk: d.audience_id for d in definitions}

    print(f"Inserting {total:,} responses over {audience_count} audiences and a year…")
    insert = """
        INSERT INTO measurements_response
            (organisation_id, audience_id, definition_id, external_id, score, responded_at,
             local_date, respondent, comment, created_at)
        SELECT %(org)s, a.audience_id, a.definition_id, NULL,
               LEAST(10, floor(random() * 11 + (a.n %% 3))::int), t,
               (t AT TIME ZONE 'Europe/Istanbul')::date, '',
               CASE WHEN g %% 50 = 0 THEN 'A comment' ELSE '' END, now()
        FROM generate_series(1, %(total)s) AS g
        JOIN (SELECT unnest(%(defs)s::bigint[]) AS definition_id,
                     unnest(%(auds)s::bigint[]) AS audience_id,
                     generate_subscripts(%(defs)s::bigint[], 1) AS n) AS a
          ON a.n = (g %% %(count)s) + 1
        CROSS JOIN LATERAL (SELECT %(start)s::timestamptz
                            + (random() * interval '364 days') + g * interval '0 s' AS t) AS tt
    """
    params = {
        "org": org.pk,
        "total": total,
        "defs": ids,
        "auds": [aud[i] for i in ids],
        "count": audience_count,
        "start": "2025-01-01T00:00:00+03:00",
    }
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(insert, params)
        cursor.execute("ANALYZE measurements_response")
    print(f"  inserted in {time.perf_counter() - started:.1f} s")

    floor_sql = """
        SELECT definition_id, date_trunc('month', local_date)::date,
               (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
                   * 100.0 / count(*), count(*)
        FROM measurements_response WHERE organisation_id = %s GROUP BY 1, 2
    """

    def floor_query():
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, [org.pk])
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
        f"({full_s / floor_s:.2f}x) (target <= 2x)"
    )

    params.update(total=10_000, start="2025-06-01T00:00:00+03:00")
    with connection.cursor() as cursor:
        cursor.execute(insert.replace("364 days", "30 days"), params)
        cursor.execute(
            "INSERT INTO measurements_stalemark (organisation_id, definition_id, day, created_at)"
            " SELECT DISTINCT organisation_id, definition_id, local_date, now()"
            " FROM measurements_response WHERE local_date >= '2025-06-01'"
            " AND local_date < '2025-07-02' ON CONFLICT DO NOTHING"
        )
        cursor.execute("SELECT count(*) FROM measurements_stalemark")
        marks = cursor.fetchone()[0]
    stale_s = _timed(stale_rollups_recompute)
    print(
        f"(b) stale-only rollup after 10,000 new responses ({marks:,} stale days): "
        f"{stale_s:.3f} s (target < 1 s)"
    )

    client = Client()
    client.force_login(user)
    for name, url in (
        ("audience dashboard", "/app/audiences/a0/dashboard/"),
        ("organisation overview", "/app/overview/"),
    ):
        client.get(url)
        times, counts = [], set()
        for _ in range(50):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            counts.add(len(ctx.captured_queries))
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"(c) {name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
            f"(target < 150 ms), queries {sorted(counts)}"
        )


if __name__ == "__main__":
    main()
