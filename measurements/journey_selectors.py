"""Reads for the journey pages that show what measures each touchpoint
(measurements/views/journeys.py): metric definitions point at touchpoints, so journeys does not
read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience
from journeys import selectors as journey_selectors
from journeys.models import Persona, Phase, Stage, Touchpoint
from measurements import metrics, touchpoint_scores
from measurements.kinds import SCORED_KINDS, kind_of
from measurements.models import Granularity, MetricDefinition, Rollup
from measurements.opportunities import opportunities_by_touchpoint
from measurements.periods import latest_complete_start, next_start, previous_start
from measurements.selectors import KIND_ORDER, zone_of
from measurements.touchpoint_scores import Score


def journey_stages_measured(*, audience: Audience) -> QuerySet[Stage]:
    """The audience's stages and touchpoints in order (`journeys.selectors.journey_stages`),
    each touchpoint with the metric definitions measured at it, active first."""
    definitions = (
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .order_by("-active", "name")
    )
    return journey_selectors.journey_stages(
        audience=audience,
        touchpoint_prefetches=[Prefetch("metric_definitions", queryset=definitions)],
    )


@dataclass(frozen=True)
class DeleteImpact:
    """What removing a stage or touchpoint takes with it, for the confirmation page."""

    touchpoints: list[str]
    measured_by: list[str]  # metric definitions that stay, without their touchpoint
    # Touchpoints that stored responses or cases carry: while any is listed, nothing goes.
    carried: list[journey_selectors.TouchpointCarried] = field(default_factory=list)


def stage_delete_impact(*, stage: Stage) -> DeleteImpact:
    return _impact(Touchpoint.objects.for_org(stage.organisation_id).filter(stage=stage))


def touchpoint_delete_impact(*, touchpoint: Touchpoint) -> DeleteImpact:
    return _impact(Touchpoint.objects.for_org(touchpoint.organisation_id).filter(pk=touchpoint.pk))


def _impact(touchpoints: QuerySet[Touchpoint]) -> DeleteImpact:
    rows = list(touchpoints.order_by("position", "pk"))
    carried = journey_selectors.touchpoints_carried(touchpoints=touchpoints)
    definitions = (
        MetricDefinition.objects.for_org(rows[0].organisation_id)
        .filter(touchpoint__in=rows)
        .order_by("name")
        .values_list("name", flat=True)
        if rows
        else []
    )
    return DeleteImpact(
        touchpoints=[t.name for t in rows], measured_by=list(definitions), carried=carried
    )


# --- the map with its scores ---------------------------------------------------------------

# Where a stage with no score but an owner's "Feels" note sits on the emotion curve: the
# middle of the 0–100 line, neither good nor bad, marked as a note rather than a measurement.
NEUTRAL = 50.0

# The rows of the map under the touchpoints: (lane key, label, Touchpoint field).
LANES = (
    ("expects", _("Expects"), "expectations"),
    ("feels", _("Feels"), "emotions"),
    ("wants", _("Wants"), "motivations"),
    ("obstacles", _("Obstacles"), "obstacles"),
)

# A phase in one word, for the sentences that name a stage's phase in brackets.
PHASE_SHORT = {
    Phase.BEFORE: pgettext_lazy("journey phase, one word", "Before"),
    Phase.DURING: pgettext_lazy("journey phase, one word", "During"),
    Phase.AFTER: pgettext_lazy("journey phase, one word", "After"),
}


@dataclass
class TouchpointOnMap:
    """A touchpoint with its scores this period and what measures it."""

    touchpoint: Touchpoint
    scores: list[Score]
    measured_by: list[MetricDefinition]
    worst: bool = False
    opportunities: list = field(default_factory=list)


@dataclass
class StageOnMap:
    """A stage column: its touchpoints, its roll-up per metric and its point on the curve."""

    stage: Stage
    touchpoints: list[TouchpointOnMap]
    rollup: list[Score]
    curve: float | None = None
    curve_source: str = "none"  # "scores", "note" (owner's "Feels", no data) or "none"
    curve_note: str = ""

    @property
    def curve_counts(self) -> str:
        """The n of each shown roll-up the point is made of: "12 + 30"."""
        return " + ".join(str(s.n) for s in self.rollup if not s.hidden)

    @property
    def lanes(self) -> list[dict]:
        """The owner's words per lane (row of the map), each touchpoint's in order."""
        return [
            {
                "key": key,
                "label": label,
                "items": [
                    (t.touchpoint.name, getattr(t.touchpoint, name)) for t in self.touchpoints
                ],
            }
            for key, label, name in LANES
        ]


@dataclass
class PhaseGap:
    """One metric's after-minus-before gap over the touchpoints on the map."""

    definition: MetricDefinition
    before: Score
    after: Score

    @property
    def gap(self) -> float:
        return self.after.value - self.before.value


