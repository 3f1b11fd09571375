"""Writing a validated batch: the rows, the stale marks, in a few statements per batch.

Idempotency is the database's: responses and revenue events are inserted with
`ON CONFLICT (organisation_id, external_id) … DO NOTHING` (what was not inserted was already
stored: a duplicate), cases and members upsert on their unique keys. No check-then-insert, so
twenty clients sending the same batch at once still store one row per external id.

Cases and members are counted (created / updated / duplicate) and marked stale against the
rows stored before them, so one organisation's case batches (and its member batches) take
turns: a transaction-scoped advisory lock is held from that read to the commit. Without it
ten identical batches at once all read "not stored yet" and each answered `created`.

On PostgreSQL the rows are `COPY`ed into a temporary table and moved with one
`INSERT … SELECT … ON CONFLICT`: building a 10,000-row `VALUES` statement with psycopg2's
`mogrify` cost a third of the insert time. SQLite (development, tests) takes multi-row
`INSERT … VALUES`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Model

from audiences.models import ApiKey, Organisation
from measurements.ingest.fields import CASES, MEMBERS, RESPONSES, REVENUE
from measurements.ingest.validate import Lookups
from measurements.kinds import CASE_KINDS, MEMBER_KINDS
from measurements.models import (
    AudienceMember,
    MetricDefinition,
    Response,
    RevenueEvent,
    StaleMark,
    SupportCase,
)
from measurements.rollups.ttr import ttr_counts_case

# Responses and revenue events: a repeated external id is a duplicate, never stored again.
NEW_EXTERNAL_IDS_ONLY = (
    "ON CONFLICT (organisation_id, external_id) WHERE external_id IS NOT NULL DO NOTHING"
)
# Who wrote a row last: every row carries the key and the batch that stored it.
PROVENANCE = ["api_key_id", "batch_id"]
TEMP_TABLE = "ingest_rows"
# Advisory locks (two-int form: namespace, organisation id) that serialise the case and the
# member upserts of one organisation; the rollups' per-definition locks use the bigint form.
UPSERT_LOCKS = {CASES: 5006, MEMBERS: 5007}


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    batch_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "duplicates": self.duplicates}


# --- statements -----------------------------------------------------------------------------


def _db_value(value: Any) -> Any:
    """Adapt a Python value for a raw statement on the current backend."""
    if connection.vendor == "postgresql":
        return str(value) if isinstance(value, uuid.UUID) else value
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Written:
    """How many rows one insert wrote and the range their ids lie in (None when it wrote
    none): with the batch id, the range picks exactly those rows out by the primary key."""

    count: int
    ids: tuple[int, int] | None


def _insert_values(
    model: type[Model], columns: list[str], rows: list[tuple[Any, ...]], conflict: str
) -> Written:
    """SQLite: multi-row INSERT … VALUES with an ON CONFLICT clause."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(columns)
    # Stay under SQLite's limit of 32,766 bound variables per statement.
    page = max(1, 30_000 // len(columns))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), page):
            chunk = rows[start : start + page]
            sql = (
                f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} "
                f"{conflict} RETURNING id"
            )
            cursor.execute(sql, [_db_value(v) for row in chunk for v in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return Written(len(ids), (min(ids), max(ids)) if ids else None)


# COPY's text format: a tab between columns, \N for NULL, backslash escapes inside values.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # int, Decimal, date, UUID: their str() is what PostgreSQL reads


def _insert_copied(
    model: type[Model], columns: list[str], rows: list[tuple[Any, ...]], conflict: str
) -> Written:
    """PostgreSQL: COPY the rows into a temporary table shaped like the target's columns,
    then one INSERT … SELECT with the ON CONFLICT clause, which answers with one row: how
    many it wrote and their lowest and highest id (not 10,000 ids through the wire).

    The temporary table is dropped right after use (and ON COMMIT DROP covers an error in
    between), so several batches in one transaction — tests, the CSV import — do not clash.
    """
    if not connection.in_atomic_block:
        # Outside a transaction ON COMMIT DROP would drop the table before the COPY.
        raise RuntimeError("insert_rows must run inside transaction.atomic() on PostgreSQL.")
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(columns)
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMP_TABLE} ON COMMIT DROP AS "
            f"SELECT {cols} FROM {table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(f"COPY {TEMP_TABLE} ({cols}) FROM STDIN", buffer)
        cursor.execute(
            f"WITH written AS (INSERT INTO {table} ({cols}) SELECT {cols} FROM {TEMP_TABLE} "
            f"{conflict} RETURNING id) SELECT count(*), min(id), max(id) FROM written"
        )
        count, low, high = cursor.fetchone()
        cursor.execute(f"DROP TABLE {TEMP_TABLE}")
    return Written(count, (low, high) if count else None)


def insert_rows(
    model: type[Model], columns: list[str], rows: list[tuple[Any, ...]], conflict: str
) -> Written:
    """Insert many rows with an ON CONFLICT clause: how many it inserted or updated (with
    DO NOTHING, the rows it skipped are len(rows) minus that) and the range of their ids."""
    if not rows:
        return Written(0, None)
    if connection.vendor == "postgresql":
        return _insert_copied(model, columns, rows, conflict)
    return _insert_values(model, columns, rows, conflict)


def _update_set(columns: Iterable[str]) -> str:
    return ", ".join(f"{c} = excluded.{c}" for c in columns)


def stale_marks_write(organisation: Organisation, marks: set[tuple[int, date]]) -> None:
    """Record the (definition, local day) rollups these rows change; a few rows per batch,
    so one plain INSERT. Always new rows, even when a mark for the day is pending:
    see StaleMark for the rows a shared mark would lose."""
    StaleMark.objects.bulk_create(
        StaleMark(organisation=organisation, definition_id=definition_id, day=day)
        for definition_id, day in sorted(marks)
    )


# --- one batch ------------------------------------------------------------------------------


@dataclass
class Batch:
    """What every row of one pushed batch shares, and the stale marks its rows collect."""

    organisation: Organisation
    tz: ZoneInfo
    lookups: Lookups
    api_key: ApiKey | None
    batch_id: uuid.UUID
    now: datetime
    marks: set[tuple[int, date]] = field(default_factory=set)
    # Responses: the range the ids of the rows this batch stored lie in (a duplicate the
    # database skipped is not stored, so not in the batch); its follow-ups start from them.
    stored_ids: tuple[int, int] | None = None

    @property
    def provenance(self) -> tuple[int | None, str]:
        """(api_key_id, batch_id) as the database takes them: psycopg2 and COPY read the
        text form of a UUID; Django keeps UUIDs as 32 hex digits on SQLite."""
        key_id = self.api_key.pk if self.api_key else None
        batch = str(self.batch_id) if connection.vendor == "postgresql" else self.batch_id.hex
        return key_id, batch

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def mark(self, definitions: Iterable[MetricDefinition], *moments: datetime | None) -> None:
        for definition in definitions:
            for moment in moments:
                if moment is not None:
                    self.marks.add((definition.pk, self.day(moment)))


def _first_of_each_external_id(
    items: list[dict[str, Any]], result: IngestResult
) -> Iterator[dict[str, Any]]:
    """The items in order, skipping (and counting as duplicates) an external id repeated
    inside the request; items without an external id are all kept."""
    seen: set[str] = set()
    for item in items:
        external_id = item["external_id"]
        if external_id is not None:
            if external_id in seen:
                result.duplicates += 1
                continue
            seen.add(external_id)
        yield item


def stored_external_ids(kind: str, organisation: Organisation, ids: set[str]) -> set[str]:
    """Which of these external ids the organisation already has for this kind of result:
    the items a push would count as duplicates (a case: an update or a duplicate)."""
    model = {RESPONSES: Response, REVENUE: RevenueEvent, CASES: SupportCase}[kind]
    stored = model.objects.for_org(organisation).filter(external_id__in=ids)
    return set(stored.values_list("external_id", flat=True))


def _insert_new(
    model: type[Model], columns: list[str], rows: list[tuple[Any, ...]], result: IngestResult
) -> Written:
    written = insert_rows(model, columns, rows, NEW_EXTERNAL_IDS_ONLY)
    result.created += written.count
    result.duplicates += len(rows) - written.count
    return written


RESPONSE_COLUMNS = [
    "organisation_id",
    "audience_id",
    "definition_id",
    "external_id",
    "score",
    "responded_at",
    "local_date",
    "touchpoint_id",
    "respondent",
    "comment",
    *PROVENANCE,
    "created_at",
]


def _write_responses(batch: Batch, items: list[dict[str, Any]], result: IngestResult) -> None:
    rows = []
    org_id, provenance = batch.organisation.pk, batch.provenance
    for item in _first_of_each_external_id(items, result):
        local_date = batch.day(item["responded_at"])
        definition_id = item["definition"].pk
        rows.append(
            (
                org_id,
                item["audience_obj"].pk,
                definition_id,
                item["external_id"],
                item["score"],
                item["responded_at"],
                local_date,
                item["touchpoint_id"],
                item["respondent"] or "",
                item["comment"] or "",
                *provenance,
                batch.now,
            )
        )
        batch.marks.add((definition_id, local_date))
    batch.stored_ids = _insert_new(Response, RESPONSE_COLUMNS, rows, result).ids


REVENUE_COLUMNS = [
    "organisation_id",
    "audience_id",
    "external_id",
    "member",
    "amount",
    "currency",
    "occurred_at",
    *PROVENANCE,
    "created_at",
]


def _write_revenue(batch: Batch, items: list[dict[str, Any]], result: IngestResult) -> None:
    rows = []
    org_id, provenance = batch.organisation.pk, batch.provenance
    members = _by_audience(batch.lookups, MEMBER_KINDS)
    for item in _first_of_each_external_id(items, result):
        audience = item["audience_obj"]
        rows.append(
            (
                org_id,
                audience.pk,
                item["external_id"],
                item["member"],
                item["amount"],
                item["currency"],
                item["occurred_at"],
                *provenance,
                batch.now,
            )
        )
        # Every member kind, not only CLV: their periods run from the first join, leave or
        # revenue event (`member_rollups_compute`), so revenue can start a retention series.
        batch.mark(members.get(audience.pk, []), item["occurred_at"])
    _insert_new(RevenueEvent, REVENUE_COLUMNS, rows, result)


def _upsert_counts(
    keys_values: list[tuple[Any, tuple[Any, ...]]],
    existing: dict[Any, tuple[Any, ...]],
    result: IngestResult,
) -> dict[Any, tuple[Any, ...]]:
    """Count each item against the state before it (the stored row, or an earlier item):
    new key → created, same values → duplicate, different values → updated. Returns the
    final state of every key that changed, which is what gets written."""
    state = dict(existing)
    changed: dict[Any, tuple[Any, ...]] = {}
    for key, values in keys_values:
        if key not in state:
            result.created += 1
        elif state[key] == values:
            result.duplicates += 1
            continue
        else:
            result.updated += 1
        state[key] = values
        changed[key] = values
    return changed


def _take_turns(batch: Batch, kind: str) -> None:
    """Wait for the organisation's other batches of this kind to commit (PostgreSQL), so the
    rows read next are the ones this batch's upsert will meet. Read committed: each statement
    sees what committed before it started. SQLite serialises writers itself."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [UPSERT_LOCKS[kind], batch.organisation.pk]
        )


def _ttr_definitions(
    by_audience: dict[int, list[MetricDefinition]], audience_id: int, touchpoint_id: int | None
) -> list:
    """The TTR definitions that count a case with these fields: the rollups' own rule."""
    return [
        d
        for d in by_audience.get(audience_id, [])
        if ttr_counts_case(d, audience_id=audience_id, touchpoint_id=touchpoint_id)
    ]


def _by_audience(lk: Lookups, kinds: Iterable[str]) -> dict[int, list[MetricDefinition]]:
    """The definitions of these kinds per audience of the batch, active or not.

    Inactive ones too: the metrics API still serves their stored values, and a reactivated
    definition must not show what the rows said before its pause (issue 11: every stored
    value follows the raw data, so the stale path covers them rather than the nightly run).
    """
    wanted = set(kinds)
    by_audience: dict[int, list[MetricDefinition]] = {}
    for (audience_id, _slug), definition in lk.definitions.items():
        if definition.kind in wanted:
            by_audience.setdefault(audience_id, []).append(definition)
    return by_audience


def _ttr_by_audience(
    batch: Batch, existing_rows: Iterable[SupportCase]
) -> dict[int, list[MetricDefinition]]:
    """The TTR definitions of the batch's audiences and of the audiences its stored cases
    are in now: a case re-sent with another audience leaves the old one's TTR, whose days
    must go stale too (the lookups hold only the audiences the batch names)."""
    by_audience = _by_audience(batch.lookups, CASE_KINDS)
    named = {a.pk for a in batch.lookups.audiences.values()}
    others = {c.audience_id for c in existing_rows} - named
    if others:
        for d in MetricDefinition.objects.for_org(batch.organisation).filter(
            audience_id__in=others, kind__in=CASE_KINDS
        ):
            by_audience.setdefault(d.audience_id, []).append(d)
    return by_audience


CASE_FIELDS = ["audience_id", "opened_at", "resolved_at", "touchpoint_id", "channel"]
CASE_COLUMNS = [
    "organisation_id",
    "external_id",
    *CASE_FIELDS,
    *PROVENANCE,
    "created_at",
    "updated_at",
]
CASE_UPSERT = "ON CONFLICT (organisation_id, external_id) DO UPDATE SET " + _update_set(
    [*CASE_FIELDS, *PROVENANCE, "updated_at"]
)


def _write_cases(batch: Batch, items: list[dict[str, Any]], result: IngestResult) -> None:
    _take_turns(batch, CASES)
    ids = {i["external_id"] for i in items}
    existing_rows = list(
        SupportCase.objects.for_org(batch.organisation).filter(external_id__in=ids)
    )
    existing = {c.external_id: tuple(getattr(c, f) for f in CASE_FIELDS) for c in existing_rows}
    ttr = _ttr_by_audience(batch, existing_rows)
    for c in existing_rows:
        # An update can move a case out of the days, touchpoint or audience it used to count
        # in: the old ones go stale too.
        batch.mark(
            _ttr_definitions(ttr, c.audience_id, c.touchpoint_id), c.opened_at, c.resolved_at
        )
    changed = _upsert_counts(
        [
            (
                i["external_id"],
                (
                    i["audience_obj"].pk,
                    i["opened_at"],
                    i["resolved_at"],
                    i["touchpoint_id"],
                    i["channel"] or "",
                ),
            )
            for i in items
        ],
        existing,
        result,
    )
    org_id, provenance = batch.organisation.pk, batch.provenance
    rows = []
    for external_id, values in changed.items():
        rows.append((org_id, external_id, *values, *provenance, batch.now, batch.now))
        audience_id, opened, resolved, touchpoint_id, _channel = values
        batch.mark(_ttr_definitions(ttr, audience_id, touchpoint_id), opened, resolved)
    insert_rows(SupportCase, CASE_COLUMNS, rows, CASE_UPSERT)


MEMBER_FIELDS = ["joined_at", "left_at"]
MEMBER_COLUMNS = [
    "organisation_id",
    "audience_id",
    "member",
    *MEMBER_FIELDS,
    *PROVENANCE,
    "updated_at",
]
MEMBER_UPSERT = "ON CONFLICT (audience_id, member) DO UPDATE SET " + _update_set(
    [*MEMBER_FIELDS, *PROVENANCE, "updated_at"]
)


def _write_members(batch: Batch, items: list[dict[str, Any]], result: IngestResult) -> None:
    _take_turns(batch, MEMBERS)
    audience_ids = {i["audience_obj"].pk for i in items}
    names = {i["member"] for i in items}
    existing = {
        (m.audience_id, m.member): (m.joined_at, m.left_at)
        for m in AudienceMember.objects.for_org(batch.organisation).filter(
            audience_id__in=audience_ids, member__in=names
        )
    }
    by_audience = _by_audience(batch.lookups, MEMBER_KINDS)
    changed = _upsert_counts(
        [((i["audience_obj"].pk, i["member"]), (i["joined_at"], i["left_at"])) for i in items],
        existing,
        result,
    )
    org_id, provenance = batch.organisation.pk, batch.provenance
    rows = []
    for (audience_id, member), (joined, left) in changed.items():
        rows.append((org_id, audience_id, member, joined, left, *provenance, batch.now))
        old = existing.get((audience_id, member), (None, None))
        # A changed join or leave moves the member out of the days it used to count in too.
        batch.mark(by_audience.get(audience_id, []), joined, left, *old)
    insert_rows(AudienceMember, MEMBER_COLUMNS, rows, MEMBER_UPSERT)


WRITERS: dict[str, Callable[[Batch, list[dict[str, Any]], IngestResult], None]] = {
    RESPONSES: _write_responses,
    CASES: _write_cases,
    REVENUE: _write_revenue,
    MEMBERS: _write_members,
}
