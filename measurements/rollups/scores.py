"""NPS, CSAT and CES per period, from the daily histograms."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import connection
from django.db.models import Q, Sum

from measurements.models import DailyScoreCount, MetricDefinition
from measurements.rollups.common import (
    ids_sharing,
    is_postgres,
    merge_ranges,
    scored_result,
    trunc_day_field,
)
from measurements.rollups.writing import RollupValue
from measurements.scales import scale_of


def scored_rollups_compute(
    definitions: list[MetricDefinition],
    *,
    granularity: str,
    period_starts: dict[int, set[date]] | None = None,
) -> list[RollupValue]:
    """NPS/CSAT/CES per period from the daily histograms: one grouped query per call.

    With `period_starts` only those periods are computed; otherwise every period with data.
    """
    by_id = {d.pk: d for d in definitions}
    if not by_id:
        return []
    if period_starts is None:
        scope = Q(definition_id__in=list(by_id))
    else:
        scope = Q()
        ranges = {
            pk: tuple(merge_ranges(starts, granularity)) for pk, starts in period_starts.items()
        }
        for shared, ids in ids_sharing(ranges).items():
            for first, end in shared:
                scope |= Q(definition_id__in=ids, day__gte=first, day__lt=end)
        if not scope:
            return []
    # All organisations: the histograms of the given definitions (a batch spans organisations).
    grouped = (
        DailyScoreCount.all_orgs.filter(scope)
        .annotate(p=trunc_day_field(granularity))
        .values("definition_id", "p", "score")
        .annotate(c=Sum("count"))
        .order_by()
    )
    histograms: dict[tuple[int, date], dict[int, int]] = defaultdict(dict)
    if is_postgres():
        # One row per period with the histogram as two arrays: ~11× fewer rows to fetch.
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT definition_id, p, array_agg(score), array_agg(c) "
                f"FROM ({sql}) AS h GROUP BY 1, 2",
                params,
            )
            for definition_id, start, scores, counts in cursor.fetchall():
                if isinstance(start, datetime):
                    start = start.date()
                histograms[(definition_id, start)] = dict(
                    zip(scores, map(int, counts), strict=True)
                )
    else:
        for definition_id, start, score, count in grouped.values_list(
            "definition_id", "p", "score", "c"
        ):
            histograms[(definition_id, start)][score] = int(count)
    values = []
    for (definition_id, start), hist in histograms.items():
        definition = by_id[definition_id]
        scale = scale_of(
            kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
        )
        result = scored_result(kind=definition.kind, hist=hist, scale=scale)
        values.append(RollupValue(definition, granularity, start, result))
    return values
