"""Retention, churn and CLV per period, from members and revenue.

Running totals of joins, leaves and revenue bucketed by period in SQL, so S, E and N follow
PRODUCT.md's instants exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum

from measurements import metrics
from measurements.models import AudienceMember, MetricDefinition, MetricKind, RevenueEvent
from measurements.periods import current_period_start, period_start, periods_between
from measurements.rollups.common import trunc_local, trunc_local_end_inclusive
from measurements.rollups.writing import RollupValue


def _member_series(definition: MetricDefinition, granularity: str, zone: ZoneInfo):
    audience_id = definition.audience_id
    members = AudienceMember.objects.for_org(definition.organisation_id).filter(
        audience_id=audience_id
    )
    joins = dict(
        members.annotate(p=trunc_local_end_inclusive("joined_at", granularity, zone))
        .values("p")
        .annotate(c=Count("*"))
        .order_by()
        .values_list("p", "c")
    )
    leaves = dict(
        members.filter(left_at__isnull=False)
        .annotate(p=trunc_local_end_inclusive("left_at", granularity, zone))
        .values("p")
        .annotate(c=Count("*"))
        .order_by()
        .values_list("p", "c")
    )
    revenue = dict(
        RevenueEvent.objects.for_org(definition.organisation_id)
        .filter(audience_id=audience_id)
        .annotate(p=trunc_local("occurred_at", granularity, zone))
        .values("p")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("p", "s")
    )
    return joins, leaves, revenue


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
    (start, end]; joins and leaves are bucketed by (start, end] and summed as running totals.
    """
    if not definitions:
        return []
    joins, leaves, revenue = _member_series(definitions[0], granularity, zone)
    keys = [*joins, *leaves, *revenue]
    if not keys:
        return []
    last = max([current_period_start(granularity, zone, now), *keys])
    present = joined_total = 0
    revenue_total = Decimal(0)
    values = []
    for start in periods_between(granularity, min(keys), last):
        s = present
        n = joins.get(start, 0)
        e = s + n - leaves.get(start, 0)
        present = e
        joined_total += n
        period_revenue = revenue.get(start) or Decimal(0)
        revenue_total += period_revenue
        if from_day is not None and start < period_start(granularity, from_day):
            continue
        for definition in definitions:
            if definition.kind == MetricKind.RETENTION:
                result = metrics.retention_from_counts(s, e, n)
            elif definition.kind == MetricKind.CHURN:
                result = metrics.churn_from_counts(s, e, n)
            else:
                result = metrics.clv_from(
                    S=s,
                    E=e,
                    N=n,
                    revenue=period_revenue,
                    margin_percent=definition.margin_percent,
                    revenue_to_date=revenue_total,
                    members_to_date=joined_total,
                )
            values.append(RollupValue(definition, granularity, start, result))
    return values
