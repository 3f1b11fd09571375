"""CSV export of rolled-up values: what a lead takes into a spreadsheet.

The numbers are the dashboard's: each value and its 95% interval rounded by
`measurements.display.value_rounded`, a CLV with its currency, every stored detail in a column
of its own (the union of the exported rows' detail names, sorted, so one export has one column
set whatever its first row is). A series starts at its first period with data: the empty
periods a rollup writes before it (members joined but none present at the start, cases open
but none resolved yet) are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from audiences.models import Organisation
from measurements.display import value_rounded
from measurements.intervals import interval_of
from measurements.kinds import kind_of
from measurements.metrics import is_indicative
from measurements.models import Granularity, MetricDefinition, Rollup
from measurements.periods import current_period_start
from measurements.scales import scale_of

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "audience",
    "metric",
    "kind",
    "granularity",
    "period_start",
    "value",
    "n",
    "interval_low",
    "interval_high",
    "currency",
    # A lead's spreadsheet must not mistake this month's first days for a month: "no" while
    # the period is still running (organisation time zone), as the dashboard's "latest
    # complete" does; "indicative" (n under 30) as the cards and the charts' hollow points say.
    "complete",
    "indicative",
)
# Details are mostly counts; the rest include fractions (CLV's margin and churn) that the
# value's one decimal would erase, so they keep four.
DETAIL_DECIMALS = 4


def csv_safe(value: Any) -> Any:
    """Neutralise formula injection in text cells; numbers cannot carry a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _has_data() -> Q:
    """A stored period with something measured: a value, or a count behind one."""
    return ~Q(value=None) | ~Q(n=0)


def export_rows(
    *,
    organisation: Organisation,
    definitions: QuerySet | list[MetricDefinition],
    granularity: str | None = None,
) -> QuerySet:
    """Rolled-up values for CSV export, oldest first, from each series' first period with
    data (a series with none exports no rows)."""
    rows = Rollup.objects.for_org(organisation).filter(definition__in=definitions)
    if granularity:
        rows = rows.filter(granularity=granularity)
    first_with_data = (
        Rollup.objects.for_org(organisation)
        .filter(definition=OuterRef("definition"), granularity=OuterRef("granularity"))
        .filter(_has_data())
        .order_by("period_start")
        .values("period_start")[:1]
    )
    return (
        rows.annotate(first_with_data=Subquery(first_with_data))
        .filter(period_start__gte=F("first_with_data"))
        .select_related("definition", "audience")
        .order_by("audience__slug", "definition__slug", "granularity", "period_start")
    )


def detail_columns(rows: QuerySet) -> list[str]:
    """The detail names of the rows, sorted; one that repeats a fixed column gets a prefix."""
    names: set[str] = set()
    for details in rows.values_list("details", flat=True).iterator(chunk_size=2000):
        names.update(details or {})
    return sorted(names)


def _column(name: str) -> str:
    return f"detail_{name}" if name in COLUMNS else name


def _detail_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, DETAIL_DECIMALS)
    if isinstance(value, (dict, list)):
        return csv_safe(json.dumps(value, sort_keys=True))
    return csv_safe(value) if isinstance(value, str) else value


def _number_cell(value: float | None) -> Any:
    rounded = value_rounded(value)
    return "" if rounded is None else rounded


def export_line(
    row: Rollup, details: Iterable[str], current: Mapping[str, date] | None = None
) -> list[Any]:
    """One CSV line of a rollup row: the fixed columns, then one cell per detail name.
    `current` holds the start of the running period per granularity."""
    definition = row.definition
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    stored: Mapping[str, Any] = row.details or {}
    interval = interval_of(
        kind=definition.kind, value=row.value, n=row.n, details=stored, scale=scale
    )
    currency = definition.currency if kind_of(definition.kind).uses_revenue else ""
    return [
        csv_safe(row.audience.slug),
        csv_safe(definition.slug),
        definition.kind,
        row.granularity,
        row.period_start.isoformat(),
        _number_cell(row.value),
        row.n,
        _number_cell(interval[0] if interval else None),
        _number_cell(interval[1] if interval else None),
        currency,
        _yes_no(current is None or row.period_start < current[row.granularity]),
        "" if row.value is None else _yes_no(is_indicative(row.n)),
        *(_detail_cell(stored.get(name)) for name in details),
    ]


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def write_rollups_csv(
    out: Any, rows: QuerySet, *, organisation: Organisation, now: datetime | None = None
) -> None:
    details = detail_columns(rows)
    zone = ZoneInfo(organisation.timezone or "UTC")
    moment = now or timezone.now()
    current = {g: current_period_start(g, zone, moment) for g in Granularity.values}
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *(_column(name) for name in details)])
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(export_line(row, details, current))
