"""walk2's follow-up findings: the threshold a follow-up was made under is stored with it, the
default rule is said in exact numbers from KINDS, viewers are not offered "mine" filters that
are never theirs, and a withheld follow-up's place in the list gives no time away."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import FollowUp, Response
from tests.factories import AudienceFactory, MetricDefinitionFactory, PersonFactory

pytestmark = pytest.mark.django_db

LIST = "/app/follow-ups/"


@pytest.fixture
def api(org):
    client = APIClient()
    key = api_key_create(organisation=org, name="Survey tool").raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _recent(minutes_ago=10):
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return at.isoformat().replace("+00:00", "Z")


# --- the threshold it was made under ---------------------------------------------------------


def test_a_followup_keeps_the_threshold_it_was_made_under(api, viewer_client, owned_audience):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    item = {"audience": "parents", "metric": "nps", "score": 5, "comment": "Slow"}
    answer = api.post("/api/v1/responses/", [{**item, "responded_at": _recent()}], format="json")
    assert answer.status_code == 201
    followup = FollowUp.objects.for_org(owned_audience.organisation).get()

    patched = api.patch(
        "/api/v1/metric-definitions/parents/nps/", {"followup_threshold": 8}, format="json"
    )
    assert patched.status_code == 200

    as_key = api.get(f"/api/v1/followups/{followup.pk}/").json()
    page = viewer_client.get(f"/app/follow-ups/{followup.pk}/").content.decode()
    assert (as_key["threshold"], as_key["threshold_recorded"]) == (6, True)
    assert "(at or below 6, the threshold when it was made)" in page
    assert "at or below 8" not in page


def test_a_followup_from_before_it_was_recorded_shows_todays_rule_and_says_so(
    api, viewer_client, owned_audience
):
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind="nps", slug="nps", followup_threshold=8
    )
    at = timezone.now() - timedelta(minutes=5)
    response = Response.objects.create(
        organisation=nps.organisation,
        audience=owned_audience,
        definition=nps,
        score=5,
        responded_at=at,
        local_date=at.date(),
        comment="Old",
    )
    old = FollowUp.objects.create(
        organisation=nps.organisation, audience=owned_audience, definition=nps, response=response
    )  # threshold null: made before 0013

    as_key = api.get(f"/api/v1/followups/{old.pk}/").json()
    page = viewer_client.get(f"/app/follow-ups/{old.pk}/").content.decode()
    assert (as_key["threshold"], as_key["threshold_recorded"]) == (8, False)
    assert "(at or below 8: the metric's threshold now; this follow-up was made before" in page


# --- the default rule in numbers -------------------------------------------------------------


def test_the_default_rule_says_each_scales_numbers_everywhere_it_is_stated(
    api, viewer_client, owner_client, owned_audience
):
    from measurements.scales import followup_default_text

    rule = followup_default_text()
    assert rule.startswith("NPS: 0–6 (detractors); CSAT on 1–5: 1–2; CES on 1–7: 1–3 (")
    assert rule.endswith(": 1–2 on a 1–10 CSAT)")

    page = viewer_client.get(LIST).content.decode()
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    form = owner_client.get(
        f"/app/audiences/parents/measurement/metrics/{definition.pk}/edit/"
    ).content.decode()
    schema = api.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]
    described = [
        props["followup_threshold"].get("description", "")
        for body in fields.values()
        if "followup_threshold" in (props := body.get("properties", {}))
    ]

    assert rule in page and "bottom of the scale" not in page
    assert rule in form.replace("&#x27;", "'")
    assert described and all(rule in text for text in described)


# --- viewers are not offered "mine" ----------------------------------------------------------


def test_a_viewer_is_not_offered_mine_only_or_assigned_to_me(org, viewer, lead):
    clients = []
    for user in (viewer, lead):
        PersonFactory(organisation=org, user=user, email=user.email)
        client = Client()
        client.force_login(user)
        clients.append(client)
    viewer_client, lead_client = clients
    viewer_alerts = viewer_client.get("/app/alerts/").content.decode()
    viewer_followups = viewer_client.get(LIST).content.decode()
    lead_alerts = lead_client.get("/app/alerts/").content.decode()
    lead_followups = lead_client.get(LIST).content.decode()

    assert "Mine only" not in viewer_alerts and "Audiences I own" not in viewer_alerts
    assert "Assigned to me" not in viewer_followups
    # The lead, who can own audiences and be assigned, still has both.
    assert "Mine only" in lead_alerts and "Audiences I own" in lead_alerts
    assert "Assigned to me" in lead_followups


# --- a withheld follow-up's place in the list ------------------------------------------------


def _made(definition, at, comment):
    response = Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=2,
        responded_at=at,
        local_date=at.date(),
        comment=comment,
    )
    followup = FollowUp.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        response=response,
    )
    FollowUp.objects.for_org(definition.organisation).filter(pk=followup.pk).update(created_at=at)
    return followup


def test_a_withheld_followup_is_not_placed_between_timed_ones(
    api, viewer_client, org, owned_audience, unowned_audience
):
    # walk2: #18 at 12:28, then a withheld candidate follow-up at 12:28:30 (one answer in its
    # group: day only), then #21 at 12:29. Sorted by exact time, the withheld one sat between
    # the two and so gave its minute away. Now it comes after the day's timed ones.
    day = (timezone.now() - timedelta(days=1)).date()
    parents = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    enps = MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps")
    first = _made(parents, datetime(day.year, day.month, day.day, 12, 28, tzinfo=UTC), "Late")
    hidden = _made(enps, datetime(day.year, day.month, day.day, 12, 28, 30, tzinfo=UTC), "Me")
    last = _made(parents, datetime(day.year, day.month, day.day, 12, 29, tzinfo=UTC), "Rude")
    other = AudienceFactory(organisation=org, slug="donors", name="Donors", kind="donor")
    yesterday = _made(
        MetricDefinitionFactory(audience=other, kind="nps", slug="nps"),
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC) - timedelta(days=1),
        "Old",
    )

    listed = [item["id"] for item in api.get("/api/v1/followups/").json()["results"]]
    html = viewer_client.get(LIST, {"status": "all"}).content.decode()
    on_page = [int(pk) for pk in re.findall(r'/app/follow-ups/(\d+)/"', html)]

    expected = [last.pk, first.pk, hidden.pk, yesterday.pk]
    assert listed == expected
    assert on_page == expected
    assert api.get(f"/api/v1/followups/{hidden.pk}/").json()["created_at"] == day.isoformat()
