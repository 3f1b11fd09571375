"""Reads of rolled-up values: the metrics API's series and the organisation-wide pages.

The overview, the health grid, the comparison and the CSV export read Rollup rows only. One
audience's dashboard (cards, breakdowns, comments, impact) is in
`measurements.dashboard_selectors`, which builds on the helpers here. Every selector runs a
fixed number of queries, however many audiences, definitions or responses there are.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from audiences.models import Audience, Organisation
from audiences.selectors import ranked_first
from measurements.alert_selectors import open_alerts
from measurements.kinds import KINDS, kind_of
from measurements.models import MetricDefinition, MetricKind, Rollup
from measurements.periods import (
    latest_complete_start,
    period_start,
    periods_between,
    previous_start,
)

MAX_FILLED_PERIODS = 2000
# Headline order: the kinds table's (NPS, CSAT, CES, TTR, retention, churn, CLV).
KIND_ORDER = [str(kind) for kind in KINDS]


def zone_of(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone or "UTC")


def organisation_id_of(objects: list[Any]) -> int:
    """The one organisation that owns all `objects`, to read their rows for it alone."""
    org_ids = {obj.organisation_id for obj in objects}
    if len(org_ids) != 1:
        raise ValueError(f"Expected objects of one organisation, got {len(org_ids)}.")
    return org_ids.pop()


def series_window(granularity: str, end: date, count: int) -> list[date]:
    """The `count` period starts ending at `end`, oldest first."""
    starts = [end]
    while len(starts) < count:
        starts.append(previous_start(granularity, starts[-1]))
    return list(reversed(starts))


# --- metrics API ------------------------------------------------------------------------


def audience_metric_series(
    *,
    audience: Audience,
    granularity: str,
    metric: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Rolled-up values of an audience per definition and period, oldest first.

    Periods without a row (no data) come back with value null and n 0 between the first
    requested (or stored) period and the last one, never beyond the current period.
    """
    now = now or timezone.now()
    zone = zone_of(audience.organisation)
    definitions = (
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .order_by("slug")
    )
    if metric is not None:
        definitions = definitions.filter(slug=metric)
    definitions = list(definitions)
    rows = (
        Rollup.objects.for_org(audience.organisation_id)
        .filter(definition__in=definitions, granularity=granularity)
        .order_by("period_start")
    )
    if date_from is not None:
        rows = rows.filter(period_start__gte=period_start(granularity, date_from))
    if date_to is not None:
        rows = rows.filter(period_start__lte=date_to)
    stored: dict[int, dict[date, Rollup]] = defaultdict(dict)
    for row in rows.only("definition_id", "period_start", "value", "n", "details"):
        stored[row.definition_id][row.period_start] = row
    current = period_start(granularity, now.astimezone(zone).date())
    results = []
    for definition in definitions:
        own = stored.get(definition.pk, {})
        first = date_from or (min(own) if own else None)
        last = min(date_to, current) if date_to else (max(own) if own else None)
        if first is None or last is None:
            continue
        starts = list(_bounded_periods(granularity, first, last))
        if len(starts) > MAX_FILLED_PERIODS and own:
            starts = [s for s in starts if s >= min(own)][:MAX_FILLED_PERIODS]
        for start in sorted(set(starts[:MAX_FILLED_PERIODS]) | set(own)):
            row = own.get(start)
            results.append(
                {
                    "metric": definition.slug,
                    "kind": definition.kind,
                    "granularity": granularity,
                    "period_start": start,
                    "value": row.value if row else None,
                    "n": row.n if row else 0,
                    "details": row.details if row else {},
                }
            )
    return results


def _bounded_periods(granularity: str, first: date, last: date):
    for count, start in enumerate(periods_between(granularity, first, last)):
        if count > MAX_FILLED_PERIODS * 2:
            return
        yield start


# --- organisation-wide pages ------------------------------------------------------------


