"""Reads of rolled-up values for the metrics API and the dashboards.

Dashboards read Rollup rows only (plus, for the breakdowns and comments of the one period on
screen, a single bounded query over that period's responses through the (definition,
local_date) index). Every selector runs a fixed number of queries, however many audiences,
definitions or responses there are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.utils import timezone

from audiences.models import Audience, Organisation
from audiences.selectors import ranked_first
from measurements import intervals, metrics, privacy
from measurements.kinds import KINDS, SCORED_KINDS, kind_of
from measurements.models import Alert, MetricDefinition, MetricKind, Response, Rollup
from measurements.periods import (
    latest_complete_start,
    next_start,
    period_start,
    periods_between,
    previous_start,
)
from measurements.scales import scale_of

MAX_FILLED_PERIODS = 2000


def zone_of(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone or "UTC")


def _org_id(objects: list[Any]) -> int:
    """The one organisation that owns all `objects`, to read their rows for it alone."""
    org_ids = {obj.organisation_id for obj in objects}
    if len(org_ids) != 1:
        raise ValueError(f"Expected objects of one organisation, got {len(org_ids)}.")
    return org_ids.pop()


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


# --- dashboards -------------------------------------------------------------------------


@dataclass
class Card:
    """One definition's headline on the audience dashboard."""

    definition: MetricDefinition
    period_start: date
    value: float | None
    n: int
    details: dict[str, Any]
    previous: float | None
    target: float | None
    series: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    previous_n: int = 0
    previous_details: dict[str, Any] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def higher_is_better(self) -> bool:
        return kind_of(self.definition.kind).higher_is_better

    @property
    def target_met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return kind_of(self.definition.kind).meets(self.value, self.target)

    @property
    def indicative(self) -> bool:
        return self.value is not None and metrics.is_indicative(self.n)

    def _scale(self) -> tuple[float, float] | None:
        d = self.definition
        return scale_of(kind=d.kind, scale_min=d.scale_min, scale_max=d.scale_max)

    @property
    def interval(self) -> intervals.Interval | None:
        """95% interval of the value, from the stored details (None when it has none)."""
        return intervals.interval_of(
            kind=self.definition.kind,
            value=self.value,
            n=self.n,
            details=self.details,
            scale=self._scale(),
        )

    @property
    def agree_interval(self) -> intervals.Interval | None:
        """CES only: the Wilson interval of the agree share (its mean has none yet)."""
        if self.definition.kind != MetricKind.CES or self.value is None:
            return None
        return intervals.ces_agree_interval(self.n, self.details)

    @property
    def change_verdict(self) -> str | None:
        """ "significant" / "within noise" for the change from the previous period."""
        if self.change is None:
            return None
        return intervals.change_verdict(
            kind=self.definition.kind,
            before=(self.previous, self.previous_n, self.previous_details),
            after=(self.value, self.n, self.details),
        )


def _series_window(granularity: str, end: date, count: int) -> list[date]:
    starts = [end]
    while len(starts) < count:
        starts.append(previous_start(granularity, starts[-1]))
    return list(reversed(starts))


