"""The API's own words (walk2 #7, #15, #16): a 404 names no model class, a text field refuses
a number, opportunity value/effort refuse "3" and 3.0 as scores refuse 9.0, times end in Z,
and the schema's descriptions and examples are each operation's own and work as written."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from measurements.models import Alert
from measurements.opportunity_services import opportunity_create
from tests.factories import MetricDefinitionFactory
from tests.isolation.conftest import login_in

NOT_FOUND = {"detail": "Not found in your organisation."}

# Yesterday: follow-ups are made only for recent answers.
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=15, second=0, microsecond=0)
AT_TEXT = AT.isoformat().replace("+00:00", "Z")


@pytest.fixture
def parents_nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")


@pytest.fixture
def followup_id(api, parents_nps):
    item = {
        "external_id": "p-1", "audience": "parents", "metric": "nps", "score": 2,
        "responded_at": AT_TEXT, "comment": "The bus was late",
    }  # fmt: skip
    assert api.post("/api/v1/responses/", [item], format="json").status_code == 201
    return api.get("/api/v1/followups/").json()["results"][0]["id"]


@pytest.fixture
def alert(parents_nps):
    return Alert.objects.create(
        organisation=parents_nps.organisation,
        audience=parents_nps.audience,
        definition=parents_nps,
        granularity="month",
        period_start=date(2026, 10, 1),
        last_period_start=date(2026, 10, 1),
        value=-40.0,
        threshold=0,
    )


@pytest.mark.parametrize("name", ["alerts", "followups", "opportunities", "stages", "touchpoints"])
def test_a_missing_object_is_a_404_that_names_no_model(api, name):
    answer = api.get(f"/api/v1/{name}/999999/")
    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


def test_a_note_that_is_a_number_is_refused_not_stored_as_text(api, alert, followup_id):
    for path, body in (
        (f"/api/v1/alerts/{alert.pk}/", {"status": "acknowledged", "note": 123}),
        (f"/api/v1/followups/{followup_id}/", {"note": 123}),
    ):
        answer = api.patch(path, body, format="json")
        assert answer.status_code == 400, path
        assert answer.json() == {
            "errors": [{"field": "note", "code": "invalid", "message": "Must be a string."}]
        }
    alert.refresh_from_db()
    assert (alert.status, alert.note) == ("open", "")


@pytest.mark.parametrize("value", ["3", 3.0, True])
def test_opportunity_value_and_effort_are_whole_json_numbers(api, owned_audience, value):
    body = {"audience": "parents", "problem": "Queue", "value": value, "effort": value}
    answer = api.post("/api/v1/opportunities/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "value", "code": "invalid", "message": "Must be an integer."},
        {"field": "effort", "code": "invalid", "message": "Must be an integer."},
    ]
    number = api.post(
        "/api/v1/opportunities/", {**body, "problem": 123, "value": 3, "effort": 2}, format="json"
    )
    assert number.json()["errors"] == [
        {"field": "problem", "code": "invalid", "message": "Must be a string."}
    ]


def test_times_end_in_z_on_follow_ups_as_on_alerts_and_opportunities(
    api, followup_id, alert, owned_audience, lead
):
    followup = api.get(f"/api/v1/followups/{followup_id}/").json()
    assert followup["responded_at"] == AT_TEXT
    assert followup["created_at"].endswith("Z")
    closed = api.patch(f"/api/v1/followups/{followup_id}/", {"status": "closed"}, format="json")
    assert closed.json()["closed_at"].endswith("Z")
    assert api.get(f"/api/v1/alerts/{alert.pk}/").json()["opened_at"].endswith("Z")
    opportunity_create(
        audience=owned_audience, data={"problem": "Queue", "value": 3, "effort": 2}, actor_user=lead
    )
    assert api.get("/api/v1/opportunities/").json()["results"][0]["created_at"].endswith("Z")


@pytest.fixture
def schema(db):
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def _operation(schema, path, method):
    return schema["paths"][path][method]


def test_each_follow_up_operation_has_its_own_description(schema):
    texts = [
        _operation(schema, "/api/v1/followups/", "get")["description"],
        _operation(schema, "/api/v1/followups/{id}/", "get")["description"],
        _operation(schema, "/api/v1/followups/{id}/", "patch")["description"],
    ]
    assert len(set(texts)) == 3
    assert texts[2].startswith("Assign (by the e-mail of a person of your organisation")


def test_the_schema_says_what_the_api_does(schema):
    text = schema["info"]["description"]
    for words in ("alerts", "follow-ups", "opportunities", "stages, touchpoints", "Webhooks"):
        assert words in text


def _example(schema, path, method):
    content = _operation(schema, path, method)["requestBody"]["content"]["application/json"]
    [example] = content["examples"].values()
    return example["value"]


def test_the_follow_up_patch_example_works_as_written(schema, api, followup_id):
    body = _example(schema, "/api/v1/followups/{id}/", "patch")
    answer = api.patch(f"/api/v1/followups/{followup_id}/", body, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == body["status"]


def test_the_webhook_post_example_works_as_written(schema, org, lead, monkeypatch):
    body = _example(schema, "/api/v1/webhooks/", "post")
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: public)  # no DNS in CI
    answer = login_in(APIClient(), lead, org).post("/api/v1/webhooks/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["url"] == body["url"]


def test_the_rollup_command_help_says_org_means_a_full_recompute():
    from django.core.management import load_command_class

    command = load_command_class("measurements", "rollup")
    parser = command.create_parser("manage.py", "rollup")
    text = " ".join(parser.format_help().split())
    assert "With --org (optionally --audience): a full recompute from raw data" in text
    assert "Organisation slug: recomputes all its rollups from raw data." in text
