"""The demo's teacher journey shows its scores on the map, the same as the dashboard's
breakdown by touchpoint (it used to say "No metric" on every touchpoint)."""

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from audiences.models import Audience
from measurements import dashboard_selectors
from measurements.journey_selectors import journey_map
from measurements.models import MetricDefinition


def test_the_demo_teacher_journey_shows_the_dashboards_numbers_on_every_touchpoint(db, client):
    call_command("seed_demo", stdout=StringIO())
    teachers = Audience.all_orgs.get(organisation__slug="riverside", slug="teachers")
    result = journey_map(audience=teachers)
    cards = [t for s in result.stages for t in s.touchpoints]
    assert cards and all(t.scores and t.measured_by for t in cards)
    assert result.worst is not None

    definitions = list(MetricDefinition.all_orgs.filter(audience=teachers, active=True))
    breakdowns = dashboard_selectors.dashboard_breakdowns(
        definitions=definitions, start=result.period_start, granularity="month"
    )
    on_dashboard = {
        (d_id, cell.label): (cell.value, cell.n)
        for d_id, parts in breakdowns.items()
        for cell in parts["touchpoint"]
        if cell.label != "No touchpoint"
    }
    on_map = {
        (score.definition.pk, t.touchpoint.name): (score.value, score.n)
        for t in cards
        for score in t.scores
    }
    assert on_map == on_dashboard

    client.force_login(User.objects.get(email="maya.chen@riverside.example"))
    page = client.get(reverse("journeys:map", args=["teachers"])).content.decode()
    assert "No metric" not in page
    assert "Worst against its target" in page


def test_the_dashboard_breakdown_lists_the_phases_in_the_journey_s_order(db, client):
    """Before, during, after — both native walkers found them sorted as the codes sort
    (after, before, during), which reads the journey backwards."""
    call_command("seed_demo", stdout=StringIO())
    teachers = Audience.all_orgs.get(organisation__slug="riverside", slug="teachers")
    result = journey_map(audience=teachers)
    definitions = list(MetricDefinition.all_orgs.filter(audience=teachers, active=True))
    breakdowns = dashboard_selectors.dashboard_breakdowns(
        definitions=definitions, start=result.period_start, granularity="month"
    )
    orders = [[cell.label for cell in parts["phase"]] for parts in breakdowns.values()]
    assert ["before", "during", "after"] in orders
    assert all(
        order == [p for p in ("before", "during", "after") if p in order] for order in orders
    )
