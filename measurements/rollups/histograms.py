"""Daily score histograms: how many responses gave each score per (definition, local day).

Histograms add up, so every week, month and quarter of NPS, CSAT and CES comes out exact from
the daily rows without reading raw responses again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import connection
from django.db.models import Count, Q

from measurements.models import DailyScoreCount, Response
from measurements.rollups.common import ids_sharing


def histograms_rebuild(
    *,
    definition_days: dict[int, set[date]] | None = None,
    definition_ids: Iterable[int] | None = None,
    organisations: Mapping[int, int] | None = None,
) -> None:
    """Replace the daily histograms of the given (definition, day)s, or of whole definitions.

    One DELETE and one INSERT … SELECT … GROUP BY (definition, local_date, score): the
    aggregation runs in the database, never row by row in Python. `organisations` (definition
    id → organisation id) adds the organisations to the read of the responses, so it names
    the distribution column a sharded responses table is split on.
    """
    if definition_days:
        target = Q()
        source = Q()
        shared = ids_sharing({pk: frozenset(days) for pk, days in definition_days.items()})
        for days, ids in shared.items():
            target |= Q(definition_id__in=ids, day__in=sorted(days))
            rows = Q(definition_id__in=ids, local_date__in=sorted(days))
            if organisations is not None:
                rows &= Q(organisation_id__in=sorted({organisations[pk] for pk in ids}))
            source |= rows
    elif definition_ids is not None:
        ids = list(definition_ids)
        if not ids:
            return
        target = Q(definition_id__in=ids)
        source = Q(definition_id__in=ids)
    else:
        return
    # All organisations: the responses of the given definitions (a stale batch spans them).
    grouped = (
        Response.all_orgs.filter(source)
        .values("organisation_id", "definition_id", "local_date", "score")
        .annotate(c=Count("*"))
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(DailyScoreCount._meta.db_table)
    columns = '("organisation_id", "definition_id", "day", "score", "count")'
    # All organisations: the histograms of the same definitions.
    replaced = DailyScoreCount.all_orgs.filter(target)
    replaced._raw_delete(replaced.db)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} {columns} {sql}", params)
