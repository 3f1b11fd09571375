"""Writing rollups: one upsert per batch of values, and the rows whose data is gone deleted.

Only rows: the flow (`recompute`) evaluates alerts after writing and queues the e-mails.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from measurements import metrics
from measurements.models import MetricDefinition, Rollup
from measurements.rollups.common import ids_sharing, is_postgres


@dataclass(frozen=True)
class RollupValue:
    """A computed value ready to be written (and then checked against the alert threshold)."""

    definition: MetricDefinition
    granularity: str
    period_start: date
    result: metrics.MetricResult


@dataclass(frozen=True)
class RollupScope:
    """The periods one recompute of a definition covered (issue 11).

    A stored row inside the scope that the recompute did not produce has lost its last data
    (a member's join corrected to a later month, a case moved to another touchpoint): it is
    deleted, as a rebuild from nothing would not have it. `granularity` None: every
    granularity; `from_start`: periods starting on or after it; `starts`: only those periods.
    """

    definition_id: int
    granularity: str | None = None
    from_start: date | None = None
    starts: frozenset[date] | None = None

    def as_q(self, *, definition_ids: list[int] | None = None) -> Q:
        """These periods of the definition (or, with `definition_ids`, of those)."""
        ids = [self.definition_id] if definition_ids is None else definition_ids
        q = Q(definition_id__in=ids)
        if self.granularity is not None:
            q &= Q(granularity=self.granularity)
        if self.from_start is not None:
            q &= Q(period_start__gte=self.from_start)
        if self.starts is not None:
            q &= Q(period_start__in=sorted(self.starts))
        return q


def scopes_q(scopes: list[RollupScope]) -> Q:
    """The rollup rows inside any of the scopes, with one branch per kind of scope rather
    than per definition: a stale batch's thousand definitions mostly share their
    granularities and periods, and a branch each cost ~2 ms to build and plan."""
    shared = ids_sharing({i: (s.granularity, s.from_start, s.starts) for i, s in enumerate(scopes)})
    q = Q()
    for indexes in shared.values():
        ids = sorted({scopes[i].definition_id for i in indexes})
        q |= scopes[indexes[0]].as_q(definition_ids=ids)
    return q


def rollups_delete_missing(values: list[RollupValue], scopes: list[RollupScope]) -> int:
    """Delete the stored rows inside `scopes` that `values` does not hold; returns how many.

    Call in the transaction holding the definitions' locks, with the values just computed.
    """
    if not scopes:
        return 0
    kept = {(v.definition.pk, v.granularity, v.period_start) for v in values}
    # All organisations: the rows of the definitions just recomputed (a batch spans them).
    stored = Rollup.all_orgs.filter(scopes_q(scopes)).order_by()
    gone = [
        pk
        for pk, definition_id, granularity, start in stored.values_list(
            "pk", "definition_id", "granularity", "period_start"
        )
        if (definition_id, granularity, start) not in kept
    ]
    for first in range(0, len(gone), 1000):
        # Nothing refers to a rollup, so Django deletes these in one DELETE, collecting nothing.
        Rollup.all_orgs.filter(pk__in=gone[first : first + 1000]).delete()
    return len(gone)


def _json_safe(details: dict) -> dict:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in details.items()}


def _changed_only(values: list[RollupValue]) -> list[RollupValue]:
    """The values whose stored row is missing or differs, read back in one query.

    Cheaper than sending every row to the upsert when most are unchanged (a nightly full
    rollup): the stored details come back through the same JSON round trip as they went in,
    so equal numbers compare equal.
    """
    ids = sorted({v.definition.pk for v in values})
    if is_postgres():
        # A plain cursor: the ORM's per-row converters cost more than the query.
        table = connection.ops.quote_name(Rollup._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT definition_id, granularity, period_start, value, n, details::text "
                f"FROM {table} WHERE definition_id = ANY(%s)",
                [ids],
            )
            rows = [(*row[:5], json.loads(row[5])) for row in cursor.fetchall()]
    else:
        # All organisations: the stored rows of the given definitions, like the query above.
        rows = (
            Rollup.all_orgs.filter(definition_id__in=ids)
            .order_by()
            .values_list("definition_id", "granularity", "period_start", "value", "n", "details")
        )
    stored = {
        (definition_id, granularity, start): (value, n, details)
        for definition_id, granularity, start, value, n, details in rows
    }
    return [
        v
        for v in values
        if stored.get((v.definition.pk, v.granularity, v.period_start))
        != (v.result.value, v.result.n, _json_safe(v.result.details))
    ]


def rollups_write(
    values: list[RollupValue], *, now: datetime | None = None, skip_unchanged: bool = False
) -> int:
    """Upsert rollups: written again, a (definition, granularity, period) replaces the old row.

    An unchanged row keeps its computed_at (when its value last changed). Returns the number
    of values given; `skip_unchanged` reads the stored rows first and sends only the changed.
    """
    if not values:
        return 0
    now = now or timezone.now()
    changed = _changed_only(values) if skip_unchanged else values
    if changed and is_postgres():
        _rollups_upsert_postgres(changed, now)
    elif changed:
        Rollup.objects.bulk_create(
            [
                Rollup(
                    organisation_id=v.definition.organisation_id,
                    audience_id=v.definition.audience_id,
                    definition_id=v.definition.pk,
                    granularity=v.granularity,
                    period_start=v.period_start,
                    value=v.result.value,
                    n=v.result.n,
                    details=_json_safe(v.result.details),
                    computed_at=now,
                )
                for v in changed
            ],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["definition", "granularity", "period_start"],
            update_fields=["value", "n", "details", "computed_at", "organisation", "audience"],
        )
    return len(values)


def _copy_field(value: object) -> str:
    """One field of COPY's text format: NULL as \\N, backslashes doubled (JSON escapes)."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\")


def _rollups_upsert_postgres(values: list[RollupValue], now: datetime) -> None:
    """COPY the values into a temporary table, then one INSERT … ON CONFLICT from it.

    A full rollup writes tens of thousands of rows: COPY parses them far faster than a
    multi-row VALUES list, and no model instance is built per row. An unchanged row is left
    alone (computed_at is when the value last changed).
    """
    lines = "".join(
        "\t".join(
            _copy_field(field)
            for field in (
                v.definition.organisation_id,
                v.definition.audience_id,
                v.definition.pk,
                v.granularity,
                v.period_start.isoformat(),
                None if v.result.value is None else repr(float(v.result.value)),
                v.result.n,
                json.dumps(_json_safe(v.result.details)),
            )
        )
        + "\n"
        for v in values
    )
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = "organisation_id, audience_id, definition_id, granularity, period_start, value, n"
    with connection.cursor() as cursor:
        # Rollups are derived data: a crash may lose the last commit's rows and the stale marks
        # deleted with them (same transaction), so recomputing restores them. No need to wait
        # for the WAL flush.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.rollup_incoming")
        cursor.execute(
            "CREATE TEMPORARY TABLE rollup_incoming (organisation_id bigint, audience_id bigint, "
            "definition_id bigint, granularity text, period_start date, value double precision, "
            "n integer, details jsonb) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(
            f"COPY rollup_incoming ({columns}, details) FROM STDIN", io.StringIO(lines)
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}, details, computed_at) "
            f"SELECT {columns}, details, %s FROM rollup_incoming "
            "ON CONFLICT (definition_id, granularity, period_start) DO UPDATE SET "
            "value = EXCLUDED.value, n = EXCLUDED.n, details = EXCLUDED.details, "
            "computed_at = EXCLUDED.computed_at, organisation_id = EXCLUDED.organisation_id, "
            "audience_id = EXCLUDED.audience_id "
            f"WHERE ({table}.value, {table}.n, {table}.details) IS DISTINCT FROM "
            "(EXCLUDED.value, EXCLUDED.n, EXCLUDED.details)",
            [now],
        )
        cursor.execute("DROP TABLE rollup_incoming")