@dataclass
class JourneyMap:
    """Everything the journey map page shows, read in a fixed number of queries."""

    period_start: date
    period_end: date
    stages: list[StageOnMap]
    gaps: list[PhaseGap]
    worst: tuple[TouchpointOnMap, Score] | None
    personas: list[Persona] = field(default_factory=list)
    persona: Persona | None = None
    # The audience has stages, whether or not the persona filter left any on the map.
    mapped: bool = False
    # Where the stage order puts a later phase before an earlier one, in words.
    phase_warnings: list[str] = field(default_factory=list)

    @property
    def indicative_below(self) -> int:
        """The one rule for "indicative" (measurements.metrics), for the page's badges."""
        return metrics.INDICATIVE_BELOW

    @property
    def neutral(self) -> int:
        """Where a stage with only an owner's note sits on the curve, for the explanation."""
        return round(NEUTRAL)

    @property
    def has_scores(self) -> bool:
        return any(t.scores for s in self.stages for t in s.touchpoints)

    @property
    def curve_points(self) -> list[dict]:
        """The emotion curve, one point per stage column (for the chart and its table)."""
        return [
            {
                "stage": s.stage.name,
                "value": round(s.curve, 1) if s.curve is not None else None,
                "source": s.curve_source,
                "note": s.curve_note,
            }
            for s in self.stages
        ]


def persona_from_query(*, audience: Audience, raw: str) -> Persona | None:
    """The audience's persona named by `?persona=` (its id), or None for anything else: a
    word, an id out of range, another audience's or organisation's persona all read alike,
    so the answer says nothing about what exists elsewhere."""
    # Beyond a 64-bit key PostgreSQL would refuse the query instead of finding nothing.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**63 - 1:
        return None
    return (
        Persona.objects.for_org(audience.organisation_id)
        .filter(audience=audience, pk=int(raw))
        .first()
    )


def phase_order_warnings(stages: list[Stage]) -> list[str]:
    """One sentence per stage that comes after a stage of a later phase (an After stage
    dragged first): the order is the owner's to choose, but the before/after gap groups by
    phase, not by place, so the map says where the two disagree."""
    order = [value for value, _label in Phase.choices]
    out = []
    latest: Stage | None = None
    for stage in stages:
        if latest is not None and order.index(stage.phase) < order.index(latest.phase):
            out.append(
                gettext("“%(stage)s” (%(phase)s) comes after “%(earlier)s” (%(earlier_phase)s)")
                % {
                    "stage": stage.name,
                    "phase": PHASE_SHORT.get(stage.phase, stage.phase),
                    "earlier": latest.name,
                    "earlier_phase": PHASE_SHORT.get(latest.phase, latest.phase),
                }
            )
        elif latest is None or order.index(stage.phase) > order.index(latest.phase):
            latest = stage
    return out


def _persona_filter(stages: list[Stage], persona: Persona) -> list[tuple[Stage, list[Touchpoint]]]:
    """Only what the persona uses: the stages it is linked to or has a touchpoint in; in each,
    its linked touchpoints, or every touchpoint of a stage it is linked to as a whole."""
    stage_ids = {s.pk for s in persona.stages.all()}
    touchpoint_ids = {t.pk for t in persona.touchpoints.all()}
    out = []
    for stage in stages:
        cards = list(stage.touchpoints.all())
        own = [t for t in cards if t.pk in touchpoint_ids]
        if own:
            out.append((stage, own))
        elif stage.pk in stage_ids:
            out.append((stage, cards))
    return out


def _ttr_scores(
    definitions: list[MetricDefinition], start: date, granularity: str
) -> dict[int, Score]:
    """Definitions of other kinds measured at one touchpoint (time to resolution of its
    cases): their own rollup is that touchpoint's value, as on the dashboard's card."""
    at_touchpoint = [
        d
        for d in definitions
        if d.kind not in SCORED_KINDS and d.touchpoint_id and kind_of(d.kind).by_touchpoint
    ]
    if not at_touchpoint:
        return {}
    before = previous_start(granularity, start)
    rows = {
        (r.definition_id, r.period_start): r
        for r in Rollup.objects.for_org(at_touchpoint[0].organisation_id).filter(
            definition__in=at_touchpoint,
            granularity=granularity,
            period_start__in=[before, start],
        )
    }
    out = {}
    for d in at_touchpoint:
        now, then = rows.get((d.pk, start)), rows.get((d.pk, before))
        if now is None:
            continue
        previous = Score(d, then.value, then.n, then.details, False) if then else None
        out[d.pk] = Score(d, now.value, now.n, now.details, False, previous)
    return out


