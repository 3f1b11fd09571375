"""`/api/v1/stages/` and `/api/v1/touchpoints/` writes: the same roles, scoping and audit as
the browser (owner: their audiences; viewer: read only; another organisation: 404)."""

import pytest
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from journeys.models import Stage, Touchpoint
from tests.factories import StageFactory, TouchpointFactory


def _session(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def enrol(owned_audience):
    return StageFactory(audience=owned_audience, name="Enrol", phase="during", position=0)


def test_a_key_adds_changes_and_removes_a_stage_with_audit(api, key, owned_audience, enrol):
    answer = api.post(
        "/api/v1/stages/", {"audience": "parents", "name": "Term", "phase": "after"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["name"], body["phase"], body["position"]) == ("Term", "after", 2)
    stage_id = body["id"]
    changed = api.patch(f"/api/v1/stages/{stage_id}/", {"name": "First term"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "First term"
    listed = api.get("/api/v1/stages/", {"audience": "parents"}).json()["results"]
    assert [s["name"] for s in listed] == ["Enrol", "First term"]
    assert api.delete(f"/api/v1/stages/{stage_id}/").status_code == 204
    assert not Stage.all_orgs.filter(pk=stage_id).exists()
    entries = AuditEntry.all_orgs.filter(object_type="stage").order_by("id")
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor_key_id == key.api_key.pk for e in entries)


def test_a_stage_body_is_strict(api, owned_audience):
    answer = api.post(
        "/api/v1/stages/",
        {"audience": "parents", "name": "X", "position": 1, "colour": "red"},
        format="json",
    )
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"position", "colour"}


def test_an_owner_adds_and_moves_a_touchpoint_on_their_audience_only(
    owner, owned_audience, unowned_audience, enrol
):
    client = _session(owner)
    term = StageFactory(audience=owned_audience, name="Term", phase="after", position=1)
    answer = client.post(
        "/api/v1/touchpoints/",
        {"stage": enrol.pk, "name": "Open day", "channel": "in_person", "emotions": "Curious"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["slug"], body["stage"], body["emotions"]) == ("open-day", "Enrol", "Curious")
    moved = client.patch(f"/api/v1/touchpoints/{body['id']}/", {"stage": term.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["stage_id"] == term.pk
    theirs = StageFactory(audience=unowned_audience)
    refused = client.post(
        "/api/v1/touchpoints/", {"stage": theirs.pk, "name": "Nope"}, format="json"
    )
    assert refused.status_code == 403
    # Moving a card to another audience's stage is refused on its field.
    elsewhere = client.patch(
        f"/api/v1/touchpoints/{body['id']}/", {"stage": theirs.pk}, format="json"
    )
    assert elsewhere.status_code == 400
    assert Touchpoint.all_orgs.get(pk=body["id"]).stage_id == term.pk
    entry = AuditEntry.all_orgs.filter(object_type="touchpoint", action="update").get()
    assert entry.actor_user == owner and "stage" in entry.changes


def test_a_viewer_reads_but_cannot_write(viewer, owned_audience, enrol):
    client = _session(viewer)
    tp = TouchpointFactory(stage=enrol, slug="form", name="Form")
    assert client.get(f"/api/v1/touchpoints/{tp.pk}/").json()["slug"] == "form"
    assert client.get(f"/api/v1/stages/{enrol.pk}/").status_code == 200
    assert (
        client.patch(f"/api/v1/touchpoints/{tp.pk}/", {"name": "X"}, format="json").status_code
        == 403
    )
    assert client.delete(f"/api/v1/stages/{enrol.pk}/").status_code == 403
    assert (
        client.post(
            "/api/v1/stages/", {"audience": "parents", "name": "X"}, format="json"
        ).status_code
        == 403
    )
    assert Stage.all_orgs.filter(pk=enrol.pk).exists()


def test_another_organisation_gets_404(other_api, enrol):
    tp = TouchpointFactory(stage=enrol)
    assert other_api.get(f"/api/v1/stages/{enrol.pk}/").status_code == 404
    assert (
        other_api.patch(f"/api/v1/touchpoints/{tp.pk}/", {"name": "X"}, format="json").status_code
        == 404
    )
    assert other_api.delete(f"/api/v1/stages/{enrol.pk}/").status_code == 404
    answer = other_api.post("/api/v1/touchpoints/", {"stage": enrol.pk, "name": "X"}, format="json")
    assert answer.status_code == 400 and "stage" in str(answer.json())
    assert other_api.get("/api/v1/stages/").json()["count"] == 0
