"""The Riverside demo is numbers a district CX lead would believe (issue #11).

A district of 14,000 students: about 1,000 teachers at every month's start with a summer dip
in retention, one currency for the foundation's revenue, a couple of alerts in the year, most
monthly values on at least 30 answers, and values in the ranges real surveys give. The year
follows the calendar, so the checks hold on whatever day the suite runs.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from audiences.models import Organisation
from measurements.demo_results import demo_year, seed_results
from measurements.models import (
    Alert,
    AudienceMember,
    MetricDefinition,
    MetricKind,
    Response,
    RevenueEvent,
    Rollup,
)

# (low, high) a believable monthly value of each kind lies in (TTR in hours: hours to days).
RANGES = {
    MetricKind.NPS: (-20, 60),
    MetricKind.CSAT: (70, 90),
    MetricKind.CES: (4.5, 6.5),
    MetricKind.TTR: (1, 240),
    MetricKind.RETENTION: (90, 100),
}


@pytest.fixture
def riverside(db):
    # Seeding takes seconds: each test below checks several facts of one seed.
    call_command("seed_demo", stdout=StringIO())
    return Organisation.objects.get(slug="riverside")


def test_a_district_cx_lead_would_believe_the_demo(riverside):
    teachers_are_a_district_sized_stable_cohort(riverside)
    the_foundation_takes_one_currency_and_its_clv_is_in_it(riverside)
    a_real_district_has_a_few_alerts(riverside)
    most_monthly_values_rest_on_thirty_answers_and_lie_in_real_ranges(riverside)
    nothing_is_in_the_future_and_a_second_run_writes_nothing(riverside)


def _shown(organisation, definition):
    """The monthly rows a dashboard shows: the twelve complete months of the demo year."""
    year = demo_year(organisation)
    return list(
        Rollup.objects.for_org(organisation)
        .filter(definition=definition, granularity="month")
        .filter(period_start__gte=year.months[0], period_start__lt=year.months[-1])
        .order_by("period_start")
    )


def teachers_are_a_district_sized_stable_cohort(riverside):
    retention = MetricDefinition.objects.for_org(riverside).get(
        audience__slug="teachers", slug="retention"
    )
    rows = _shown(riverside, retention)
    assert len(rows) == 12
    for row in rows:
        assert 800 <= row.details["S"] <= 1200, (row.period_start, row.details)
        assert 90 <= row.value <= 100, (row.period_start, row.value)
    # The summer dip: the school year's resignations take effect in June.
    june = next(r for r in rows if r.period_start.month == 6)
    assert june.value == min(r.value for r in rows) < 97
    # No growth from a handful: the first month already starts with the whole staff.
    assert rows[0].details["S"] >= 800
    assert (
        AudienceMember.objects.for_org(riverside).filter(audience__slug="teachers").count() < 1400
    )


def the_foundation_takes_one_currency_and_its_clv_is_in_it(riverside):
    currencies = set(RevenueEvent.objects.for_org(riverside).values_list("currency", flat=True))
    assert currencies == {"USD"}  # America/New_York
    clv = MetricDefinition.objects.for_org(riverside).get(audience__slug="donors", slug="clv")
    assert clv.currency == "USD"
    values = [r.value for r in _shown(riverside, clv)]
    assert all(v is not None and 1000 <= v <= 5000 for v in values), values


def a_real_district_has_a_few_alerts(riverside):
    open_alerts = Alert.objects.for_org(riverside).filter(resolved_at=None)
    assert 1 <= open_alerts.count() <= 5, list(open_alerts.values_list("definition__slug", "value"))
    assert Alert.objects.for_org(riverside).count() <= 3


def most_monthly_values_rest_on_thirty_answers_and_lie_in_real_ranges(riverside):
    shown = []
    for definition in MetricDefinition.objects.for_org(riverside).filter(active=True):
        rows = [r for r in _shown(riverside, definition) if r.value is not None]
        assert len(rows) >= 11, definition
        shown += rows
        low, high = RANGES.get(definition.kind, (None, None))
        if low is not None:
            outside = [(r.period_start, r.value) for r in rows if not low <= r.value <= high]
            assert outside == [], (definition.audience.slug, definition.slug)
    assert sum(r.n >= 30 for r in shown) / len(shown) >= 0.75


def nothing_is_in_the_future_and_a_second_run_writes_nothing(riverside):
    year = demo_year(riverside)
    assert not Response.objects.for_org(riverside).filter(responded_at__gt=year.now).exists()
    again = seed_results(riverside)
    assert (again["responses"], again["members"], again["revenue_events"]) == (0, 0, 0)


def test_a_month_later_the_year_moves_on(riverside):
    # Seeded as of a year ago, the demo covers the year before; seeding as of today again
    # replaces the demo's rows of that year with this year's (`./ax up` a month later).
    year = demo_year(riverside)
    earlier = year.months[0].replace(day=28)
    seed_results(riverside, today=earlier)
    moved = seed_results(riverside)
    assert moved["removed"]["responses"] > 0 and moved["responses"] > 0
    tags = set(Response.objects.for_org(riverside).values_list("external_id", flat=True).distinct())
    assert {t.split("-")[1] for t in tags} == {year.tag}
