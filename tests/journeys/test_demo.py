"""The demo's journeys, plans and definitions: valid, idempotent, and leaving gaps on purpose."""

from audiences.demo import seed_registry
from audiences.models import Audience
from journeys.models import PersonaQuote, Stage, Touchpoint
from measurements.demo import seed_measurement
from measurements.liability import liabilities_for
from measurements.models import MeasurementPlan, MetricDefinition


def _counts():
    return [
        m._default_manager.count()
        for m in (Stage, Touchpoint, PersonaQuote, MeasurementPlan, MetricDefinition)
    ]


def test_it_seeds_most_of_the_top_ten_and_twice_is_the_same_as_once(db):
    seed_measurement(seed_registry())
    once = _counts()
    seed_measurement(seed_registry())
    assert _counts() == once

    top_ten = list(Audience.all_orgs.filter(organisation__slug="riverside", rank__isnull=False))
    liabilities = liabilities_for(top_ten)
    missing_plan_or_journey = {
        a.slug
        for a in top_ten
        if {"plan_recorded", "journey_mapped"} & {k for k, _, _ in liabilities[a.pk].failures}
    }
    assert missing_plan_or_journey == {
        "support-staff",
        "school-board",
        "bus-contractor",
        "teacher-candidates",
    }
    teachers_nps = MetricDefinition.all_orgs.get(audience__slug="teachers", slug="nps")
    assert teachers_nps.kind == "nps" and teachers_nps.name == "Teacher eNPS"
    phases = set(
        Stage.all_orgs.filter(audience__slug="prospective-families").values_list("phase", flat=True)
    )
    assert phases == {"before", "during", "after"}
    assert MetricDefinition.all_orgs.filter(audience__organisation__slug="northwind").count() == 7
