"""Scores of survey responses grouped by the touchpoint they were tagged with: one rule for the
dashboard's breakdown by touchpoint and phase and for the journey map's touchpoint, stage and
phase scores, so the two pages cannot disagree.

A group's value is the definition's formula (`metrics.scored_from_histogram`) over the
responses of the group, whatever touchpoint the definition itself names; a group under the
definition's minimum size is hidden (`measurements.privacy.cell_shown`) wherever it is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Value, When

from measurements import intervals, metrics, privacy
from measurements.kinds import SCORED_KINDS, kind_of
from measurements.models import MetricDefinition, MetricKind, Response
from measurements.periods import next_start, previous_start
from measurements.scales import scale_of
from measurements.selectors import organisation_id_of

Histogram = dict[int, int]


@dataclass(frozen=True)
class Score:
    """One definition's value over one group of responses in one period (None when hidden)."""

    definition: MetricDefinition
    value: float | None
    n: int
    details: Mapping[str, Any]
    hidden: bool
    previous: Score | None = None

    @property
    def kind(self):
        return kind_of(self.definition.kind)

    @property
    def target(self) -> float | None:
        return self.definition.target

    @property
    def indicative(self) -> bool:
        return self.value is not None and metrics.is_indicative(self.n)

    @property
    def interval(self) -> intervals.Interval | None:
        return intervals.interval_of(
            kind=self.definition.kind,
            value=self.value,
            n=self.n,
            details=self.details,
            scale=definition_scale(self.definition),
        )

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None or self.previous.value is None:
            return None
        return self.value - self.previous.value

    @property
    def change_verdict(self) -> str | None:
        if self.change is None:
            return None
        before = self.previous
        return intervals.change_verdict(
            kind=self.definition.kind,
            before=(before.value, before.n, before.details),
            after=(self.value, self.n, self.details),
        )

    @property
    def target_met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.kind.meets(self.value, self.target)

    @property
    def shortfall(self) -> float | None:
        """How far the value falls short of the target, in the metric's unit (0 when met)."""
        if self.value is None or self.target is None:
            return None
        gap = self.target - self.value if self.kind.higher_is_better else self.value - self.target
        return max(gap, 0.0)

    @property
    def shortfall_share(self) -> float | None:
        """The shortfall as a share of the metric's whole range, to compare NPS with CSAT;
        None for kinds without a bounded range (hours to resolution)."""
        if self.shortfall is None or self.definition.kind not in SCORED_KINDS:
            return None
        return self.shortfall / value_span(self.definition)

    @property
    def normalised(self) -> float | None:
        """The value on 0 (worst possible) … 100 (best possible): see `normalised_value`."""
        return normalised_value(self.definition, self.value)


def definition_scale(definition: MetricDefinition) -> tuple[int, int] | None:
    return scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )


def value_span(definition: MetricDefinition) -> float:
    """Width of the range a scored value can take: 200 for NPS, 100 for CSAT, the scale's
    width for a CES mean."""
    if definition.kind == MetricKind.CES:
        lo, hi = definition_scale(definition)
        return float(hi - lo) or 1.0
    lo, hi = kind_of(definition.kind).value_range
    return float(hi - lo)


def normalised_value(definition: MetricDefinition, value: float | None) -> float | None:
    """A scored value on one 0–100 line, 100 the best the kind allows: NPS (−100…100) as
    (NPS + 100) ÷ 2, CSAT as it is (a share already), a CES mean as its place on the
    definition's scale ((mean − min) ÷ (max − min) × 100). Other kinds have no place on it."""
    if value is None or definition.kind not in SCORED_KINDS:
        return None
    if definition.kind == MetricKind.CES:
        lo, _hi = definition_scale(definition)
        return (value - lo) / value_span(definition) * 100
    lo, _hi = kind_of(definition.kind).value_range
    return (value - lo) / value_span(definition) * 100


def score_of(
    definition: MetricDefinition, hist: Mapping[int, int], previous: Score | None = None
) -> Score:
    """The definition's value over a histogram of answers, hidden under its minimum group."""
    n = sum(hist.values())
    if not privacy.cell_shown(definition, n):
        return Score(definition, None, 0, {}, True, previous)
    result = metrics.scored_from_histogram(
        kind=definition.kind, hist=hist, scale=definition_scale(definition)
    )
    return Score(definition, result.value, result.n, result.details, False, previous)


