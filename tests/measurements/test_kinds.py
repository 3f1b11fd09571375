"""The table of metric-kind rules (measurements.kinds): one entry per kind, each rule as before."""

import re

import pytest

from audiences.models import AudienceKind
from measurements.kinds import (
    CASE_KINDS,
    KINDS,
    MEMBER_KINDS,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    SCORED_KINDS,
    Source,
    kind_of,
)
from measurements.models import MetricKind

# What the dashboards called each kind before the table existed (formulas._AUDIENCE_LABELS and
# MetricKind's labels, with CLV shortened): any audience kind not listed uses the plain label.
PLAIN_LABELS = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "ttr": "Time to resolution",
    "retention": "Retention",
    "churn": "Churn",
    "clv": "CLV",
}
SPECIAL_LABELS = {
    ("employee", "nps"): "eNPS",
    ("candidate", "nps"): "Candidate NPS",
    ("employee", "retention"): "Employee retention",
    ("employee", "churn"): "Employee turnover",
    ("donor", "retention"): "Donor retention",
    ("donor", "churn"): "Donor churn",
    ("donor", "clv"): "Donor lifetime value",
}


def test_it_has_exactly_one_entry_per_metric_kind_in_the_kinds_order():
    assert list(KINDS) == list(MetricKind)
    assert all(spec.kind == kind for kind, spec in KINDS.items())


def test_it_finds_a_kind_by_its_plain_value_and_refuses_an_unknown_one():
    assert kind_of("ttr") is KINDS[MetricKind.TTR]
    with pytest.raises(ValueError):
        kind_of("mood")


@pytest.mark.parametrize("kind", MetricKind.values)
@pytest.mark.parametrize("audience_kind", [*AudienceKind.values, None])
def test_it_names_every_kind_for_every_audience_as_the_dashboards_did(audience_kind, kind):
    expected = SPECIAL_LABELS.get((audience_kind, kind), PLAIN_LABELS[kind])
    assert kind_of(kind).label_for(audience_kind) == expected


def test_it_calls_hand_picked_kinds_by_their_audience_names():
    assert KINDS[MetricKind.NPS].label_for(AudienceKind.EMPLOYEE) == "eNPS"
    assert KINDS[MetricKind.CHURN].label_for(AudienceKind.DONOR) == "Donor churn"
    assert KINDS[MetricKind.CLV].label_for(AudienceKind.CUSTOMER) == "CLV"
    assert KINDS[MetricKind.TTR].label_for(AudienceKind.CUSTOMER) == "Time to resolution"


def test_it_alerts_on_an_nps_below_its_threshold_and_meets_a_target_at_or_above_it():
    nps = KINDS[MetricKind.NPS]
    assert nps.worse_than(10, 20)
    assert not nps.worse_than(20, 20)
    assert not nps.worse_than(30, 20)
    assert nps.meets(20, 20)
    assert nps.meets(35, 20)
    assert not nps.meets(19.5, 20)


def test_it_alerts_on_a_ttr_above_its_threshold_and_meets_a_target_at_or_below_it():
    ttr = KINDS[MetricKind.TTR]
    assert ttr.worse_than(30, 24)
    assert not ttr.worse_than(24, 24)
    assert not ttr.worse_than(12, 24)
    assert ttr.meets(24, 24)
    assert ttr.meets(12, 24)
    assert not ttr.meets(24.5, 24)


def test_it_counts_only_ttr_and_churn_as_lower_is_better():
    lower = {kind for kind, spec in KINDS.items() if not spec.higher_is_better}
    assert lower == {"ttr", "churn"}


def test_it_feeds_each_kind_from_its_data_source():
    assert set(SCORED_KINDS) == {"nps", "csat", "ces"}
    assert set(CASE_KINDS) == {"ttr"}
    assert set(MEMBER_KINDS) == {"retention", "churn", "clv"}
    assert [k for k, spec in KINDS.items() if spec.uses_revenue] == ["clv"]
    assert all(spec.scored == (spec.source == Source.SCORES) for spec in KINDS.values())


def test_it_gives_scored_kinds_their_default_scales_and_fixes_only_nps():
    scales = {kind: spec.default_scale for kind, spec in KINDS.items()}
    assert scales == {
        "nps": (0, 10),
        "csat": (1, 5),
        "ces": (1, 7),
        "ttr": None,
        "retention": None,
        "churn": None,
        "clv": None,
    }
    assert [kind for kind, spec in KINDS.items() if spec.fixed_scale] == ["nps"]


def test_it_splits_nps_at_the_brief_cut_offs():
    # Promoters 9–10, detractors 0–6 (PRODUCT.md).
    assert (NPS_PROMOTER_MIN, NPS_DETRACTOR_MAX) == (9, 6)


@pytest.mark.parametrize("kind", MetricKind.values)
def test_it_words_every_formula_with_only_the_blanks_formula_text_fills(kind):
    spec = kind_of(kind)
    # A translatable %-template since issue 15 (translators keep %(name)s, a literal % is %%).
    formula = str(spec.formula)
    blanks = set(re.findall(r"%\((\w+)\)s", formula))
    allowed = {"label"}
    if spec.scored:
        allowed |= {"lo", "hi", "scale", "top_box", "promoter_min", "detractor_max"}
    if spec.source == "members":
        allowed.add("members")
    if spec.uses_revenue:
        allowed.add("margin")
    assert formula.startswith("%(label)s = ")
    assert blanks <= allowed
    assert "%" not in re.sub(r"%\(\w+\)s|%%", "", formula)  # no stray format flag
