"""Each role gets its own home page: the lead the four-step checklist, an owner what their
audiences still lack and what needs them now, a viewer the top ten and their health (read-only).
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from measurements.models import Alert, MeasurementPlan, MetricKind
from measurements.periods import latest_complete_start
from tests.factories import AudienceFactory, MetricDefinitionFactory


def _main(response) -> str:
    """The page's content, without the top bar (its sign-out and switch forms are everyone's)."""
    assert response.status_code == 200
    return re.split(r"<main\b[^>]*>", response.content.decode(), maxsplit=1)[1]


def _alert(definition, value: float = -40.0) -> Alert:
    # Last month: an open alert whose month is older than the dashboards' 12 is not shown as
    # needing anyone now (issue 11), so this one is recent (it was February 2025).
    return Alert.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=latest_complete_start("month", "UTC", timezone.now()),
        value=value,
        threshold=0,
    )


@pytest.fixture
def ranked(owned_audience, unowned_audience):
    owned_audience.rank, unowned_audience.rank = 1, 2
    owned_audience.save()
    unowned_audience.save()
    return owned_audience, unowned_audience


def test_the_lead_gets_the_checklist_and_the_ranking_button(lead_client, ranked):
    page = _main(lead_client.get(reverse("audiences:home")))
    assert "The four-step exercise" in page
    assert f'class="button" href="{reverse("audiences:ranking")}"' in page


def test_an_owner_gets_their_audiences_and_what_each_still_lacks(owner_client, ranked, org):
    page = _main(owner_client.get(reverse("audiences:home")))

    assert "Rank the top ten" not in page and "four-step exercise" not in page
    assert "Parents" in page and "Teachers" not in page  # only the audiences they own
    # Each gap is named with a link to the page that fixes it.
    for label, url in [
        ("No measurement plan", reverse("measurements:plan_edit", args=["parents"])),
        ("No journey map", reverse("journeys:map", args=["parents"])),
        ("No active metric", reverse("measurements:definition_create", args=["parents"])),
        ("No data in 90 days", reverse("measurements:import", args=["parents"])),
    ]:
        assert label in page
        assert f'href="{url}"' in page
    assert "No owner" not in page  # they are its owner


def test_a_gap_that_is_filled_leaves_the_owner_home(owner_client, ranked, org):
    parents, _ = ranked
    MeasurementPlan.objects.create(
        organisation=org, audience=parents, process="Survey after every call.", methods=["survey"]
    )
    page = _main(owner_client.get(reverse("audiences:home")))
    assert "No measurement plan" not in page
    assert "No journey map" in page


def test_an_owner_sees_the_open_alerts_on_their_audiences_only(owner_client, ranked):
    parents, teachers = ranked
    own = MetricDefinitionFactory(audience=parents, kind=MetricKind.NPS, name="Parent NPS")
    other = MetricDefinitionFactory(audience=teachers, kind=MetricKind.NPS, name="Teacher eNPS")
    _alert(own)
    _alert(other)
    resolved = _alert(MetricDefinitionFactory(audience=parents, kind=MetricKind.CSAT, slug="c"))
    resolved.resolved_at = resolved.closed_at = resolved.created_at
    resolved.status = "resolved"  # as a recompute writes it when the value comes back
    resolved.save()

    page = _main(owner_client.get(reverse("audiences:home")))

    assert "Needs you now" in page
    assert "Parent NPS" in page and "-40.0" in page.replace("−", "-")
    assert f'href="{reverse("measurements:dashboard", args=["parents"])}"' in page
    assert "Teacher eNPS" not in page
    assert page.count('class="alert-row"') == 1


def test_an_owner_without_audiences_is_told_so(owner_client, org):
    AudienceFactory(organisation=org, name="Donors", slug="donors", rank=1)
    page = _main(owner_client.get(reverse("audiences:home")))
    assert "You do not own any audience yet" in page
    assert "Rank the top ten" not in page


def test_a_viewer_gets_the_top_ten_and_their_health_without_actions(viewer_client, ranked):
    parents, _ = ranked
    MetricDefinitionFactory(audience=parents, kind=MetricKind.NPS, name="Parent NPS")
    page = _main(viewer_client.get(reverse("audiences:home")))

    assert page.index("Parents") < page.index("Teachers")  # in rank order
    assert "Parent NPS" in page  # its headline metric
    assert "No owner" in page  # teachers' health: liability named
    assert "Rank the top ten" not in page and "four-step exercise" not in page
    assert "<form" not in page and 'class="button' not in page


def test_the_audience_page_links_each_gap_to_its_fix_for_whoever_may_fix_it(
    owner_client, viewer, ranked
):
    plan_edit = reverse("measurements:plan_edit", args=["parents"])
    page = _main(owner_client.get(reverse("audiences:detail", args=["parents"])))
    assert "No measurement plan" in page and f'href="{plan_edit}"' in page

    owner_client.force_login(viewer)
    page = _main(owner_client.get(reverse("audiences:detail", args=["parents"])))
    assert "No measurement plan" in page and plan_edit not in page
