"""The lists' filters answer alike (walk2 #8): alerts/, followups/, opportunities/, stages/
and touchpoints/ give 200 [] for an audience the organisation does not have, one wording for
a bad `status` naming the allowed values, people by the e-mail the answers show, and alerts
and follow-ups both default to the ones not closed, `status=all` for every one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from measurements.models import Alert, FollowUp
from measurements.opportunity_services import opportunity_create
from tests.factories import MetricDefinitionFactory, PersonFactory

LISTS = ["alerts", "followups", "opportunities", "stages", "touchpoints"]


def _results(answer) -> list:
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    return body["results"] if isinstance(body, dict) else body


# Yesterday: follow-ups are made only for recent answers.
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=15, second=0, microsecond=0)
AT_TEXT = AT.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("name", LISTS)
def test_an_audience_the_organisation_does_not_have_gives_an_empty_list(
    api, other_org, name, owned_audience
):
    from tests.factories import AudienceFactory

    AudienceFactory(organisation=other_org, slug="northwind-only")
    for slug in ("no-such-audience", "northwind-only"):
        assert _results(api.get(f"/api/v1/{name}/?audience={slug}")) == []


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("alerts", "open, acknowledged, resolved, all"),
        ("followups", "open, in_progress, closed, all"),
        ("opportunities", "idea, planned, in_progress, done, all"),
    ],
)
def test_a_bad_status_names_the_field_and_the_values_in_one_wording(api, name, allowed):
    answer = api.get(f"/api/v1/{name}/?status=bogus")
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {"field": "status", "code": "invalid_choice", "message": f"Must be one of: {allowed}."}
        ]
    }


def test_opportunities_filter_by_the_owner_e_mail_they_show(api, org, owned_audience, lead):
    maya = PersonFactory(organisation=org, name="Maya Chen", email="maya.chen@example.org")
    for problem, owner in (("Queue at the gate", maya), ("Forms on paper", None)):
        opportunity_create(
            audience=owned_audience,
            data={"problem": problem, "value": 3, "effort": 2, "owner": owner},
            actor_user=lead,
        )
    listed = _results(api.get("/api/v1/opportunities/?owner=MAYA.CHEN@example.org"))
    assert [(o["problem"], o["owner"]) for o in listed] == [
        ("Queue at the gate", "maya.chen@example.org")
    ]
    assert _results(api.get("/api/v1/opportunities/?owner=nobody@example.org")) == []
    by_id = api.get(f"/api/v1/opportunities/?owner={maya.pk}")
    assert by_id.json() == {
        "errors": [{"field": "owner", "code": "invalid", "message": "Must be an e-mail address."}]
    }


@pytest.fixture
def parents_nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")


def test_alerts_and_followups_both_default_to_not_closed_and_take_all(api, parents_nps):
    for external_id, score in (("p-1", 1), ("p-2", 2)):
        pushed = api.post(
            "/api/v1/responses/",
            [
                {"external_id": external_id, "audience": "parents", "metric": "nps",
                 "score": score, "responded_at": AT_TEXT, "comment": "Late bus"}
            ],
            format="json",
        )  # fmt: skip
        assert pushed.status_code == 201, pushed.json()
    closed, still_open = FollowUp.objects.for_org(parents_nps.organisation).order_by("pk")
    assert (
        api.patch(
            f"/api/v1/followups/{closed.pk}/", {"status": "closed"}, format="json"
        ).status_code
        == 200
    )
    for start, status in ((date(2026, 9, 1), "resolved"), (date(2026, 10, 1), "open")):
        Alert.objects.create(
            organisation=parents_nps.organisation,
            audience=parents_nps.audience,
            definition=parents_nps,
            granularity="month",
            period_start=start,
            last_period_start=start,
            value=-40.0,
            threshold=0,
            status=status,
            # One open alert per definition: the earlier crossing is over.
            resolved_at=timezone.now() if status == "resolved" else None,
        )
    assert [f["id"] for f in _results(api.get("/api/v1/followups/"))] == [still_open.pk]
    assert [a["status"] for a in _results(api.get("/api/v1/alerts/"))] == ["open"]
    every = _results(api.get("/api/v1/followups/?status=all"))
    assert sorted(f["status"] for f in every) == ["closed", "open"]
    assert sorted(a["status"] for a in _results(api.get("/api/v1/alerts/?status=all"))) == [
        "open",
        "resolved",
    ]
