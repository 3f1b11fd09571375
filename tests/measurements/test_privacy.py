"""The small-group rule (measurements.privacy) holds alike on the dashboard, in the API's
responses list and in the CSV export: what one hides for a small employee group, none shows."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import MetricKind
from measurements.periods import latest_complete_start
from measurements.rollups import rollup_full
from tests.factories import AudienceFactory, MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

URL = "/api/v1/responses/"


@pytest.fixture
def staff(org):
    audience = AudienceFactory(organisation=org, slug="staff", name="Staff", kind="employee")
    return MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="enps")


def _latest_month():
    return latest_complete_start("month", "UTC", timezone.now())


def _answer(definition, count, *, day=6):
    latest = _latest_month()
    for i in range(count):
        respond(
            definition,
            3,
            datetime(latest.year, latest.month, day, 14, 37, i, tzinfo=UTC),
            respondent=f"emp-{i}",
            comment=f"My manager Ann said {i} rude things",
        )
    rollup_full(organisation=definition.organisation)
    return latest.replace(day=day)


def _key_client(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='HR').raw_key}"
    )
    return client


def _everything_seen(viewer_client, org):
    dashboard = viewer_client.get(reverse("measurements:dashboard", args=["staff"]))
    csv = viewer_client.get(reverse("measurements:dashboard_csv", args=["staff"]))
    as_viewer = viewer_client.get(URL, {"audience": "staff"}).json()["results"]
    as_key = _key_client(org).get(URL, {"audience": "staff"}).json()["results"]
    return dashboard.content.decode(), csv.content.decode(), as_viewer, as_key


def test_a_small_employee_group_is_hidden_on_the_dashboard_in_the_api_and_in_the_csv(
    viewer_client, org, staff
):
    day = _answer(staff, 4)  # 4 < 5

    dashboard, csv, as_viewer, as_key = _everything_seen(viewer_client, org)

    assert "rude things" not in dashboard
    assert "Hidden: fewer than 5 comments" in dashboard
    assert "rude things" not in csv and "emp-" not in csv
    for items in (as_viewer, as_key):
        assert len(items) == 4
        for item in items:
            assert item["comment"] is None
            assert item["respondent"] is None
            assert item["responded_at"] == day.isoformat()  # the day, not 14:37
            assert item["score"] == 3  # the answer itself counts, as on the dashboard


def test_a_large_employee_group_shows_its_comments_ids_and_times(viewer_client, org, staff):
    _answer(staff, 5)

    dashboard, _, as_viewer, as_key = _everything_seen(viewer_client, org)

    assert "rude things" in dashboard
    for items in (as_viewer, as_key):
        assert {item["respondent"] for item in items} == {f"emp-{i}" for i in range(5)}
        assert all("rude things" in item["comment"] for item in items)
        assert all("T14:37:0" in item["responded_at"] for item in items)


def test_comments_hide_among_comments_even_in_a_large_group(viewer_client, org, staff):
    latest = _latest_month()
    for i in range(8):
        respond(staff, 9, datetime(latest.year, latest.month, 3, 9, i, tzinfo=UTC), respondent="x")
    _answer(staff, 2)  # 10 answers, 2 comments

    dashboard, _, as_viewer, _ = _everything_seen(viewer_client, org)

    assert "rude things" not in dashboard
    assert not [item for item in as_viewer if item["comment"]]
    # Ten answers: who and when show; only the two comments stay back.
    assert {item["respondent"] for item in as_viewer} == {"x", "emp-0", "emp-1"}


@pytest.fixture
def api(org):
    return _key_client(org)


@pytest.fixture
def nps(org):
    customers = AudienceFactory(organisation=org, slug="customers", name="Customers")
    return MetricDefinitionFactory(audience=customers, kind=MetricKind.NPS, slug="nps")


def test_customers_are_not_protected(api, org, nps):
    latest = _latest_month()
    respond(nps, 9, datetime(latest.year, latest.month, 6, 14, 37, tzinfo=UTC), comment="Great")
    item = api.get(URL).json()["results"][0]
    assert item["comment"] == "Great"
    assert item["responded_at"].startswith(f"{latest.replace(day=6).isoformat()}T14:37")


def test_a_narrow_time_filter_does_not_give_the_withheld_time_away(api, org, staff, nps):
    day = _answer(staff, 1)
    respond(nps, 9, datetime(day.year, day.month, day.day, 14, 37, tzinfo=UTC))
    # Both answers are at 14:37; a window that misses 14:37 drops the customer's only.
    after = api.get(URL, {"from": f"{day.isoformat()}T15:00:00Z"}).json()["results"]
    before = api.get(URL, {"to": f"{day.isoformat()}T14:00:00Z"}).json()["results"]
    assert [i["audience"] for i in after] == ["staff"]
    assert [i["audience"] for i in before] == ["staff"]
    next_day = api.get(URL, {"from": f"{day.isoformat()}T23:59:59Z"}).json()["results"]
    assert [i["audience"] for i in next_day] == ["staff"]
    assert api.get(URL, {"to": day.isoformat()}).json()["results"] == []
