"""CSV export of rolled-up values: what a lead takes into a spreadsheet."""

from __future__ import annotations

import csv
from typing import Any

from django.db.models import QuerySet

from audiences.models import Organisation
from measurements.models import MetricDefinition, Rollup

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise formula injection in text cells; numbers cannot carry a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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


def write_rollups_csv(out: Any, rows: Any) -> None:
    writer = csv.writer(out)
    writer.writerow(
        ["audience", "metric", "kind", "granularity", "period_start", "value", "n", "details"]
    )
    for row in rows.iterator(chunk_size=2000):
        details = ";".join(f"{k}={v}" for k, v in sorted(row.details.items()))
        writer.writerow(
            [
                csv_safe(row.audience.slug),
                csv_safe(row.definition.slug),
                row.definition.kind,
                row.granularity,
                row.period_start.isoformat(),
                "" if row.value is None else row.value,
                row.n,
                csv_safe(details),
            ]
        )