def organisation_overview(*, organisation: Organisation, now: datetime | None = None) -> list[dict]:
    """The top ten in rank order: owner, liability, headline metric and sparkline, open alerts.

    Headline metric: the audience's first active definition in the order NPS, CSAT, CES, TTR,
    retention, churn, CLV, then by slug; monthly values. A fixed number of queries.
    """
    from measurements.liability import liabilities_for

    now = now or timezone.now()
    zone = zone_of(organisation)
    audiences = list(
        Audience.objects.for_org(organisation)
        .filter(rank__isnull=False, archived=False)
        .select_related("owner")
        .order_by("rank")[:10]
    )
    liabilities = liabilities_for(audiences)
    headline = headline_definitions(organisation=organisation, audiences=audiences)
    latest = latest_complete_start("month", zone, now)
    window = series_window("month", latest, 12)
    values = _monthly_values(organisation, list(headline.values()), window)
    # Open crossings whose latest month is inside the sparkline's window (an older one is not
    # current: its data stopped), as the audience's dashboard shows them.
    open_counts = dict(
        open_alerts(organisation)
        .filter(audience__in=audiences, last_period_start__gte=window[0])
        .values("audience_id")
        .annotate(c=Count("*"))
        .values_list("audience_id", "c")
    )
    rows = []
    for audience in audiences:
        definition = headline.get(audience.pk)
        own = values.get(definition.pk, {}) if definition else {}
        latest_row = own.get(latest)
        rows.append(
            {
                "audience": audience,
                "liability": liabilities.get(audience.pk),
                "definition": definition,
                "value": latest_row.value if latest_row else None,
                "n": latest_row.n if latest_row else 0,
                "period_start": latest,
                "sparkline": [own[s].value if s in own else None for s in window],
                "open_alerts": open_counts.get(audience.pk, 0),
            }
        )
    return rows


def headline_definitions(
    *, organisation: Organisation, audiences: list[Audience]
) -> dict[int, MetricDefinition]:
    """Each audience's first active definition by kind order (NPS first), then slug. 1 query."""
    definitions = (
        MetricDefinition.objects.for_org(organisation)
        .filter(audience__in=audiences, active=True)
        .select_related("audience")
    )
    chosen: dict[int, MetricDefinition] = {}
    for definition in sorted(definitions, key=lambda d: (KIND_ORDER.index(d.kind), d.slug)):
        chosen.setdefault(definition.audience_id, definition)
    return chosen


def _monthly_values(
    organisation: Organisation, definitions: list[MetricDefinition], window: list[date]
):
    rows = (
        Rollup.objects.for_org(organisation)
        .filter(definition__in=definitions, granularity="month", period_start__in=window)
        .only("definition_id", "period_start", "value", "n")
    )
    out: dict[int, dict[date, Rollup]] = defaultdict(dict)
    for row in rows:
        out[row.definition_id][row.period_start] = row
    return out


def health_grid(*, organisation: Organisation, now: datetime | None = None) -> dict[str, Any]:
    """Ranked audiences down, metric kinds across: latest complete month's value per cell.

    When an audience has several active definitions of one kind, the cell shows the first by
    slug. Three queries whatever the size of the organisation.
    """
    now = now or timezone.now()
    latest = latest_complete_start("month", zone_of(organisation), now)
    audiences = list(
        Audience.objects.for_org(organisation).filter(archived=False).order_by(*ranked_first())
    )
    definitions = list(
        MetricDefinition.objects.for_org(organisation)
        .filter(active=True, audience__in=audiences)
        .select_related("audience")
        .order_by("slug")
    )
    values = {
        r.definition_id: r
        for r in Rollup.objects.for_org(organisation)
        .filter(definition__in=definitions, granularity="month", period_start=latest)
        .only("definition_id", "value", "n")
    }
    cells: dict[tuple[int, str], MetricDefinition] = {}
    for definition in definitions:
        cells.setdefault((definition.audience_id, definition.kind), definition)
    grid = []
    for audience in audiences:
        row = []
        for kind in MetricKind:
            definition = cells.get((audience.pk, kind.value))
            rollup = values.get(definition.pk) if definition else None
            row.append(_health_cell(definition, rollup))
        grid.append({"audience": audience, "cells": row})
    return {"kinds": list(MetricKind), "rows": grid, "period_start": latest}


def _health_cell(definition: MetricDefinition | None, rollup: Rollup | None) -> dict[str, Any]:
    if definition is None:
        return {"measured": False}
    value = rollup.value if rollup else None
    status = "none"
    if value is not None and definition.target is not None:
        status = "ok" if kind_of(definition.kind).meets(value, definition.target) else "bad"
    return {
        "measured": True,
        "definition": definition,
        "value": value,
        "n": rollup.n if rollup else 0,
        "status": status,
    }
