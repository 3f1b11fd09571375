"""How each metric is made, in words, and what to call it for a given audience.

The text follows PRODUCT.md ("Metrics — exact definitions") word for word in substance, so a
reader of a dashboard never has to guess how a number was made. Scales and top-box ranges come
from `measurements.scales`, the same place the validation and the metric functions use.
"""

from __future__ import annotations

from decimal import Decimal

from audiences.models import AudienceKind
from measurements.models import MetricDefinition, MetricKind
from measurements.scales import scale_of, top_box

# The same kinds serve every audience; only the name a reader knows them by changes.
_AUDIENCE_LABELS: dict[tuple[str, str], str] = {
    (AudienceKind.EMPLOYEE, MetricKind.NPS): "eNPS",
    (AudienceKind.CANDIDATE, MetricKind.NPS): "Candidate NPS",
    (AudienceKind.EMPLOYEE, MetricKind.RETENTION): "Employee retention",
    (AudienceKind.EMPLOYEE, MetricKind.CHURN): "Employee turnover",
    (AudienceKind.DONOR, MetricKind.RETENTION): "Donor retention",
    (AudienceKind.DONOR, MetricKind.CHURN): "Donor churn",
    (AudienceKind.DONOR, MetricKind.CLV): "Donor lifetime value",
}

_DETRACTOR_MAX = 6
_PROMOTER_MIN = 9


def kind_label(*, kind: str, audience_kind: str | None = None) -> str:
    """What to call a metric kind for an audience kind: an employee audience's NPS is an eNPS."""
    if audience_kind is not None:
        special = _AUDIENCE_LABELS.get((audience_kind, kind))
        if special:
            return special
    if kind == MetricKind.CLV:
        return "CLV"
    return MetricKind(kind).label


def definition_label(definition: MetricDefinition) -> str:
    """The kind's name as this definition's audience knows it ("eNPS", "Donor retention")."""
    # RelatedObjectDoesNotExist is an AttributeError: a definition without audience is plain.
    audience = getattr(definition, "audience", None)
    audience_kind = audience.kind if audience is not None else None
    return kind_label(kind=definition.kind, audience_kind=audience_kind)


def _range(lo: int, hi: int) -> str:
    return f"{lo}–{hi}"


def _margin_text(margin: Decimal | float | int | None) -> str:
    value = Decimal(str(100 if margin is None else margin)).normalize()
    # normalize() writes 100 as 1E+2; quantize back to a plain number.
    return f"{value.quantize(Decimal(1)) if value == value.to_integral() else value}%"


def formula_text(definition: MetricDefinition) -> str:
    """The definition's formula in words, generated from its kind and scale."""
    label = definition_label(definition)
    kind = definition.kind
    scale = scale_of(kind=kind, scale_min=definition.scale_min, scale_max=definition.scale_max)
    if kind == MetricKind.NPS:
        lo, hi = scale
        return (
            f"{label} = % scoring {_range(_PROMOTER_MIN, hi)} minus % scoring "
            f"{_range(lo, _DETRACTOR_MAX)} on {_range(lo, hi)}"
        )
    if kind == MetricKind.CSAT:
        box = top_box(kind=kind, scale=scale)
        return f"{label} = % scoring {_range(*box)} on {_range(*scale)}"
    if kind == MetricKind.CES:
        box = top_box(kind=kind, scale=scale)
        return f"{label} = mean score on {_range(*scale)} (agree: {_range(*box)})"
    if kind == MetricKind.TTR:
        return f"{label} = median hours from opened to resolved, over cases resolved in the period"
    members = (
        "S = members present at the period's start, R = those of them still present at its "
        "end; newcomers who join and leave inside the period are shown as joined-and-left"
    )
    if kind == MetricKind.RETENTION:
        return f"{label} = (R ÷ S) × 100, from 0 to 100, where {members}; none when S = 0"
    if kind == MetricKind.CHURN:
        return (
            f"{label} = ((S − R) ÷ S) × 100 = 100 − retention, the share of the starting "
            f"members lost, where {members}; none when S = 0"
        )
    if kind == MetricKind.CLV:
        return (
            f"{label} = ARPU × margin ({_margin_text(definition.margin_percent)}) ÷ churn, "
            "where ARPU = revenue in the period ÷ (S + N), N = members who joined during it, "
            "and churn = (S − R) ÷ S is the share of the starting members lost over the period; "
            "none when churn is 0, when S = 0 or when the period has no revenue events"
        )
    raise ValueError(f"Unknown metric kind {kind!r}")
