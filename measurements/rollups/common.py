"""Helpers shared by the rollup modules: SQL expressions, locks and period ranges."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
)
from django.db.models.functions import Trunc

from audiences.models import Organisation
from measurements import metrics
from measurements.models import Granularity, MetricKind
from measurements.periods import next_start

# Namespace of the per-definition advisory locks (high 32 bits of the bigint key).
ADVISORY_LOCK_NAMESPACE = 5005
_ONE_MICROSECOND = timedelta(microseconds=1)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class HoursBetween(Func):
    """Hours from the first to the second instant, as double precision (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)::double precision"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


class MeanHoursBetween(Aggregate):
    """The mean of `later - earlier` in hours, summed exactly (PostgreSQL).

    EXTRACT(EPOCH …) is numeric (exact to the microsecond) and AVG over numeric does not
    depend on the order rows arrive in, whereas AVG over double precision does: an
    incremental recompute and a full one then differed in the last digit of the mean.
    """

    template = "(AVG(EXTRACT(EPOCH FROM (%(expressions)s))) / 3600.0)::double precision"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


def trunc_local(expression, granularity: str, zone: ZoneInfo) -> Trunc:
    """The local start date of the period containing an instant (period semantics [s, e))."""
    return Trunc(expression, granularity, output_field=DateField(), tzinfo=zone)


def trunc_local_end_inclusive(field: str, granularity: str, zone: ZoneInfo) -> Trunc:
    """Bucket instants into (start, end]: PRODUCT.md counts a join at t ≤ start in S."""
    shifted = ExpressionWrapper(F(field) - _ONE_MICROSECOND, output_field=DateTimeField())
    return trunc_local(shifted, granularity, zone)


def trunc_day_field(granularity: str) -> Trunc | F:
    if granularity == Granularity.DAY:
        return F("day")
    return Trunc("day", granularity, output_field=DateField())


def lock_definitions(definition_ids: Iterable[int]) -> None:
    """Serialise recomputes of the same definitions (PostgreSQL; SQLite writes are serial)."""
    ids = sorted(set(definition_ids))
    if not ids or not is_postgres():
        return
    with connection.cursor() as cursor:
        # The ordered subquery takes the locks in id order, so two runs cannot deadlock.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s::bigint * 4294967296 + x)) "
            "FROM (SELECT unnest(%s::bigint[]) AS x ORDER BY 1) AS ids",
            [ADVISORY_LOCK_NAMESPACE, ids],
        )


# A recompute's few statements each read many rows: memory enough that a bitmap scan over a
# stale batch's days stays exact (at 10M responses the default 4 MB went lossy and rechecked
# 6.65M rows) and the groups hash in memory; JIT compiles each statement anew for ~0.1–1 s,
# more than these statements take to run.
ROLLUP_WORK_MEM = "64MB"


def commit_without_waiting() -> None:
    """Tune the recompute's transaction (PostgreSQL): let its COMMIT return before its WAL is
    flushed, give its statements ROLLUP_WORK_MEM and no JIT. SET LOCAL: the connection's
    other work (a web request on the same connection) keeps the server's settings.

    Histograms and rollups are derived data and the stale marks are deleted in the same
    transaction: a crash that loses the last commit loses the marks' consumption too, so the
    next run recomputes the same periods.
    """
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL synchronous_commit = off; "
                f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'; SET LOCAL jit = off"
            )


def ids_sharing(values: Mapping[int, Hashable]) -> dict[Hashable, list[int]]:
    """The ids grouped by equal value, ids sorted: a stale batch's definitions mostly share
    their touched days, so a filter with one `definition_id IN (…)` branch per group stays a
    few branches for a thousand definitions (one per definition cost ~2 ms each to build
    and plan)."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for key in sorted(values):
        groups[values[key]].append(key)
    return dict(groups)


def zone_of(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone or "UTC")


def merge_ranges(starts: Iterable[date], granularity: str) -> list[tuple[date, date]]:
    """Contiguous [first start, last end) day ranges covering the given periods."""
    ranges: list[tuple[date, date]] = []
    for start in sorted(set(starts)):
        end = next_start(granularity, start)
        if ranges and ranges[-1][1] >= start:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def histogram_sd(hist: Mapping[int, int]) -> float | None:
    """Sample standard deviation (n − 1) of a {score: count} histogram; None under two scores.

    From integer sums, √((n·Σc·s² − (Σc·s)²) / (n·(n − 1))): the same bits whichever order a
    path hands the scores in, so the fast and portable full rollups store equal rows.
    """
    n = sum(hist.values())
    if n < 2:
        return None
    total = sum(score * count for score, count in hist.items())
    squares = sum(score * score * count for score, count in hist.items())
    return math.sqrt(max(n * squares - total * total, 0) / (n * (n - 1)))


def scored_result(
    *, kind: str, hist: Mapping[int, int], scale: tuple[int, int] | None
) -> metrics.MetricResult:
    """A scored period's result from its histogram, as every rollup path stores it.

    A CES mean also stores its standard deviation (details["sd"]), so the t interval of the
    mean (`measurements.intervals`) is available from the stored row.
    """
    result = metrics.scored_from_histogram(kind=kind, hist=hist, scale=scale)
    if kind == MetricKind.CES and result.value is not None:
        result.details["sd"] = histogram_sd(hist)
    return result