def _curve(column: StageOnMap) -> None:
    """The stage's point: the n-weighted mean of its roll-ups on the shared 0–100 line, else
    the owner's "Feels" notes as a neutral point, else nothing (a gap in the line)."""
    shown = [s for s in column.rollup if s.normalised is not None]
    if shown:
        total = sum(s.n for s in shown)
        column.curve = sum(s.normalised * s.n for s in shown) / total
        column.curve_source = "scores"
        return
    notes = [
        f"{t.touchpoint.name}: {t.touchpoint.emotions.strip()}"
        for t in column.touchpoints
        if t.touchpoint.emotions.strip()
    ]
    if notes:
        column.curve, column.curve_source, column.curve_note = NEUTRAL, "note", " · ".join(notes)


def journey_map(
    *,
    audience: Audience,
    persona: Persona | None = None,
    granularity: str = Granularity.MONTH,
    now: datetime | None = None,
) -> JourneyMap:
    """The audience's journey with the latest complete period's scores on every touchpoint,
    stage roll-ups, the before/after gap and the worst touchpoint against its target.

    Scores come from `measurements.touchpoint_scores`, the rule the dashboard's breakdown by
    touchpoint uses: every active scored metric whose answers are tagged with a touchpoint,
    whatever touchpoint (if any) the definition itself names.
    """
    now = now or timezone.now()
    start = latest_complete_start(granularity, zone_of(audience.organisation), now)
    definitions = list(
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("audience")
        .order_by("name")
    )
    definitions.sort(key=lambda d: (not d.active, KIND_ORDER.index(d.kind), d.name))
    active = [d for d in definitions if d.active]
    histograms = touchpoint_scores.touchpoint_histograms(
        definitions=active, start=start, granularity=granularity
    )
    other = _ttr_scores(active, start, granularity)
    stages = list(journey_stages_measured(audience=audience))
    columns = (
        _persona_filter(stages, persona)
        if persona is not None
        else [(s, list(s.touchpoints.all())) for s in stages]
    )
    scored = [d for d in active if d.kind in SCORED_KINDS]
    opportunities = opportunities_by_touchpoint(audience)
    out_stages = []
    for stage, cards in columns:
        on_map = []
        for tp in cards:
            scores = [
                s
                for d in scored
                if (s := touchpoint_scores.group_scores(d, histograms, [tp.pk])) is not None
            ]
            scores += [other[d.pk] for d in active if d.pk in other and d.touchpoint_id == tp.pk]
            named = list(tp.metric_definitions.all())
            measured = named + [
                s.definition for s in scores if s.definition.pk not in {d.pk for d in named}
            ]
            on_map.append(
                TouchpointOnMap(tp, scores, measured, opportunities=opportunities.get(tp.pk, []))
            )
        ids = [t.touchpoint.pk for t in on_map]
        rollup = [s for d in scored if (s := touchpoint_scores.group_scores(d, histograms, ids))]
        column = StageOnMap(stage, on_map, rollup)
        _curve(column)
        out_stages.append(column)
    worst = _worst(out_stages)
    if worst:
        worst[0].worst = True
    return JourneyMap(
        period_start=start,
        period_end=next_start(granularity, start),
        stages=out_stages,
        gaps=_gaps(scored, histograms, out_stages),
        worst=worst,
        personas=list(journey_selectors.audience_personas(audience=audience)),
        persona=persona,
        mapped=bool(stages),
        phase_warnings=phase_order_warnings(stages),
    )


def _gaps(
    scored: list[MetricDefinition],
    histograms: touchpoint_scores.TouchpointHistograms,
    columns: list[StageOnMap],
) -> list[PhaseGap]:
    ids = {
        phase: [t.touchpoint.pk for c in columns if c.stage.phase == phase for t in c.touchpoints]
        for phase in (Phase.BEFORE, Phase.AFTER)
    }
    out = []
    for d in scored:
        before = touchpoint_scores.group_scores(d, histograms, ids[Phase.BEFORE])
        after = touchpoint_scores.group_scores(d, histograms, ids[Phase.AFTER])
        if before and after and before.value is not None and after.value is not None:
            out.append(PhaseGap(d, before, after))
    return out


def _worst(columns: list[StageOnMap]) -> tuple[TouchpointOnMap, Score] | None:
    """The touchpoint whose score falls furthest below its target, as a share of the metric's
    range (so an NPS 20 points short is as far off as a CSAT 10 points short); None when
    every shown score meets its target."""
    candidates = [
        (score.shortfall_share, score.n, tp, score)
        for column in columns
        for tp in column.touchpoints
        for score in tp.scores
        if score.shortfall_share and score.definition.kind in SCORED_KINDS
    ]
    if not candidates:
        return None
    _share, _n, tp, score = max(candidates, key=lambda c: (c[0], c[1]))
    return tp, score
