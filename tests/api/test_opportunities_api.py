"""`/api/v1/opportunities/`: the same rules, roles, scoping and audit as the browser."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from measurements.models import Opportunity
from measurements.opportunity_services import opportunity_create
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    StageFactory,
    TouchpointFactory,
)


def _session(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def open_day(owned_audience):
    return TouchpointFactory(stage=StageFactory(audience=owned_audience), slug="open-day")


@pytest.fixture
def parent_nps(owned_audience, open_day):
    return MetricDefinitionFactory(audience=owned_audience, slug="nps", touchpoint=open_day)


def _errors(answer) -> dict[str, str]:
    return {e["field"]: e["message"] for e in answer.json()["errors"]}


def test_a_key_adds_changes_and_removes_an_opportunity_with_audit(
    api, key, owned_audience, open_day, parent_nps
):
    answer = api.post(
        "/api/v1/opportunities/",
        {"audience": "parents", "problem": "Queue", "value": 4, "effort": 2,
         "touchpoints": ["open-day"]},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    # The defaults: the audience's owner, the metric measured at its first touchpoint.
    assert body["owner"] == "owner@example.org" and body["metric"] == "nps"
    assert (body["status"], body["done_at"], body["touchpoints"]) == ("idea", None, ["open-day"])
    url = f"/api/v1/opportunities/{body['id']}/"
    done = api.patch(url, {"status": "done"}, format="json").json()
    assert done["status"] == "done" and done["done_at"] is not None
    again = api.patch(url, {"status": "done"}, format="json").json()
    assert again["done_at"] == done["done_at"]
    assert api.patch(url, {"owner": None}, format="json").json()["owner"] is None
    assert api.delete(url).status_code == 204
    assert not Opportunity.all_orgs.filter(pk=body["id"]).exists()
    entries = AuditEntry.all_orgs.filter(object_type="opportunity").order_by("id")
    assert [e.action for e in entries] == ["create", "update", "update", "delete"]
    assert all(e.actor_key_id == key.api_key.pk for e in entries)


def test_it_names_the_field_of_what_is_not_the_audiences(api, owned_audience, org):
    donors = AudienceFactory(organisation=org, slug="donors")
    TouchpointFactory(stage=StageFactory(audience=donors), slug="gala")
    MetricDefinitionFactory(audience=donors, slug="donor-nps")
    answer = api.post(
        "/api/v1/opportunities/",
        {"audience": "parents", "problem": "x", "value": 3, "effort": 3,
         "touchpoints": ["gala"], "metric": "donor-nps", "owner": "nobody@example.org"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    errors = _errors(answer)
    assert errors["touchpoints"] == "No touchpoint 'gala' on the journey of 'parents'."
    assert errors["metric"] == "No metric 'donor-nps' of the audience 'parents'."
    assert "nobody@example.org" in errors["owner"]
    assert not Opportunity.all_orgs.exists()


def test_it_refuses_unknown_and_server_fields_and_scores_out_of_range(api, owned_audience):
    answer = api.post(
        "/api/v1/opportunities/",
        {"audience": "parents", "problem": "x", "value": 6, "effort": 0, "done_at": "2026-01-01",
         "id": 4},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert set(_errors(answer)) == {"done_at", "id"}
    answer = api.post(
        "/api/v1/opportunities/",
        {"audience": "parents", "problem": "x", "value": 6, "effort": 0},
        format="json",
    )
    assert set(_errors(answer)) == {"value", "effort"}


def test_it_lists_in_priority_order_and_filters_by_audience_and_status(
    api, owned_audience, unowned_audience
):
    opportunity_create(audience=owned_audience, data={"problem": "A", "value": 4, "effort": 2})
    b = opportunity_create(
        audience=unowned_audience, data={"problem": "B", "value": 3, "effort": 1}
    )
    listed = api.get("/api/v1/opportunities/").json()["results"]
    assert [o["problem"] for o in listed] == ["B", "A"]  # 3 ÷ 1 = 3.0 before 4 ÷ 2 = 2.0
    parents = api.get("/api/v1/opportunities/", {"audience": "parents"}).json()["results"]
    assert [o["problem"] for o in parents] == ["A"]
    api.patch(f"/api/v1/opportunities/{b.pk}/", {"status": "in_progress"}, format="json")
    started = api.get("/api/v1/opportunities/", {"status": "in_progress"}).json()["results"]
    assert [o["problem"] for o in started] == ["B"]
    bad = api.get("/api/v1/opportunities/", {"status": "finished"})
    assert bad.status_code == 400 and "status" in _errors(bad)


def test_it_answers_404_for_another_organisations_opportunity(other_api, owned_audience):
    opportunity = opportunity_create(
        audience=owned_audience, data={"problem": "Queue", "value": 2, "effort": 2}
    )
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"problem": "Mine"}, format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    assert other_api.get("/api/v1/opportunities/").json()["results"] == []
    refused = other_api.post(
        "/api/v1/opportunities/",
        {"audience": "parents", "problem": "x", "value": 1, "effort": 1},
        format="json",
    )
    assert refused.status_code == 400 and "audience" in _errors(refused)


def test_owners_write_their_own_audiences_and_viewers_only_read(
    owner, viewer, owned_audience, unowned_audience
):
    mine = {"audience": "parents", "problem": "x", "value": 1, "effort": 1}
    theirs = {**mine, "audience": "teachers"}
    assert _session(owner).post("/api/v1/opportunities/", mine, format="json").status_code == 201
    assert _session(owner).post("/api/v1/opportunities/", theirs, format="json").status_code == 403
    reader = _session(viewer)
    assert reader.post("/api/v1/opportunities/", mine, format="json").status_code == 403
    [listed] = reader.get("/api/v1/opportunities/").json()["results"]
    assert reader.delete(f"/api/v1/opportunities/{listed['id']}/").status_code == 403
    assert Opportunity.all_orgs.count() == 1