def merged(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    """Several groups' answers as one group (a stage's touchpoints, a phase's stages)."""
    out: Histogram = {}
    for hist in histograms:
        for score, count in hist.items():
            out[score] = out.get(score, 0) + count
    return out


@dataclass
class TouchpointHistograms:
    """Answers per (definition id, touchpoint id or None) in a period and the one before it,
    with each touchpoint's name and phase as the responses' touchpoints say."""

    current: dict[tuple[int, int | None], Histogram]
    previous: dict[tuple[int, int | None], Histogram]
    names: dict[int, str]
    phases: dict[int, str]


def touchpoint_histograms(
    *, definitions: list[MetricDefinition], start: date, granularity: str
) -> TouchpointHistograms:
    """The scored definitions' answers in the period from `start` and the one before, per
    touchpoint. 1 query over the (definition, local_date) index."""
    scored = [d for d in definitions if d.kind in SCORED_KINDS]
    out = TouchpointHistograms({}, {}, {}, {})
    if not scored:
        return out
    before = previous_start(granularity, start)
    rows = (
        Response.objects.for_org(organisation_id_of(scored))
        .filter(
            definition__in=scored,
            local_date__gte=before,
            local_date__lt=next_start(granularity, start),
        )
        .annotate(
            current=Case(
                When(local_date__gte=start, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values(
            "definition_id",
            "touchpoint_id",
            "touchpoint__name",
            "touchpoint__stage__phase",
            "current",
            "score",
        )
        .annotate(c=Count("*"))
        .order_by()
    )
    for row in rows:
        key = (row["definition_id"], row["touchpoint_id"])
        target = out.current if row["current"] else out.previous
        hist = target.setdefault(key, {})
        hist[row["score"]] = hist.get(row["score"], 0) + row["c"]
        if row["touchpoint_id"] is not None:
            out.names[row["touchpoint_id"]] = row["touchpoint__name"]
            out.phases[row["touchpoint_id"]] = row["touchpoint__stage__phase"]
    return out


def group_scores(
    definition: MetricDefinition,
    histograms: TouchpointHistograms,
    touchpoint_ids: Iterable[int | None],
) -> Score | None:
    """The definition's score over the answers at these touchpoints together (this period,
    with the previous one for the change); None when none of them has an answer now."""
    ids = list(touchpoint_ids)
    now = [
        histograms.current[(definition.pk, t)]
        for t in ids
        if (definition.pk, t) in histograms.current
    ]
    if not now:
        return None
    then = [
        histograms.previous[(definition.pk, t)]
        for t in ids
        if (definition.pk, t) in histograms.previous
    ]
    previous = _guarded(definition, then, None) if then else None
    return _guarded(definition, now, previous)


def _guarded(definition: MetricDefinition, parts: list[Histogram], previous: Score | None) -> Score:
    score = score_of(definition, merged(parts), previous)
    if len(parts) > 1 and not score.hidden and _reveals_a_hidden_part(definition, parts):
        return Score(definition, None, 0, {}, True, previous)
    return score


def _reveals_a_hidden_part(definition: MetricDefinition, parts: list[Histogram]) -> bool:
    """A group shown beside its parts gives away the hidden ones by subtraction, unless the
    hidden parts together are a group big enough to show (complementary suppression)."""
    hidden = [n for n in (sum(h.values()) for h in parts) if not privacy.cell_shown(definition, n)]
    return bool(hidden) and not privacy.cell_shown(definition, sum(hidden))


def scores_by_phase(
    definition: MetricDefinition, histograms: TouchpointHistograms
) -> dict[str, Score]:
    """The definition's score per journey phase (answers at the touchpoints of its stages)."""
    by_phase: dict[str, list[int]] = defaultdict(list)
    for touchpoint_id, phase in histograms.phases.items():
        if phase:
            by_phase[phase].append(touchpoint_id)
    out = {}
    for phase, ids in by_phase.items():
        score = group_scores(definition, histograms, ids)
        if score is not None:
            out[phase] = score
    return out


def phase_gap(by_phase: Mapping[str, Score]) -> float | None:
    """After minus before: the brief says they are different experiences, so show the gap.
    None unless both phases show a value."""
    before, after = by_phase.get("before"), by_phase.get("after")
    if not before or not after or before.value is None or after.value is None:
        return None
    return after.value - before.value
