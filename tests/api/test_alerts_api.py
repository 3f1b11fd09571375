"""`/api/v1/alerts/` (issue 14): read the organisation's alerts, filtered by status and
audience; acknowledge or resolve one with PATCH, with the same roles as other writes (keys
and leads everything, owners their audiences, viewers nothing), audited, errors by field."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from measurements.models import Alert
from tests.factories import MetricDefinitionFactory
from tests.isolation.conftest import login_in


def _alert(definition, start: date, *, status: str = "open") -> Alert:
    return Alert.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=start,
        last_period_start=start,
        value=-40.0,
        threshold=0,
        status=status,
    )


@pytest.fixture
def parents_alert(owned_audience):
    definition = MetricDefinitionFactory(audience=owned_audience, slug="nps", alert_threshold=0)
    return _alert(definition, date(2026, 10, 1))


@pytest.fixture
def teachers_alert(unowned_audience):
    definition = MetricDefinitionFactory(audience=unowned_audience, slug="enps", alert_threshold=0)
    return _alert(definition, date(2026, 9, 1), status="acknowledged")


def _session(user, org) -> APIClient:
    return login_in(APIClient(), user, org)


def test_it_lists_the_open_alerts_and_filters_by_status_and_audience(
    api, parents_alert, teachers_alert
):
    listed = api.get("/api/v1/alerts/").json()["results"]
    assert [(a["id"], a["status"]) for a in listed] == [
        (parents_alert.pk, "open"),
        (teachers_alert.pk, "acknowledged"),
    ]
    assert listed[0] | {"opened_at": None} == {
        "id": parents_alert.pk,
        "audience": "parents",
        "metric": "nps",
        "kind": "nps",
        "label": "NPS",
        "period_start": "2026-10-01",
        "last_period_start": "2026-10-01",
        "value": -40.0,
        "threshold": 0.0,
        "direction": "below",
        "status": "open",
        "opened_at": None,
        "emailed_at": None,
        "emailed_to": None,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "closed_at": None,
        "closed_by": None,
        "closed_by_person": False,
        "back_on_target_at": None,
        "note": "",
    }
    only = api.get("/api/v1/alerts/", {"status": "acknowledged"}).json()["results"]
    assert [a["id"] for a in only] == [teachers_alert.pk]
    parents = api.get("/api/v1/alerts/", {"audience": "parents"}).json()["results"]
    assert [a["id"] for a in parents] == [parents_alert.pk]
    assert api.get("/api/v1/alerts/", {"audience": "nobody"}).json()["results"] == []
    assert api.get("/api/v1/alerts/", {"status": "resolved"}).json()["results"] == []


def test_a_bad_filter_is_refused_naming_it(api, parents_alert):
    answer = api.get("/api/v1/alerts/", {"status": "closed"})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["status"]


def test_a_key_resolves_an_alert_with_a_note_and_it_is_audited(api, key, org, parents_alert):
    url = f"/api/v1/alerts/{parents_alert.pk}/"
    answer = api.patch(url, {"status": "resolved", "note": "Fixed upstream"}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["note"], body["closed_by"]) == (
        "resolved",
        "Fixed upstream",
        None,
    )
    assert body["closed_by_person"] is True and body["closed_at"] is not None
    entry = AuditEntry.objects.for_org(org).get(object_type="alert")
    assert (entry.action, entry.actor_key, entry.changes["status"]) == (
        "resolved",
        key.api_key,
        ["open", "resolved"],
    )
    assert api.get(url).json()["status"] == "resolved"


def test_a_refused_move_answers_400_on_status(api, parents_alert):
    url = f"/api/v1/alerts/{parents_alert.pk}/"
    assert api.patch(url, {"status": "resolved"}, format="json").status_code == 200
    again = api.patch(url, {"status": "acknowledged"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {
            "field": "status",
            "code": "invalid",
            "message": "This alert is already resolved, and a resolved alert stays closed.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "open"}, "status"),
        ({"status": "resolved", "note": "x" * 2001}, "note"),
        ({"status": "resolved", "closed_by": "me"}, "closed_by"),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(api, parents_alert, body, field):
    answer = api.patch(f"/api/v1/alerts/{parents_alert.pk}/", body, format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    parents_alert.refresh_from_db()
    assert parents_alert.status == "open"


@pytest.mark.parametrize(("who", "code"), [("lead", 200), ("owner", 200), ("viewer", 403)])
def test_session_users_move_alerts_as_their_role_allows(request, org, parents_alert, who, code):
    client = _session(request.getfixturevalue(who), org)
    url = f"/api/v1/alerts/{parents_alert.pk}/"
    assert client.get(url).status_code == 200
    answer = client.patch(url, {"status": "acknowledged", "note": "On it"}, format="json")
    assert answer.status_code == code
    parents_alert.refresh_from_db()
    assert parents_alert.status == ("acknowledged" if code == 200 else "open")


def test_an_owner_cannot_move_an_alert_on_an_audience_they_do_not_own(org, owner, teachers_alert):
    answer = _session(owner, org).patch(
        f"/api/v1/alerts/{teachers_alert.pk}/", {"status": "resolved"}, format="json"
    )
    assert answer.status_code == 403
    teachers_alert.refresh_from_db()
    assert teachers_alert.status == "acknowledged"


def test_another_organisations_key_sees_and_moves_nothing(other_api, parents_alert):
    assert other_api.get("/api/v1/alerts/").json()["results"] == []
    url = f"/api/v1/alerts/{parents_alert.pk}/"
    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"status": "resolved"}, format="json").status_code == 404
    parents_alert.refresh_from_db()
    assert parents_alert.status == "open"


def test_the_schema_says_a_move_needs_its_status_and_nothing_else(api):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/alerts/{id}/"]["patch"]["requestBody"]
    shape = body["content"]["application/json"]["schema"]
    assert shape["required"] == ["status"] and shape["additionalProperties"] is False
    assert shape["properties"]["status"]["enum"] == ["acknowledged", "resolved"]
