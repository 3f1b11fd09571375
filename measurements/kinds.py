"""Every rule that depends only on a metric's kind, in one table.

Validation, ingestion, the rollup engine, alerts, dashboards and the formula text all read
`KINDS`; none of them spells a kind's rule again. Adding a kind is one entry here plus its
metric function in `measurements.metrics` (and its branch in the rollup for its data source).
The table's order is the order kinds are shown in (a headline metric is the first by it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

from audiences.models import AudienceKind
from measurements.models import MetricKind

# The widest scale a scored definition may use (its minimum and maximum lie in it).
SCALE_LIMITS = (0, 100)

# NPS (PRODUCT.md): promoters score 9–10, detractors 0–6, passives 7–8, on 0–10 only.
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6

# How the member kinds' S and R are counted (PRODUCT.md's instants), said in their formulas
# (their %(members)s).
MEMBERS_WORDS = _(
    "S = members present at the period's start, R = those of them still present at its "
    "end; newcomers who join and leave inside the period are shown as joined-and-left"
)


class FollowupDefault(StrEnum):
    """Which low responses become follow-ups when a definition sets no threshold of its own."""

    DETRACTORS = "detractors"  # NPS: 0–6
    # The mirror of the top box the metric counts as satisfied or agreeing (scales.bottom_box):
    # 1–2 on a 1–5 CSAT, 1–3 on the 1–7 CES ("the organisation made it easy": low is hard).
    BOTTOM_BOX = "bottom_box"


class Source(StrEnum):
    """Which raw data a kind is computed from; the rollup engine dispatches on it."""

    SCORES = "scores"  # survey responses, through the daily score histograms
    CASES = "cases"  # support cases, opened → resolved
    MEMBERS = "members"  # member joins/leaves (and, for CLV, revenue events)


@dataclass(frozen=True)
class Kind:
    kind: MetricKind
    # What the kind is called when the audience has no special name for it; translatable
    # (lazy) where it is a word ("Retention"), an acronym ("NPS") stays as it is.
    label: str
    source: Source
    higher_is_better: bool
    # (low, high) a value can take; None where it has no bound (hours, money).
    value_range: tuple[float | None, float | None]
    unit: str = ""  # "%", "h" or "" (CLV's unit is the definition's currency)
    default_scale: tuple[int, int] | None = None  # scored kinds only
    fixed_scale: bool = False  # the scale cannot be changed (NPS is 0–10 by definition)
    # What an audience of a given kind calls this metric: an employee's NPS is an eNPS.
    audience_labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Touchpoint narrows the data: scores by the response's touchpoint, cases by the case's.
    by_touchpoint: bool = True
    uses_revenue: bool = False  # revenue events feed it as well as members
    # Where a target or alert threshold may lie, when that differs from value_range (a CLV
    # target below 0 means nothing, though a period with refunds may have a negative CLV).
    target_range: tuple[float | None, float | None] | None = None
    # The formula in words (PRODUCT.md), a translatable %-template (a literal percent sign is
    # "%%") that `measurements.formulas.formula_text` fills: %(label)s always; on scored kinds
    # %(lo)s, %(hi)s, %(scale)s ("lo–hi"), %(top_box)s, %(promoter_min)s and
    # %(detractor_max)s; on member kinds %(members)s; on kinds that use revenue %(margin)s.
    formula: str = ""
    # Which responses become follow-ups by default; None: the kind makes none (no one answer
    # to reach: cases, members, revenue).
    followup_default: FollowupDefault | None = None
    # Whether a change between periods has a significance test (PRODUCT.md gives none for a
    # median of hours or for CLV): the dashboard says so instead of showing no verdict.
    change_tested: bool = True

    @property
    def scored(self) -> bool:
        return self.source == Source.SCORES

    def label_for(self, audience_kind: str | None) -> str:
        if audience_kind is not None and audience_kind in self.audience_labels:
            return self.audience_labels[audience_kind]
        return self.label

    def worse_than(self, value: float, threshold: float) -> bool:
        """Whether `value` is on the wrong side of `threshold` (an alert's test)."""
        return value < threshold if self.higher_is_better else value > threshold

    def meets(self, value: float, target: float) -> bool:
        """Whether `value` reaches `target` (a card's "on target")."""
        return value >= target if self.higher_is_better else value <= target


def _labels(**by_audience_kind: str) -> Mapping[str, str]:
    return MappingProxyType({AudienceKind(k): v for k, v in by_audience_kind.items()})


KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        MetricKind.NPS: Kind(
            kind=MetricKind.NPS,
            label="NPS",
            source=Source.SCORES,
            higher_is_better=True,
            value_range=(-100, 100),
            default_scale=(0, 10),
            fixed_scale=True,
            audience_labels=_labels(employee="eNPS", candidate=_("Candidate NPS")),
            formula=_(
                "%(label)s = %% scoring %(promoter_min)s–%(hi)s minus %% scoring "
                "%(lo)s–%(detractor_max)s on %(scale)s"
            ),
            followup_default=FollowupDefault.DETRACTORS,
        ),
        MetricKind.CSAT: Kind(
            kind=MetricKind.CSAT,
            label="CSAT",
            source=Source.SCORES,
            higher_is_better=True,
            value_range=(0, 100),
            unit="%",
            default_scale=(1, 5),
            formula=_("%(label)s = %% scoring %(top_box)s on %(scale)s"),
            followup_default=FollowupDefault.BOTTOM_BOX,
        ),
        MetricKind.CES: Kind(
            kind=MetricKind.CES,
            label="CES",
            source=Source.SCORES,
            higher_is_better=True,
            value_range=(None, None),  # the mean lies within the definition's own scale
            default_scale=(1, 7),
            formula=_("%(label)s = mean score on %(scale)s (agree: %(top_box)s)"),
            followup_default=FollowupDefault.BOTTOM_BOX,
        ),
        MetricKind.TTR: Kind(
            kind=MetricKind.TTR,
            label=_("Time to resolution"),
            source=Source.CASES,
            higher_is_better=False,
            value_range=(0, None),
            unit="h",
            formula=_(
                "%(label)s = median hours from opened to resolved, over cases resolved in the "
                "period"
            ),
            change_tested=False,
        ),
        MetricKind.RETENTION: Kind(
            kind=MetricKind.RETENTION,
            label=_("Retention"),
            source=Source.MEMBERS,
            higher_is_better=True,
            value_range=(0, 100),
            unit="%",
            audience_labels=_labels(employee=_("Employee retention"), donor=_("Donor retention")),
            by_touchpoint=False,
            formula=_(
                "%(label)s = (R ÷ S) × 100, from 0 to 100, where %(members)s; none when S = 0"
            ),
        ),
        MetricKind.CHURN: Kind(
            kind=MetricKind.CHURN,
            label=_("Churn"),
            source=Source.MEMBERS,
            higher_is_better=False,
            value_range=(0, 100),
            unit="%",
            audience_labels=_labels(employee=_("Employee turnover"), donor=_("Donor churn")),
            by_touchpoint=False,
            formula=_(
                "%(label)s = ((S − R) ÷ S) × 100 = 100 − retention, the share of the starting "
                "members lost, where %(members)s; none when S = 0"
            ),
        ),
        MetricKind.CLV: Kind(
            kind=MetricKind.CLV,
            label="CLV",
            source=Source.MEMBERS,
            higher_is_better=True,
            value_range=(None, None),
            target_range=(0, None),
            audience_labels=_labels(donor=_("Donor lifetime value")),
            by_touchpoint=False,
            uses_revenue=True,
            formula=_(
                "%(label)s = ARPU × margin (%(margin)s) ÷ churn, "
                "where ARPU = revenue in the period ÷ (S + N), N = members who joined during it, "
                "and churn = (S − R) ÷ S is the share of the starting members lost over the "
                "period; none when churn is 0, when S = 0 or when the period has no revenue events"
            ),
            change_tested=False,
        ),
    }
)


def kind_of(kind: str) -> Kind:
    return KINDS[MetricKind(kind)]


def kinds_from(source: Source) -> tuple[str, ...]:
    """The kinds fed by one data source, in the table's order (for `kind__in=` filters)."""
    return tuple(k for k, spec in KINDS.items() if spec.source == source)


SCORED_KINDS = kinds_from(Source.SCORES)
CASE_KINDS = kinds_from(Source.CASES)
MEMBER_KINDS = kinds_from(Source.MEMBERS)
