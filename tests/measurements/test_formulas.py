"""The formula each definition shows, generated from its kind and scale (PRODUCT.md)."""

import pytest

from audiences.models import AudienceKind
from measurements.formulas import definition_label, formula_text, kind_label
from measurements.models import MetricDefinition, MetricKind
from tests.factories import AudienceFactory


def _definition(kind, audience_kind=AudienceKind.CUSTOMER, **fields):
    # Unsaved: formula text needs no database beyond the audience's kind.
    audience = AudienceFactory.build(kind=audience_kind)
    return MetricDefinition(audience=audience, kind=kind, name=kind, slug=kind, **fields)


def test_it_writes_nps_on_0_to_10():
    text = formula_text(_definition(MetricKind.NPS, scale_min=0, scale_max=10))
    assert text == "NPS = % scoring 9–10 minus % scoring 0–6 on 0–10"


def test_it_calls_an_employee_nps_an_enps():
    definition = _definition(MetricKind.NPS, AudienceKind.EMPLOYEE)
    assert definition_label(definition) == "eNPS"
    assert formula_text(definition) == "eNPS = % scoring 9–10 minus % scoring 0–6 on 0–10"


def test_it_writes_csat_top_two_on_the_default_scale():
    assert formula_text(_definition(MetricKind.CSAT)) == "CSAT = % scoring 4–5 on 1–5"


def test_it_follows_a_chosen_csat_scale():
    # Top two points of 1–10 are 9 and 10.
    text = formula_text(_definition(MetricKind.CSAT, scale_min=1, scale_max=10))
    assert text == "CSAT = % scoring 9–10 on 1–10"


def test_it_writes_ces_mean_with_agree_share():
    assert formula_text(_definition(MetricKind.CES)) == "CES = mean score on 1–7 (agree: 5–7)"


def test_it_writes_ces_on_a_five_point_scale_with_top_two():
    text = formula_text(_definition(MetricKind.CES, scale_min=1, scale_max=5))
    assert text == "CES = mean score on 1–5 (agree: 4–5)"


def test_it_writes_time_to_resolution():
    assert formula_text(_definition(MetricKind.TTR)) == (
        "Time to resolution = median hours from opened to resolved, "
        "over cases resolved in the period"
    )


def test_it_writes_retention_and_calls_it_donor_retention_for_donors():
    text = formula_text(_definition(MetricKind.RETENTION, AudienceKind.DONOR))
    assert text.startswith("Donor retention = (R ÷ S) × 100, from 0 to 100, where S = members")
    assert "R = those of them still present at its end" in text
    assert "joined-and-left" in text
    assert "E − N" not in text


def test_it_writes_churn_as_the_opposite_of_retention():
    text = formula_text(_definition(MetricKind.CHURN))
    assert text.startswith("Churn = ((S − R) ÷ S) × 100 = 100 − retention")
    assert "S + N − E" not in text


def test_it_writes_clv_with_the_definitions_margin():
    text = formula_text(_definition(MetricKind.CLV, margin_percent=80))
    assert text.startswith("CLV = ARPU × margin (80%) ÷ churn, where ARPU = revenue in the period")
    assert "÷ (S + N)" in text
    assert "churn = (S − R) ÷ S" in text
    assert text.endswith(
        "none when churn is 0, when S = 0 or when the period has no revenue events"
    )


def test_it_shows_a_fractional_margin_as_written():
    assert "margin (62.5%)" in formula_text(_definition(MetricKind.CLV, margin_percent="62.50"))


@pytest.mark.parametrize("kind", MetricKind.values)
def test_it_has_a_label_for_every_kind(kind):
    assert kind_label(kind=kind)