def dashboard_cards(
    *, audience: Audience, granularity: str, now: datetime | None = None, periods: int = 12
) -> list[Card]:
    """Per active definition: latest complete period's value, change, target, trend. 2 queries."""
    now = now or timezone.now()
    zone = zone_of(audience.organisation)
    latest = latest_complete_start(granularity, zone, now)
    window = _series_window(granularity, latest, periods)
    definitions = list(
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience, active=True)
        .select_related("audience", "touchpoint")
        .order_by("kind", "slug")
    )
    rollups = (
        Rollup.objects.for_org(audience.organisation_id)
        .filter(
            definition__in=definitions,
            granularity=granularity,
            period_start__gte=window[0],
            period_start__lte=latest,
        )
        .only("definition_id", "period_start", "value", "n", "details")
    )
    by_def: dict[int, dict[date, Rollup]] = defaultdict(dict)
    for row in rollups:
        by_def[row.definition_id][row.period_start] = row
    alerts = defaultdict(list)
    for alert in (
        Alert.objects.for_org(audience.organisation_id)
        .filter(definition__in=definitions, resolved_at=None)
        .order_by("-period_start")
    ):
        alerts[alert.definition_id].append(alert)
    cards = []
    for definition in definitions:
        own = by_def.get(definition.pk, {})
        row = own.get(latest)
        before = own.get(window[-2]) if len(window) > 1 else None
        cards.append(
            Card(
                definition=definition,
                period_start=latest,
                value=row.value if row else None,
                n=row.n if row else 0,
                details=row.details if row else {},
                previous=before.value if before else None,
                previous_n=before.n if before else 0,
                previous_details=before.details if before else {},
                target=definition.target,
                series=[
                    {
                        "period": start.isoformat(),
                        "value": own[start].value if start in own else None,
                        "n": own[start].n if start in own else 0,
                    }
                    for start in window
                ],
                alerts=alerts.get(definition.pk, []),
            )
        )
    return cards


@dataclass
class BreakdownCell:
    label: str
    value: float | None
    n: int
    hidden: bool


def _value_of(definition: MetricDefinition, hist: dict[int, int]) -> float | None:
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    return metrics.scored_from_histogram(kind=definition.kind, hist=hist, scale=scale).value


def dashboard_breakdowns(
    *, definitions: list[MetricDefinition], start: date, granularity: str
) -> dict[int, dict[str, list[BreakdownCell]]]:
    """By touchpoint and by journey phase for scored definitions, over one period. 1 query.

    Cells with fewer responses than the definition's minimum group size are hidden.
    """
    scored = [d for d in definitions if d.kind in SCORED_KINDS]
    if not scored:
        return {}
    end = next_start(granularity, start)
    rows = (
        Response.objects.for_org(_org_id(scored))
        .filter(definition__in=scored, local_date__gte=start, local_date__lt=end)
        .values("definition_id", "touchpoint__name", "touchpoint__stage__phase", "score")
        .annotate(c=Count("*"))
        .order_by()
    )
    touch: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    phase: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        d, score, c = row["definition_id"], row["score"], row["c"]
        name = row["touchpoint__name"] or "No touchpoint"
        touch[d][name][score] = touch[d][name].get(score, 0) + c
        if row["touchpoint__stage__phase"]:
            key = row["touchpoint__stage__phase"]
            phase[d][key][score] = phase[d][key].get(score, 0) + c
    out: dict[int, dict[str, list[BreakdownCell]]] = {}
    for definition in scored:

        def cells(groups: dict[str, dict[int, int]], definition=definition):
            result = []
            for label, hist in sorted(groups.items()):
                n = sum(hist.values())
                hidden = not privacy.cell_shown(definition, n)
                value = None if hidden else _value_of(definition, hist)
                result.append(BreakdownCell(label, value, 0 if hidden else n, hidden))
            return result

        phases = cells(phase.get(definition.pk, {}))
        out[definition.pk] = {
            "touchpoint": cells(touch.get(definition.pk, {})),
            "phase": phases,
            "gap": _phase_gap(phases),
        }
    return out


def _phase_gap(cells: list[BreakdownCell]) -> list[BreakdownCell]:
    """After minus before: the brief says they are different experiences, so show the gap."""
    by_label = {c.label: c for c in cells}
    before, after = by_label.get("before"), by_label.get("after")
    if not before or not after or before.value is None or after.value is None:
        return []
    return [BreakdownCell("after − before", after.value - before.value, 0, False)]


