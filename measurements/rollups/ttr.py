"""Time to resolution per period, from the raw cases.

TTR medians and percentiles do not add up, so each period is computed from its cases
(`percentile_cont` on PostgreSQL; on SQLite the durations are fetched and interpolated the same
way in Python).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, F

from measurements import metrics
from measurements.kinds import kind_of
from measurements.models import MetricDefinition, SupportCase
from measurements.periods import current_period_start, local_date, period_start, periods_between
from measurements.rollups.common import (
    HoursBetween,
    MeanHoursBetween,
    PercentileCont,
    is_postgres,
    trunc_local,
)
from measurements.rollups.writing import RollupValue


def ttr_case_fields(definition: MetricDefinition) -> dict[str, int]:
    """The TTR touchpoint rule: the case fields that decide which cases a definition counts.

    Every case of its audience; only the cases at its touchpoint when it has one. The rollups
    filter cases by it, and ingestion asks `ttr_counts_case` which definitions a case makes
    stale, so the two can never disagree.
    """
    fields = {"audience_id": definition.audience_id}
    if definition.touchpoint_id and kind_of(definition.kind).by_touchpoint:
        fields["touchpoint_id"] = definition.touchpoint_id
    return fields


def ttr_counts_case(
    definition: MetricDefinition, *, audience_id: int, touchpoint_id: int | None
) -> bool:
    """Whether `definition` counts a case with these fields (see `ttr_case_fields`)."""
    case = {"audience_id": audience_id, "touchpoint_id": touchpoint_id}
    return all(case[name] == value for name, value in ttr_case_fields(definition).items())


def _cases_of(definition: MetricDefinition):
    return SupportCase.objects.for_org(definition.organisation_id).filter(
        **ttr_case_fields(definition)
    )


def _ttr_resolved_stats(cases, granularity: str, zone: ZoneInfo) -> dict[date, tuple]:
    """{period start: (resolved count, median, mean, p90)} in hours, over resolved cases."""
    resolved = cases.filter(resolved_at__isnull=False)
    if is_postgres():
        hours = HoursBetween(F("resolved_at"), F("opened_at"))
        rows = (
            resolved.annotate(p=trunc_local("resolved_at", granularity, zone))
            .values("p")
            .annotate(
                n=Count("*"),
                median=PercentileCont(hours, fraction=0.5),
                mean=MeanHoursBetween(F("resolved_at"), F("opened_at")),
                p90=PercentileCont(hours, fraction=0.9),
            )
            .order_by()
            .values_list("p", "n", "median", "mean", "p90")
        )
        return {p: (n, median, mean, p90) for p, n, median, mean, p90 in rows}
    # SQLite fallback: no percentile_cont, so interpolate the same way in Python.
    durations: dict[date, list[float]] = defaultdict(list)
    for opened_at, resolved_at in resolved.values_list("opened_at", "resolved_at"):
        start = period_start(granularity, local_date(resolved_at, zone))
        durations[start].append((resolved_at - opened_at).total_seconds() / 3600)
    stats = {}
    for start, hours_list in durations.items():
        result = metrics.ttr_from_durations(hours_list)
        stats[start] = (
            result.n,
            result.details["median"],
            result.details["mean"],
            result.details["p90"],
        )
    return stats


def ttr_first_start(granularity: str, from_day: date | None) -> date | None:
    """The first period a recompute from `from_day` covers (None: every period)."""
    return None if from_day is None else period_start(granularity, from_day)


def ttr_rollups_compute(
    definition: MetricDefinition,
    *,
    granularity: str,
    zone: ZoneInfo,
    now: datetime,
    from_day: date | None = None,
) -> list[RollupValue]:
    """TTR for every period from the first case to the current period (or from `from_day`).

    Open cases at a period's end = cases opened before the end − cases resolved before it
    (a case is never resolved before it is opened), from two grouped counts.
    """
    cases = _cases_of(definition)
    opened = dict(
        cases.annotate(p=trunc_local("opened_at", granularity, zone))
        .values("p")
        .annotate(c=Count("*"))
        .order_by()
        .values_list("p", "c")
    )
    if not opened:
        return []
    stats = _ttr_resolved_stats(cases, granularity, zone)
    first = ttr_first_start(granularity, from_day)
    last = max([current_period_start(granularity, zone, now), *opened, *stats])
    opened_total = resolved_total = 0
    values = []
    for start in periods_between(granularity, min(opened), last):
        opened_total += opened.get(start, 0)
        n, median, mean, p90 = stats.get(start, (0, None, None, None))
        resolved_total += n
        if first is not None and start < first:
            continue
        result = metrics.ttr_from_stats(
            resolved=n, median=median, mean=mean, p90=p90, open_count=opened_total - resolved_total
        )
        values.append(RollupValue(definition, granularity, start, result))
    return values
