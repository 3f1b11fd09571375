"""`rollup.updated`: the webhook event of a recompute that changed stored numbers.

One event per definition per run, listing the periods whose stored row really changed: a new
row, a changed value or n, or a row removed (its data is gone). The details alone (an NPS's
counts behind the same value and n) are not a change a receiver acts on. Derived from the
stored rows read just before the write, so a second identical recompute sends nothing; only
for organisations with an active endpoint subscribed to it (else nothing is read); never when
seeding (`notify=False`). Sent in the recompute's transaction, like the alert events, so it is
queued only once the new numbers are committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from measurements.charts import unit_of
from measurements.display import value_text
from measurements.formulas import definition_label
from measurements.models import MetricDefinition, Rollup
from measurements.periods import GRANULARITIES
from measurements.rollups.writing import RollupScope, RollupValue
from webhooks.models import EventType, WebhookEndpoint
from webhooks.services import webhook_emit

# The periods one event lists at most (a full recompute after a correction can change
# hundreds of days); the rest are counted in `period_count` and `truncated` says so.
ROLLUP_EVENT_MAX_PERIODS = 50
# Coarse periods first, so the cap drops old days rather than the months a report reads.
_ORDER = {granularity: i for i, granularity in enumerate(reversed(GRANULARITIES))}


@dataclass(frozen=True)
class PeriodChange:
    """One stored period a recompute changed: `change` is created, updated or removed."""

    granularity: str
    period_start: date
    change: str
    value: float | None
    n: int | None
    previous_value: float | None
    previous_n: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "granularity": self.granularity,
            "period_start": self.period_start.isoformat(),
            "change": self.change,
            "value": self.value,
            "n": self.n,
            "previous_value": self.previous_value,
            "previous_n": self.previous_n,
        }


def rollup_subscribers(definitions: Iterable[MetricDefinition]) -> set[int]:
    """The ids of the definitions whose organisation has an active endpoint for the event."""
    by_org: dict[int, set[int]] = defaultdict(set)
    for definition in definitions:
        by_org[definition.organisation_id].add(definition.pk)
    if not by_org:
        return set()
    # All organisations: those of the definitions a recompute covered (a batch spans them).
    endpoints = WebhookEndpoint.all_orgs.filter(organisation_id__in=list(by_org), active=True)
    subscribed = {
        org_id
        for org_id, events in endpoints.values_list("organisation_id", "events")
        if EventType.ROLLUP_UPDATED in (events or [])
    }
    return {pk for org_id in subscribed for pk in by_org[org_id]}


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and float(a) == b)


def rollup_changes(
    values: list[RollupValue], scopes: list[RollupScope], *, definition_ids: set[int]
) -> dict[int, list[PeriodChange]]:
    """The periods of `definition_ids` that writing `values` (and deleting the rows of `scopes`
    they lack) will change, per definition. Call before the write, in its transaction."""
    scopes = [s for s in scopes if s.definition_id in definition_ids]
    if not scopes:
        return {}
    scope_q = Q()
    for scope in scopes:
        scope_q |= scope.as_q()
    # All organisations: the stored rows of the definitions just recomputed (a batch spans them).
    stored = {
        (definition_id, granularity, start): (value, n)
        for definition_id, granularity, start, value, n in Rollup.all_orgs.filter(scope_q)
        .order_by()
        .values_list("definition_id", "granularity", "period_start", "value", "n")
    }
    changes: dict[int, list[PeriodChange]] = defaultdict(list)
    for v in values:
        if v.definition.pk not in definition_ids:
            continue
        key = (v.definition.pk, v.granularity, v.period_start)
        before = stored.pop(key, None)
        value = None if v.result.value is None else float(v.result.value)
        if before is None:
            change = "created"
        elif not _same(value, before[0]) or v.result.n != before[1]:
            change = "updated"
        else:
            continue
        previous = before or (None, None)
        changes[v.definition.pk].append(
            PeriodChange(v.granularity, v.period_start, change, value, v.result.n, *previous)
        )
    # What is left in scope was not produced again: `rollups_delete_missing` removes it.
    for (definition_id, granularity, start), (value, n) in stored.items():
        changes[definition_id].append(
            PeriodChange(granularity, start, "removed", None, None, value, n)
        )
    return dict(changes)


def _summary(definition: MetricDefinition, periods: list[PeriodChange]) -> str:
    """ "Parents and guardians: NPS changed in 4 periods (month of Nov 2026: 42.0, n 31)"."""
    label = definition_label(definition)
    count = len(periods)
    line = f"{definition.audience.name}: {label} changed in {count} period{'s' * (count != 1)}"
    months = [p for p in periods if p.granularity == "month" and p.change != "removed"]
    if months:
        latest = max(months, key=lambda p: p.period_start)
        value = value_text(latest.value, unit_of(definition))
        line += f" (month of {latest.period_start:%b %Y}: {value}, n {latest.n})"
    return line


def rollup_event_payload(
    *, definition: MetricDefinition, periods: list[PeriodChange], at: datetime
) -> dict[str, object]:
    """The webhook payload of one definition's changed periods (JSON: ISO 8601 dates)."""
    ordered = sorted(periods, key=lambda p: (_ORDER[p.granularity], -p.period_start.toordinal()))
    return {
        "rollup": {
            "audience": definition.audience.slug,
            "metric": definition.slug,
            "kind": definition.kind,
            "label": definition_label(definition),
            "computed_at": at.isoformat(),
            "period_count": len(ordered),
            "truncated": len(ordered) > ROLLUP_EVENT_MAX_PERIODS,
            "periods": [p.as_json() for p in ordered[:ROLLUP_EVENT_MAX_PERIODS]],
        },
        "summary": _summary(definition, ordered),
    }


def rollup_events_emit(
    changes: dict[int, list[PeriodChange]],
    definitions: Iterable[MetricDefinition],
    *,
    at: datetime,
) -> int:
    """Send one `rollup.updated` per definition with changed periods; returns how many."""
    by_id = {d.pk: d for d in definitions}
    sent = 0
    for definition_id in sorted(changes):
        definition = by_id.get(definition_id)
        if definition is None or not changes[definition_id]:
            continue
        webhook_emit(
            organisation=definition.organisation_id,
            event_type=EventType.ROLLUP_UPDATED,
            payload=rollup_event_payload(
                definition=definition, periods=changes[definition_id], at=at
            ),
        )
        sent += 1
    return sent