def latest_comments(
    *, definitions: list[MetricDefinition], start: date, end: date, limit: int = 10
) -> dict[int, dict[str, Any]]:
    """Latest comments per scored definition in [start, end), as `privacy` allows. 2 queries.

    The newest comments across the definitions (bounded by `limit` × definitions), and the
    size of each protected definition's month groups the period touches.
    """
    scored = [d for d in definitions if d.kind in SCORED_KINDS]
    if not scored:
        return {}
    org_id = _org_id(scored)
    rows = list(
        Response.objects.for_org(org_id)
        .filter(definition__in=scored, local_date__gte=start, local_date__lt=end)
        .exclude(comment="")
        .order_by("-responded_at")
        .values("definition_id", "comment", "score", "responded_at", "local_date")[
            : limit * len(scored) * 5
        ]
    )
    sizes = privacy.groups(organisation_id=org_id, keys=privacy.month_keys(scored, start, end))
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["definition_id"]].append(row)
    out = {}
    for definition in scored:
        own = grouped.get(definition.pk, [])
        shown = privacy.visible_comments(definition, own, sizes)
        out[definition.pk] = {
            "comments": shown[:limit],
            "hidden": bool(own) and not shown,
            "minimum": privacy.min_group_size(definition),
        }
    return out


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
    window = _series_window("month", latest, 12)
    values = _monthly_values(organisation, list(headline.values()), window)
    open_alerts = dict(
        Alert.objects.for_org(organisation)
        .filter(audience__in=audiences, resolved_at=None)
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
                "open_alerts": open_alerts.get(audience.pk, 0),
            }
        )
    return rows


# Headline order: the kinds table's (NPS, CSAT, CES, TTR, retention, churn, CLV).
KIND_ORDER = [str(kind) for kind in KINDS]


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


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation coefficient; None under three pairs or with no variation."""
    if len(xs) < 3:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def compare_series(
    *, first: MetricDefinition, second: MetricDefinition, granularity: str
) -> dict[str, Any]:
    """Two definitions (any audiences) on one time axis and their correlation over the periods
    where both have a value. One query."""
    rows = (
        Rollup.objects.for_org(_org_id([first, second]))
        .filter(definition__in=[first, second], granularity=granularity)
        .order_by("period_start")
    )
    values: dict[int, dict[date, float | None]] = defaultdict(dict)
    for row in rows.only("definition_id", "period_start", "value"):
        values[row.definition_id][row.period_start] = row.value
    axis = sorted(set(values[first.pk]) | set(values[second.pk]))
    shared = [
        s
        for s in axis
        if values[first.pk].get(s) is not None and values[second.pk].get(s) is not None
    ]
    return {
        "axis": [s.isoformat() for s in axis],
        "first": [values[first.pk].get(s) for s in axis],
        "second": [values[second.pk].get(s) for s in axis],
        "shared": len(shared),
        "correlation": pearson(
            [values[first.pk][s] for s in shared], [values[second.pk][s] for s in shared]
        ),
    }


def impact_table(
    *, audience: Audience, granularity: str, now: datetime | None = None, periods: int = 12
) -> dict[str, Any]:
    """Experience scores next to retention, churn and CLV for the same periods. 2 queries."""
    now = now or timezone.now()
    latest = latest_complete_start(granularity, zone_of(audience.organisation), now)
    window = _series_window(granularity, latest, periods)
    definitions = list(
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience, active=True)
        .order_by("kind", "slug")
    )
    definitions.sort(key=lambda d: (KIND_ORDER.index(d.kind), d.slug))
    rows = (
        Rollup.objects.for_org(audience.organisation_id)
        .filter(definition__in=definitions, granularity=granularity, period_start__in=window)
        .only("definition_id", "period_start", "value", "n")
    )
    values: dict[tuple[int, date], Rollup] = {(r.definition_id, r.period_start): r for r in rows}
    return {
        "definitions": definitions,
        "rows": [
            {
                "period_start": start,
                "cells": [values.get((d.pk, start)) for d in definitions],
            }
            for start in reversed(window)
        ],
    }


def export_rows(
    *,
    organisation: Organisation,
    definitions: QuerySet | list[MetricDefinition],
    granularity: str | None = None,
) -> QuerySet:
    """Rolled-up values for CSV export, oldest first."""
    rows = (
        Rollup.objects.for_org(organisation)
        .filter(definition__in=definitions)
        .select_related("definition", "audience")
    )
    if granularity:
        rows = rows.filter(granularity=granularity)
    return rows.order_by("audience__slug", "definition__slug", "granularity", "period_start")
