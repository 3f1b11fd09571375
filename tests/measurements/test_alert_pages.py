"""The alert pages (issue 14): the organisation's list with its filters and counts, an
alert with what crossed and its history, the audience page's alert block; the audience's
owner and leads acknowledge and resolve, another owner and viewers read, another
organisation gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from audiences.models import Role
from measurements.models import Alert
from tests.factories import (
    AudienceFactory,
    MembershipFactory,
    MetricDefinitionFactory,
    PersonFactory,
)
from tests.isolation.conftest import login_in


def _alert(definition, start: date, *, status: str = "open", value: float = -40.0) -> Alert:
    at = timezone.now() if status == "resolved" else None
    return Alert.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=start,
        last_period_start=start,
        value=value,
        threshold=0,
        status=status,
        # A resolved one here came back on the right side, as a recompute closes it.
        resolved_at=at,
        closed_at=at,
    )


@pytest.fixture
def parents_nps(owned_audience):
    return MetricDefinitionFactory(
        audience=owned_audience, name="Parent NPS", slug="nps", alert_threshold=0
    )


@pytest.fixture
def teachers_nps(unowned_audience):
    return MetricDefinitionFactory(
        audience=unowned_audience, name="Teacher eNPS", slug="enps", alert_threshold=0
    )


@pytest.fixture
def other_owner(org, unowned_audience):
    person = PersonFactory(organisation=org, name="Theo Teacher", email="theo@example.org")
    user = MembershipFactory(
        organisation=org,
        role=Role.OWNER,
        user__email="theo@example.org",
        user__username="theo@example.org",
    ).user
    person.user = user
    person.save()
    unowned_audience.owner = person
    unowned_audience.save()
    return user


def _as(user, org) -> Client:
    return login_in(Client(), user, org)


def test_the_list_shows_open_and_acknowledged_by_default_with_every_count(
    lead, org, parents_nps, teachers_nps
):
    _alert(parents_nps, date(2026, 10, 1))
    _alert(teachers_nps, date(2026, 9, 1), status="acknowledged")
    _alert(teachers_nps, date(2026, 6, 1), status="resolved", value=-5)
    page = _as(lead, org).get("/app/alerts/").content.decode()
    assert page.count('class="alert-row"') == 2
    assert "Parent NPS" in page and "Teacher eNPS" in page and "-5.0" not in page
    for status, count in (("open", 1), ("acknowledged", 1), ("resolved", 1)):
        assert f'data-count="{status}">{count}<' in page
    resolved = _as(lead, org).get("/app/alerts/?status=resolved").content.decode()
    assert resolved.count('class="alert-row"') == 1 and "-5.0" in resolved


def test_the_list_filters_by_audience_and_by_the_audiences_i_own(
    owner, lead, org, parents_nps, teachers_nps
):
    _alert(parents_nps, date(2026, 10, 1))
    _alert(teachers_nps, date(2026, 9, 1))
    mine = _as(owner, org).get("/app/alerts/?mine=on").content.decode()
    assert "Parent NPS" in mine and "Teacher eNPS" not in mine
    teachers = _as(lead, org).get("/app/alerts/?audience=teachers").content.decode()
    assert "Teacher eNPS" in teachers and "Parent NPS" not in teachers
    assert 'data-count="open">1<' in teachers  # the counts follow the audience filter
    assert 'href="?audience=teachers&amp;status=resolved"' in teachers  # and their links too
    # A lead owns nothing (no person): "mine" is empty, not everything.
    assert 'class="alert-row"' not in _as(lead, org).get("/app/alerts/?mine=on").content.decode()


def test_the_detail_says_what_crossed_and_links_to_the_dashboard(owner, org, parents_nps):
    alert = _alert(parents_nps, date(2026, 10, 1))
    page = _as(owner, org).get(f"/app/alerts/{alert.pk}/").content.decode()
    assert "was <strong>-40.0</strong> in Oct 2026, below the alert threshold of" in page
    assert 'href="/app/audiences/parents/dashboard/"' in page
    assert "<strong>Opened</strong>" in page
    assert "Acknowledge</button>" in page and "Resolve</button>" in page


@pytest.mark.parametrize(
    ("who", "acts"),
    [("lead", True), ("owner", True), ("other_owner", False), ("viewer", False)],
)
def test_only_the_audiences_owner_and_leads_may_act(request, who, acts, org, parents_nps):
    user = request.getfixturevalue(who)
    alert = _alert(parents_nps, date(2026, 10, 1))
    client = _as(user, org)
    page = client.get(f"/app/alerts/{alert.pk}/")
    assert page.status_code == 200  # every member reads
    assert ("Resolve</button>" in page.content.decode()) is acts
    answer = client.post(f"/app/alerts/{alert.pk}/acknowledge/", {"note": "Mine"})
    alert.refresh_from_db()
    if acts:
        assert answer.status_code == 302 and alert.status == "acknowledged"
    else:
        assert answer.status_code == 403 and alert.status == "open"


def test_another_organisation_gets_404_for_the_page_and_both_moves(
    outsider, other_org, parents_nps
):
    alert = _alert(parents_nps, date(2026, 10, 1))
    client = _as(outsider, other_org)
    assert client.get(f"/app/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/app/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert client.post(f"/app/alerts/{alert.pk}/resolve/").status_code == 404
    assert "Parent NPS" not in client.get("/app/alerts/").content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_resolved_alert_shows_its_history_and_no_form(owner, org, parents_nps):
    alert = _alert(parents_nps, date(2026, 10, 1))
    client = _as(owner, org)
    client.post(f"/app/alerts/{alert.pk}/acknowledge/", {"note": "Calling the PTA"})
    answer = client.post(f"/app/alerts/{alert.pk}/resolve/", {"note": "Newsletter fixed"})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Alert resolved: closed for everyone." in page
    assert "Calling the PTA" in page and "Newsletter fixed" in page
    assert "<strong>Resolved</strong> by" in page
    assert "Resolve</button>" not in page


def test_a_refused_move_says_why_on_the_page(owner, org, parents_nps):
    alert = _alert(parents_nps, date(2026, 10, 1), status="resolved")
    answer = _as(owner, org).post(f"/app/alerts/{alert.pk}/resolve/", {"note": "x"})
    assert answer.status_code == 400
    assert "a resolved alert stays closed" in answer.content.decode()


def test_a_get_cannot_move_an_alert(owner, org, parents_nps):
    alert = _alert(parents_nps, date(2026, 10, 1))
    assert _as(owner, org).get(f"/app/alerts/{alert.pk}/resolve/").status_code == 405
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_audience_page_shows_its_open_alerts_and_links_to_its_list(lead, org, parents_nps):
    alert = _alert(parents_nps, date(2026, 10, 1))
    _alert(parents_nps, date(2026, 5, 1), status="resolved")
    other = AudienceFactory(organisation=org, name="Alumni", slug="alumni")
    _alert(MetricDefinitionFactory(audience=other, name="Alumni CSAT", slug="c"), date(2026, 9, 1))
    page = _as(lead, org).get("/app/audiences/parents/").content.decode()
    assert 'href="/app/alerts/?audience=parents"><strong>1</strong> open alert</a>' in page
    assert f'href="/app/alerts/{alert.pk}/"' in page and "Alumni CSAT" not in page
    assert "1 resolved." in page


def test_the_navigation_links_to_the_alerts(viewer, org):
    assert 'href="/app/alerts/"' in _as(viewer, org).get("/app/").content.decode()
