"""Reads for one audience's dashboard: headline cards, breakdowns, comments and impact.

The cards and the impact table read Rollup rows only; the breakdowns and comments of the one
period on screen add a single bounded query over that period's responses through the
(definition, local_date) index, shown as `measurements.privacy` allows. Every selector runs a
fixed number of queries, however many definitions or responses there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import Audience
from journeys.models import Phase
from measurements import intervals, metrics, privacy, touchpoint_scores
from measurements.alert_selectors import open_alerts
from measurements.kinds import SCORED_KINDS, kind_of
from measurements.models import Alert, MetricDefinition, MetricKind, Response, Rollup
from measurements.periods import latest_complete_start
from measurements.scales import scale_of
from measurements.selectors import KIND_ORDER, organisation_id_of, series_window, zone_of

PHASE_ORDER = tuple(Phase.values)  # before, during, after


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

    @property
    def change_tested(self) -> bool:
        """Whether the kind has a significance test at all (TTR and CLV have none)."""
        return kind_of(self.definition.kind).change_tested


def dashboard_cards(
    *, audience: Audience, granularity: str, now: datetime | None = None, periods: int = 12
) -> list[Card]:
    """Per active definition: latest complete period's value, change, target, trend. 2 queries."""
    now = now or timezone.now()
    zone = zone_of(audience.organisation)
    latest = latest_complete_start(granularity, zone, now)
    window = series_window(granularity, latest, periods)
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
    # Open crossings still on the wrong side within the window shown: one whose last month is
    # older (the data stopped years ago) is not news about this card.
    for alert in (
        open_alerts(audience.organisation_id)
        .filter(definition__in=definitions, last_period_start__gte=window[0])
        .order_by("-last_period_start")
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
                        # the counts each point's 95% interval is computed from (chart band)
                        "details": own[start].details if start in own else {},
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


def dashboard_breakdowns(
    *, definitions: list[MetricDefinition], start: date, granularity: str
) -> dict[int, dict[str, list[BreakdownCell]]]:
    """By touchpoint and by journey phase for scored definitions, over one period. 1 query.

    The groups and their values are `measurements.touchpoint_scores`', which the journey map
    reads too; cells with fewer responses than the definition's minimum group size are hidden.
    """
    scored = [d for d in definitions if d.kind in SCORED_KINDS]
    if not scored:
        return {}
    histograms = touchpoint_scores.touchpoint_histograms(
        definitions=scored, start=start, granularity=granularity
    )
    out: dict[int, dict[str, list[BreakdownCell]]] = {}
    for definition in scored:
        touch = [
            _cell(histograms.names.get(key[1]) or gettext("No touchpoint"), score)
            for key in histograms.current
            if key[0] == definition.pk
            for score in [touchpoint_scores.group_scores(definition, histograms, [key[1]])]
        ]
        by_phase = touchpoint_scores.scores_by_phase(definition, histograms)
        gap = touchpoint_scores.phase_gap(by_phase)
        out[definition.pk] = {
            "touchpoint": sorted(touch, key=lambda c: c.label),
            # In the journey's order (before, during, after), not the codes' alphabetical one.
            "phase": [_cell(p, by_phase[p]) for p in PHASE_ORDER if p in by_phase],
            "gap": [BreakdownCell("after − before", gap, 0, False)] if gap is not None else [],
        }
    return out


def _cell(label: str, score: touchpoint_scores.Score) -> BreakdownCell:
    return BreakdownCell(label, score.value, score.n, score.hidden)


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
    org_id = organisation_id_of(scored)
    rows = list(
        Response.objects.for_org(org_id)
        .filter(definition__in=scored, local_date__gte=start, local_date__lt=end)
        .filter(privacy.carries_comment_q())  # " " or "." is no comment (privacy counts alike)
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


def impact_table(
    *, audience: Audience, granularity: str, now: datetime | None = None, periods: int = 12
) -> dict[str, Any]:
    """Experience scores next to retention, churn and CLV for the same periods. 2 queries."""
    now = now or timezone.now()
    latest = latest_complete_start(granularity, zone_of(audience.organisation), now)
    window = series_window(granularity, latest, periods)
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
    by_id = {d.pk: d for d in definitions}
    values: dict[tuple[int, date], Rollup] = {}
    for r in rows:
        # The cell's unit (a CLV's currency) comes from its definition: set the one already
        # loaded, so reading `cell.definition` in the template costs no query per cell.
        r.definition = by_id[r.definition_id]
        values[(r.definition_id, r.period_start)] = r
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
