"""Dashboards: an audience's numbers, the organisation overview, the health grid, EX + CX.

Views read rolled-up values through `measurements.selectors` (one audience's page through
`measurements.dashboard_selectors`); their query count does not grow with the number of
responses or audiences shown.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audiences.access import member_required, org_object_or_404
from audiences.models import Audience
from audiences.selectors import ranked_first
from measurements import dashboard_selectors, selectors
from measurements.charts import chart_data, compare_chart
from measurements.compare import (
    MAX_LAG,
    Correlation,
    compare_choice_error,
    compare_lag,
    compare_series,
    lag_choice_text,
    periods_text,
    r_text,
)
from measurements.exports import export_rows, write_rollups_csv
from measurements.models import Granularity, MetricDefinition
from measurements.periods import by_granularity, granularity_noun, next_start


def _granularity(request: HttpRequest) -> str:
    value = request.GET.get("granularity", Granularity.MONTH)
    return value if value in Granularity.values else Granularity.MONTH


@member_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    audience = org_object_or_404(
        request, Audience.objects.select_related("owner", "organisation"), slug=slug
    )
    granularity = _granularity(request)
    cards = dashboard_selectors.dashboard_cards(audience=audience, granularity=granularity)
    start = cards[0].period_start if cards else None
    breakdowns, comments = _breakdowns_and_comments(cards, start, granularity)
    context = {
        "audience": audience,
        "granularity": granularity,
        "granularities": Granularity.choices,
        "by_granularity": by_granularity(granularity),
        "period_start": start,
        "period_end": next_start(granularity, start) if start else None,
        "cards": [
            {
                "card": card,
                "breakdown": breakdowns.get(card.definition.pk),
                "comments": comments.get(card.definition.pk),
            }
            for card in cards
        ],
        "chart_data": chart_data(cards=cards, granularity=granularity),
        "impact": dashboard_selectors.impact_table(audience=audience, granularity=granularity),
    }
    return render(request, "measurements/dashboard.html", context)


def _breakdowns_and_comments(cards: list[dashboard_selectors.Card], start: Any, granularity: str):
    if start is None:
        return {}, {}
    definitions = [card.definition for card in cards]
    end = next_start(granularity, start)
    return (
        dashboard_selectors.dashboard_breakdowns(
            definitions=definitions, start=start, granularity=granularity
        ),
        dashboard_selectors.latest_comments(definitions=definitions, start=start, end=end),
    )


@member_required
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.organisation_overview(organisation=request.access.organisation)
    for row in rows:
        row["sparkline_points"] = sparkline_points(row["sparkline"])
    return render(request, "measurements/dashboard_overview.html", {"rows": rows})


@member_required
def health(request: HttpRequest) -> HttpResponse:
    grid = selectors.health_grid(organisation=request.access.organisation)
    return render(request, "measurements/dashboard_health.html", {"grid": grid})


@member_required
def compare(request: HttpRequest) -> HttpResponse:
    organisation = request.access.organisation
    options = list(
        MetricDefinition.objects.for_org(organisation)
        .select_related("audience", "organisation")
        .order_by(*ranked_first("audience__"), "slug")
    )
    chosen = [_definition_param(request, name, options) for name in ("first", "second")]
    granularity = _granularity(request)
    lag = compare_lag(request.GET.get("lag"))
    error = compare_choice_error(first=chosen[0], second=chosen[1])
    result = None
    if all(chosen) and not error:
        result = compare_series(first=chosen[0], second=chosen[1], granularity=granularity)
        result["lags"] = [_LagRow(c, granularity) for c in result["lags"]]
        if result["strongest"] is not None:
            result["strongest"] = _LagRow(result["strongest"], granularity)
    context = {
        "options": options,
        "chosen": chosen,
        "granularity": granularity,
        "granularities": Granularity.choices,
        "period_one": granularity_noun(granularity),
        "period_many": granularity_noun(granularity, plural=True),
        "by_granularity": by_granularity(granularity),
        "lag": lag,
        "lag_choices": [(k, lag_choice_text(k, granularity)) for k in range(MAX_LAG + 1)],
        "error": error,
        "result": result,
        "compare_chart": compare_chart(
            result=result, first=chosen[0], second=chosen[1], granularity=granularity, lag=lag
        )
        if result
        else None,
    }
    return render(request, "measurements/dashboard_compare.html", context)


class _LagRow:
    """A lag's correlation with the words the page says about it, in the reader's language."""

    def __init__(self, correlation: Correlation, granularity: str) -> None:
        self._correlation = correlation
        self.lag_text = periods_text(correlation.lag, granularity)  # "2 months"
        self.lag_choice = lag_choice_text(correlation.lag, granularity)  # "0 (same month)"
        self.r_text = r_text(correlation)  # "= 0.53", "none: not enough shared periods"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._correlation, name)


def _definition_param(request: HttpRequest, name: str, options: list[MetricDefinition]):
    wanted = request.GET.get(name, "")
    return next((d for d in options if str(d.pk) == wanted), None)


@member_required
def export_csv(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Rolled-up values as CSV: one audience's (from its dashboard) or the organisation's."""
    definitions = MetricDefinition.objects.for_org(request.access.organisation)
    if slug is not None:
        audience = org_object_or_404(request, Audience, slug=slug)
        definitions = definitions.filter(audience=audience)
    granularity = request.GET.get("granularity")
    rows = export_rows(
        organisation=request.access.organisation,
        definitions=definitions,
        granularity=granularity if granularity in Granularity.values else None,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slug or request.access.organisation.slug
    response["Content-Disposition"] = f'attachment; filename="{name}-metrics.csv"'
    write_rollups_csv(response, rows, organisation=request.access.organisation)
    return response


def sparkline_points(values: list[float | None], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a sparkline (server-side: no script needed); gaps skipped."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1
    step = width / max(len(values) - 1, 1)
    points = [
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    return " ".join(points)
