"""Retention, churn and CLV per period, from members and revenue.

Members grouped by (join period, leave period) in one SQL query, so S, R, N, E and
joined-and-left follow PRODUCT.md's instants exactly and come from one snapshot of the rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum

from measurements import metrics
from measurements.models import AudienceMember, MetricDefinition, MetricKind, RevenueEvent
from measurements.periods import current_period_start, period_start, periods_between
from measurements.rollups.common import trunc_local, trunc_local_end_inclusive
from measurements.rollups.writing import RollupValue


def _member_series(definition: MetricDefinition, granularity: str, zone: ZoneInfo):
    """Joins, leaves and joined-and-left per (start, end] bucket; revenue sum and event count
    per [start, end) period."""
    audience_id = definition.audience_id
    # A leave before the join is refused by ingestion; such a row would never be present.
    members = (
        AudienceMember.objects.for_org(definition.organisation_id)
        .filter(audience_id=audience_id)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")))
    )
    # One grouped query (not one per count): joined-and-left can never exceed the joins
    # nor the leaves it is taken from, even while rows are being written.
    pairs = (
        members.annotate(
            jp=trunc_local_end_inclusive("joined_at", granularity, zone),
            lp=trunc_local_end_inclusive("left_at", granularity, zone),
        )
        .values("jp", "lp")
        .annotate(c=Count("*"))
        .order_by()
        .values_list("jp", "lp", "c")
    )
    joins: Counter[date] = Counter()
    leaves: Counter[date] = Counter()
    joined_and_left: Counter[date] = Counter()
    for joined, left, count in pairs:
        joins[joined] += count
        if left is not None:
            leaves[left] += count
            if left == joined:
                joined_and_left[joined] += count
    revenue = {
        p: (total, events)
        for p, total, events in RevenueEvent.objects.for_org(definition.organisation_id)
        .filter(audience_id=audience_id)
        .annotate(p=trunc_local("occurred_at", granularity, zone))
        .values("p")
        .annotate(s=Sum("amount"), c=Count("*"))
        .order_by()
        .values_list("p", "s", "c")
    }
    return joins, leaves, joined_and_left, revenue


def member_first_start(granularity: str, from_day: date | None) -> date | None:
    """The first period a recompute from `from_day` covers (None: every period).

    A join or leave at midnight of `from_day` counts in the period ending then (N and E are
    taken over (start, end]), so a mark on a period's first day reaches the period before.
    """
    return None if from_day is None else period_start(granularity, from_day - timedelta(days=1))


def member_rollups_compute(
    definitions: list[MetricDefinition],
    *,
    granularity: str,
    zone: ZoneInfo,
    now: datetime,
    from_day: date | None = None,
) -> list[RollupValue]:
    """Retention, churn and CLV of one audience's definitions, every period to the current one.

    S = members present at the start instant, E = at the end instant, N = joined in
    (start, end], R = S minus the starting members who left in (start, end], i.e. minus the
    period's leaves that were not also joins of it. Running totals carry S from period to
    period.
    """
    if not definitions:
        return []
    joins, leaves, joined_and_left, revenue = _member_series(definitions[0], granularity, zone)
    keys = [*joins, *leaves, *revenue]
    if not keys:
        return []
    last = max([current_period_start(granularity, zone, now), *keys])
    first = member_first_start(granularity, from_day)
    present = joined_total = 0
    revenue_total = Decimal(0)
    values = []
    for start in periods_between(granularity, min(keys), last):
        s = present
        n = joins.get(start, 0)
        left = leaves.get(start, 0)
        jl = joined_and_left.get(start, 0)
        r = s - (left - jl)
        present = s + n - left
        joined_total += n
        period_revenue, revenue_events = revenue.get(start, (Decimal(0), 0))
        revenue_total += period_revenue or Decimal(0)
        if first is not None and start < first:
            continue
        counts = {"S": s, "R": r, "N": n, "joined_and_left": jl}
        for definition in definitions:
            if definition.kind == MetricKind.RETENTION:
                result = metrics.retention_from_counts(**counts)
            elif definition.kind == MetricKind.CHURN:
                result = metrics.churn_from_counts(**counts)
            else:
                result = metrics.clv_from(
                    **counts,
                    revenue=period_revenue,
                    revenue_events=revenue_events,
                    margin_percent=definition.margin_percent,
                    revenue_to_date=revenue_total,
                    members_to_date=joined_total,
                )
            values.append(RollupValue(definition, granularity, start, result))
    return values
