"""Reads for opportunities: what to improve at each touchpoint, in priority order, and for a
done one the metric it should move before and after.

The journey map includes templates/measurements/_touchpoint_opportunities.html under every
touchpoint with the lists `opportunities_by_touchpoint` returns.

Priority: open work first, done ones after every open one (still listed: the status filter
shows only one status); then value ÷ effort, highest first; on a tie, the bigger gap between
the metric's latest complete month and its target (in the metric's good direction,
`kinds.Kind.higher_is_better`); no gap known (no metric, no target, no value) after every known
gap.

Before and after (decided where the issue left it open): "before" is the last complete month
before the opportunity was recorded — the work cannot have moved it yet, and the model keeps
no date for the move to in progress; "after" is every complete month after the month it was
done in, pooled into one value. Scored metrics (NPS, CSAT, CES) are counted at each of its
touchpoints from the responses tagged with it, through the dashboard's own formulas and the
small-group rule of `measurements.privacy`; other kinds have no touchpoint breakdown, so the
metric's own monthly values are shown (before, and its latest complete month after).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from audiences.models import Audience
from journeys.models import Touchpoint
from measurements import intervals, metrics, privacy
from measurements.charts import period_label, unit_of
from measurements.display import POINTS, change_text, local_number, value_text
from measurements.formulas import definition_label
from measurements.kinds import SCORED_KINDS, kind_of
from measurements.models import (
    Granularity,
    MetricDefinition,
    Opportunity,
    OpportunityStatus,
    Response,
    Rollup,
)
from measurements.periods import latest_complete_start, next_start, previous_start
from measurements.scales import scale_of
from measurements.selectors import zone_of

MONTH = Granularity.MONTH


def opportunity_queryset(*, organisation_id: int) -> QuerySet[Opportunity]:
    """The organisation's opportunities with what every list shows (owner, audience,
    touchpoints, the metric it should move), in a fixed number of queries."""
    touchpoints = Touchpoint.objects.for_org(organisation_id).order_by("position", "id")
    return (
        Opportunity.objects.for_org(organisation_id)
        .select_related("audience__owner", "audience__organisation", "owner", "definition")
        .prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
    )


# --- priority -----------------------------------------------------------------------------


def opportunity_gaps(
    opportunities: Iterable[Opportunity], *, now: datetime | None = None
) -> dict[int, float | None]:
    """{opportunity id: how far its metric's latest complete month falls short of the target}
    (positive: short of it; negative: beyond it; None: unknown). One query."""
    opportunities = list(opportunities)
    definitions = {o.definition_id: o.definition for o in opportunities if o.definition_id}
    if not definitions:
        return {o.pk: None for o in opportunities}
    organisation = opportunities[0].audience.organisation
    latest = latest_complete_start(MONTH, zone_of(organisation), now or timezone.now())
    values = dict(
        Rollup.objects.for_org(organisation.pk)
        .filter(definition_id__in=definitions, granularity=MONTH, period_start=latest)
        .exclude(value=None)
        .values_list("definition_id", "value")
    )
    gaps: dict[int, float | None] = {}
    for o in opportunities:
        d = o.definition
        value = values.get(o.definition_id)
        if d is None or d.target is None or value is None:
            gaps[o.pk] = None
            continue
        gaps[o.pk] = d.target - value if kind_of(d.kind).higher_is_better else value - d.target
    return gaps


def priority_key(
    opportunity: Opportunity, gap: float | None
) -> tuple[bool, float, bool, float, int]:
    """Sort key: open before done (a finished 5 ÷ 1 is no one's next job), then value ÷ effort
    (desc), then a known gap before none, the bigger first."""
    return (
        opportunity.status == OpportunityStatus.DONE,
        -opportunity.value / opportunity.effort,
        gap is None,
        -(gap or 0.0),
        -opportunity.pk,
    )


def opportunities_prioritised(
    opportunities: Iterable[Opportunity], *, now: datetime | None = None
) -> list[Opportunity]:
    """The opportunities in priority order, each with `.gap` and `.ratio` set for the page."""
    rows = list(opportunities)
    gaps = opportunity_gaps(rows, now=now)
    for o in rows:
        o.gap = gaps[o.pk]
        o.ratio = o.value / o.effort
        o.ratio_text = local_number(o.ratio)  # "1.7", tr "1,7"
        o.gap_text = _gap_text(o.definition, o.gap) if o.definition else ""
    return sorted(rows, key=lambda o: priority_key(o, o.gap))


def _gap_text(definition: MetricDefinition, gap: float | None) -> str:
    if gap is None:
        return ""
    unit = unit_of(definition)
    return value_text(abs(gap), POINTS if unit == "%" else unit)


def opportunity_list(
    *, queryset: QuerySet[Opportunity], now: datetime | None = None
) -> list[Opportunity]:
    """The (filtered) opportunities in priority order, the done ones with their before and
    after."""
    rows = opportunities_prioritised(queryset, now=now)
    attach_before_after(rows, now=now)
    return rows


def opportunities_by_touchpoint(audience: Audience) -> dict[int, list[Opportunity]]:
    """The audience's opportunities under each touchpoint id they are linked to, in priority
    order (done ones last) with their before and after (an opportunity at two touchpoints is
    in both lists)."""
    by_touchpoint: dict[int, list[Opportunity]] = defaultdict(list)
    rows = opportunities_prioritised(
        opportunity_queryset(organisation_id=audience.organisation_id).filter(audience=audience)
    )
    attach_before_after(rows)
    for opportunity in rows:
        for touchpoint in opportunity.touchpoints.all():
            by_touchpoint[touchpoint.pk].append(opportunity)
    return dict(by_touchpoint)


# --- before and after -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value of the before/after table; `hidden` when the small-group rule withholds it."""

    value: float | None
    n: int
    unit: str
    hidden: bool = False
    minimum: int = 1
    details: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return value_text(self.value, self.unit)

    @property
    def indicative(self) -> bool:
        return self.value is not None and metrics.is_indicative(self.n)


@dataclass(frozen=True)
class Row:
    label: str  # the touchpoint's name, or what the row pools
    before: Cell
    after: Cell
    kind: str

    @property
    def change(self) -> float | None:
        if self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value

    @property
    def verdict(self) -> str | None:
        if self.change is None:
            return None
        return intervals.change_verdict(
            kind=self.kind,
            before=(self.before.value, self.before.n, self.before.details),
            after=(self.after.value, self.after.n, self.after.details),
        )

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        text = change_text(change, self.before.unit)  # "+5.0 pts", ko "+5.0%p", tr "+5,0 puan"
        verdict = self.verdict
        return (
            _("%(change)s (%(verdict)s)") % {"change": text, "verdict": verdict}
            if verdict
            else text
        )


@dataclass(frozen=True)
class BeforeAfter:
    """A done opportunity's metric before the work and after it, at its touchpoints."""

    label: str  # the metric's name
    before_period: str  # "Mar 2026"
    after_period: str  # "Jul – Nov 2026", or "no complete month yet"
    rows: list[Row]
    note: str = ""


def before_after_months(
    opportunity: Opportunity, *, zone, now: datetime
) -> tuple[date, list[date]]:
    """The month before it was recorded, and the complete months after the one it was done in."""
    created = opportunity.created_at.astimezone(zone).date()
    before = previous_start(MONTH, created)
    latest = latest_complete_start(MONTH, zone, now)
    month = next_start(MONTH, opportunity.done_at.astimezone(zone).date())
    after = []
    while month <= latest:
        after.append(month)
        month = next_start(MONTH, month)
    return before, after


def attach_before_after(opportunities: list[Opportunity], *, now: datetime | None = None) -> None:
    """Set `.before_after` on every opportunity (None unless done with a metric). At most two
    queries, however many opportunities."""
    for o in opportunities:
        o.before_after = None
    done = [
        o
        for o in opportunities
        if o.status == OpportunityStatus.DONE and o.done_at and o.definition_id
    ]
    if not done:
        return
    now = now or timezone.now()
    zone = zone_of(done[0].audience.organisation)
    months = {o.pk: before_after_months(o, zone=zone, now=now) for o in done}
    first = min(before for before, _ in months.values())
    scored = [o for o in done if o.definition.kind in SCORED_KINDS]
    hists = _monthly_histograms(scored, first) if scored else {}
    others = [o for o in done if o.definition.kind not in SCORED_KINDS]
    rollups = _monthly_rollups(others, first) if others else {}
    for o in done:
        before, after = months[o.pk]
        if o.definition.kind in SCORED_KINDS:
            rows = _scored_rows(o, hists, before, after)
            note = ""
        else:
            rows = _rollup_rows(o, rollups, before, after)
            note = _(
                "%(kind)s has no breakdown by touchpoint: the metric's own months are shown, the "
                "latest complete one after."
            ) % {"kind": kind_of(o.definition.kind).label}
        o.before_after = BeforeAfter(
            label=o.definition.name,
            before_period=period_label(before, MONTH),
            after_period=_span(after),
            rows=rows,
            note=note,
        )


def _span(months: list[date]) -> str:
    if not months:
        return _("no complete month yet")
    if len(months) == 1:
        return period_label(months[0], MONTH)
    return f"{period_label(months[0], MONTH)} – {period_label(months[-1], MONTH)}"


# (definition id, touchpoint id or None, month) -> {score: count}
Histograms = dict[tuple[int, int | None, date], dict[int, int]]


def _monthly_histograms(done: list[Opportunity], first: date) -> Histograms:
    rows = (
        Response.objects.for_org(done[0].organisation_id)
        .filter(definition_id__in={o.definition_id for o in done}, local_date__gte=first)
        .annotate(month=TruncMonth("local_date"))
        .values("definition_id", "touchpoint_id", "month", "score")
        .annotate(c=Count("id"))
        .order_by()
    )
    out: Histograms = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        out[(row["definition_id"], row["touchpoint_id"], month)][row["score"]] = row["c"]
    return out


def _scored_cell(
    definition: MetricDefinition,
    hists: Histograms,
    touchpoint_ids: list[int] | None,
    months: list[date],
) -> Cell:
    """The definition's value over `months` at those touchpoints (None: at any or none)."""
    pooled: dict[int, int] = defaultdict(int)
    for (definition_id, touchpoint_id, month), hist in hists.items():
        if definition_id != definition.pk or month not in months:
            continue
        if touchpoint_ids is not None and touchpoint_id not in touchpoint_ids:
            continue
        for score, count in hist.items():
            pooled[score] += count
    n = sum(pooled.values())
    unit = unit_of(definition)
    minimum = privacy.min_group_size(definition)
    if n and not privacy.cell_shown(definition, n):
        return Cell(None, 0, unit, hidden=True, minimum=minimum)
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    result = metrics.scored_from_histogram(kind=definition.kind, hist=pooled, scale=scale)
    return Cell(result.value, result.n, unit, minimum=minimum, details=result.details)


def _scored_rows(
    opportunity: Opportunity, hists: Histograms, before: date, after: list[date]
) -> list[Row]:
    definition = opportunity.definition
    touchpoints = list(opportunity.touchpoints.all())
    groups: list[tuple[str, list[int] | None]] = [(t.name, [t.pk]) for t in touchpoints]
    if len(touchpoints) > 1:
        groups.append((_("Its touchpoints together"), [t.pk for t in touchpoints]))
    if not touchpoints:
        groups = [(_("All answers"), None)]
    return [
        Row(
            label=label,
            before=_scored_cell(definition, hists, ids, [before]),
            after=_scored_cell(definition, hists, ids, after),
            kind=definition.kind,
        )
        for label, ids in groups
    ]


def _monthly_rollups(done: list[Opportunity], first: date) -> dict[tuple[int, date], Rollup]:
    rows = Rollup.objects.for_org(done[0].organisation_id).filter(
        definition_id__in={o.definition_id for o in done},
        granularity=MONTH,
        period_start__gte=first,
    )
    return {(r.definition_id, r.period_start): r for r in rows}


def _rollup_rows(
    opportunity: Opportunity, rollups: dict[tuple[int, date], Rollup], before: date, after
) -> list[Row]:
    definition = opportunity.definition
    unit = unit_of(definition)

    def cell(month: date | None) -> Cell:
        row = rollups.get((definition.pk, month)) if month else None
        if row is None:
            return Cell(None, 0, unit)
        return Cell(row.value, row.n, unit, details=row.details)

    return [
        Row(
            label=definition_label(definition),
            before=cell(before),
            after=cell(after[-1] if after else None),
            kind=definition.kind,
        )
    ]
