"""The full rollup of scored definitions on PostgreSQL: one pass over the raw responses.

The portable path (`histograms_rebuild` + `scored_rollups_compute`) deletes and rewrites
every histogram row, then reads them back once per granularity. Here the responses are
aggregated once into one row per (definition, local day) with a count column per score (the
same parallel scan as a plain GROUP BY; ~10× fewer groups than one per score). From that
temporary table:
- the stored histograms are compared with the fresh ones and only the rows that differ are
  deleted, updated or inserted (a nightly re-run over unchanged data writes nothing);
- every day, week, month and quarter histogram comes out of one grouped query, and the
  values are computed by the same functions in `measurements.metrics` as on every other path.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection

from measurements import metrics
from measurements.kinds import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN
from measurements.models import DailyScoreCount, MetricDefinition, MetricKind
from measurements.rollups.common import scored_result
from measurements.rollups.writing import RollupValue
from measurements.scales import scale_of

# A count column per score: past this many distinct scores the portable path is used instead.
MAX_SCORE_COLUMNS = 32
# The fresh histograms of a year of responses hash in ~10 MB; the default 4 MB spills to disk.
WORK_MEM = "64MB"
FRESH_TABLE = "rollup_fresh_days"


def _score_range(definitions: list[MetricDefinition]) -> tuple[int, int]:
    scales = [
        scale_of(kind=d.kind, scale_min=d.scale_min, scale_max=d.scale_max) for d in definitions
    ]
    return min(s[0] for s in scales), max(s[1] for s in scales)


def _fresh_days_create(cursor, ids: list[int], organisation_ids: list[int], scores: range) -> int:
    """Aggregate the responses into one row per (definition, day); returns how many responses
    fall outside `scores` (then the count columns cannot hold them). The organisations are
    named too: on a table distributed by organisation that keeps one organisation's rollup
    on its shard."""
    columns = ", ".join(
        f"count(*) FILTER (WHERE score = {score}) AS c{i}" for i, score in enumerate(scores)
    )
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{FRESH_TABLE}")
    # ON COMMIT DROP: the table lives only as long as the rollup's transaction.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {FRESH_TABLE} ON COMMIT DROP AS "
        f"SELECT definition_id, local_date AS day, {columns}, "
        f"count(*) FILTER (WHERE score < {scores[0]} OR score > {scores[-1]}) AS other "
        "FROM measurements_response WHERE organisation_id = ANY(%s) AND definition_id = ANY(%s) "
        "GROUP BY 1, 2",
        [organisation_ids, ids],
    )
    cursor.execute(f"SELECT coalesce(sum(other), 0) FROM {FRESH_TABLE}")
    return int(cursor.fetchone()[0])


def _histograms_sync(cursor, ids: list[int], scores: range) -> None:
    """Make the stored histograms equal the fresh ones, touching only the rows that differ.

    One statement: a full join of fresh and stored rows finds the differences, then
    data-modifying CTEs delete the rows whose score no longer occurs, update changed counts and
    insert new ones. The caller holds the definitions' advisory locks, so no other run writes
    these rows meanwhile.
    """
    table = connection.ops.quote_name(DailyScoreCount._meta.db_table)
    pairs = ", ".join(f"({s}, c{i})" for i, s in enumerate(scores))
    cursor.execute(
        f"""
        WITH fresh AS (
            SELECT f.definition_id, f.day, s.score, s.c
            FROM {FRESH_TABLE} f CROSS JOIN LATERAL (VALUES {pairs}) AS s(score, c)
            WHERE s.c > 0
        ), stored AS (
            SELECT id, definition_id, day, score, count FROM {table}
            WHERE definition_id = ANY(%(ids)s)
        ), diff AS MATERIALIZED (
            SELECT s.id, f.definition_id, f.day, f.score, f.c
            FROM fresh f FULL JOIN stored s
              ON s.definition_id = f.definition_id AND s.day = f.day AND s.score = f.score
            WHERE f.c IS DISTINCT FROM s.count
        ), gone AS (
            DELETE FROM {table} WHERE id IN (SELECT id FROM diff WHERE c IS NULL)
        ), changed AS (
            UPDATE {table} AS h SET count = diff.c FROM diff
            WHERE h.id = diff.id AND diff.c IS NOT NULL
        )
        INSERT INTO {table} (organisation_id, definition_id, day, score, count)
        SELECT d.organisation_id, diff.definition_id, diff.day, diff.score, diff.c
        FROM diff JOIN measurements_metricdefinition d ON d.id = diff.definition_id
        WHERE diff.id IS NULL
        """,
        {"ids": ids},
    )


def _period_histograms(cursor, scores: range) -> list[tuple]:
    """(definition, granularity, period start, count per score) for every period with data.

    Weeks start on Monday (ISO); the casts to `timestamp` keep the session time zone out of
    date_trunc: the days are already local.
    """
    sums = ", ".join(f"sum(c{i})::int" for i in range(len(scores)))
    plain = ", ".join(f"c{i}::int" for i in range(len(scores)))
    cursor.execute(
        f"""
        SELECT definition_id, 'day', day, {plain} FROM {FRESH_TABLE}
        UNION ALL
        SELECT definition_id, g.granularity, g.start, {sums}
        FROM {FRESH_TABLE} CROSS JOIN LATERAL (VALUES
            ('week', day - (extract(isodow FROM day)::int - 1)),
            ('month', date_trunc('month', day::timestamp)::date),
            ('quarter', date_trunc('quarter', day::timestamp)::date)
        ) AS g(granularity, start)
        GROUP BY 1, 2, 3
        """
    )
    return cursor.fetchall()


def scored_full_compute_postgres(definitions: list[MetricDefinition]) -> list[RollupValue] | None:
    """Rebuild the histograms of the scored definitions from raw responses and compute every
    period of every granularity; None when scores fall outside the count columns (then the
    caller takes the portable path). Call inside the transaction holding the locks."""
    if not definitions:
        return []
    lo, hi = _score_range(definitions)
    if hi - lo + 1 > MAX_SCORE_COLUMNS:
        return None
    scores = range(lo, hi + 1)
    ids = sorted(d.pk for d in definitions)
    by_id = {d.pk: d for d in definitions}
    scales = {
        d.pk: scale_of(kind=d.kind, scale_min=d.scale_min, scale_max=d.scale_max)
        for d in definitions
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        organisation_ids = sorted({d.organisation_id for d in definitions})
        if _fresh_days_create(cursor, ids, organisation_ids, scores):
            return None
        _histograms_sync(cursor, ids, scores)
        rows = _period_histograms(cursor, scores)
        cursor.execute(f"DROP TABLE {FRESH_TABLE}")
    # Column i counts score lo + i. NPS splits the columns exactly as nps_from_histogram
    # splits a histogram (NPS scores lie in 0–10, inside lo…hi).
    promoters_from = NPS_PROMOTER_MIN - lo
    passives_from = NPS_DETRACTOR_MAX + 1 - lo
    values = []
    for definition_id, granularity, start, *counts in rows:
        definition = by_id[definition_id]
        if definition.kind == MetricKind.NPS:
            result = metrics.nps_from_counts(
                sum(counts[promoters_from:]),
                sum(counts[passives_from:promoters_from]),
                sum(counts[:passives_from]),
            )
        else:
            hist = {lo + i: c for i, c in enumerate(counts) if c}
            result = scored_result(kind=definition.kind, hist=hist, scale=scales[definition_id])
        values.append(RollupValue(definition, granularity, _as_date(start), result))
    return values


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
