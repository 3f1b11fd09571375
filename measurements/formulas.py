"""How each metric is made, in words, and what to call it for a given audience.

The text follows PRODUCT.md ("Metrics — exact definitions") word for word in substance, so a
reader of a dashboard never has to guess how a number was made. The words and the names are
the kind's, in `measurements.kinds`; scales and top-box ranges come from `measurements.scales`,
the same place the validation and the metric functions use.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import pgettext

from measurements.kinds import MEMBERS_WORDS, NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN, Source, kind_of
from measurements.models import MetricDefinition
from measurements.scales import scale_of, top_box


def kind_label(*, kind: str, audience_kind: str | None = None) -> str:
    """What to call a metric kind for an audience kind: an employee audience's NPS is an eNPS;
    in the active language ("Time to resolution", ko "해결 시간")."""
    return str(kind_of(kind).label_for(audience_kind))


def definition_label(definition: MetricDefinition) -> str:
    """The kind's name as this definition's audience knows it ("eNPS", "Donor retention")."""
    # RelatedObjectDoesNotExist is an AttributeError: a definition without audience is plain.
    audience = getattr(definition, "audience", None)
    audience_kind = audience.kind if audience is not None else None
    return kind_label(kind=definition.kind, audience_kind=audience_kind)


def _range(lo: int, hi: int) -> str:
    return f"{lo}–{hi}"


def _margin_text(margin: Decimal | float | int | None) -> str:
    """ "80%", "62.5%" (as written); ko "80%", tr "%80", "%62,5"."""
    value = Decimal(str(100 if margin is None else margin)).normalize()
    # normalize() writes 100 as 1E+2; quantize back to a plain number.
    number = value.quantize(Decimal(1)) if value == value.to_integral() else value
    return pgettext("a gross margin in a formula", "%(number)s%%") % {
        "number": formats.number_format(number)
    }


def formula_text(definition: MetricDefinition) -> str:
    """The definition's formula in words, in the active language: its kind's template, filled
    from its scale."""
    spec = kind_of(definition.kind)
    words: dict[str, object] = {
        "label": definition_label(definition),
        "promoter_min": NPS_PROMOTER_MIN,
        "detractor_max": NPS_DETRACTOR_MAX,
    }
    if spec.source == Source.MEMBERS:
        words["members"] = MEMBERS_WORDS
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    if scale is not None:
        lo, hi = scale
        box = top_box(kind=definition.kind, scale=scale)
        words |= {"lo": lo, "hi": hi, "scale": _range(lo, hi), "top_box": _range(*box)}
    if spec.uses_revenue:
        words["margin"] = _margin_text(definition.margin_percent)
    return str(spec.formula) % words
