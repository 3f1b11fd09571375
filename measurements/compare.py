"""EX + CX: two metrics (any audiences) on one time axis and how they move together."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

from measurements.models import MetricDefinition, Rollup
from measurements.selectors import organisation_id_of


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
        Rollup.objects.for_org(organisation_id_of([first, second]))
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
