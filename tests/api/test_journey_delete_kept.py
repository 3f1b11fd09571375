"""DELETE /api/v1/touchpoints/{id} and /api/v1/stages/{id} refuse (400, the API's error list
naming the touchpoint and the count) while stored responses or support cases carry the
touchpoint, so nothing already stored loses it (walk2 finding 2); without them, 204 as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences.models import AuditEntry
from journeys.models import Stage, Touchpoint
from measurements.models import Response, SupportCase
from tests.factories import MetricDefinitionFactory, StageFactory, TouchpointFactory

NOV = "2026-11-12T10:00:00+00:00"


@pytest.fixture
def office(owned_audience):
    stage = StageFactory(audience=owned_audience, name="Enrol")
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", name="CSAT", scale_min=1, scale_max=5
    )
    return TouchpointFactory(stage=stage, name="Front office call", slug="front-office-call")


def _push(api, n_responses, n_cases, touchpoint="front-office-call"):
    responses = [
        {
            "audience": "parents",
            "metric": "csat",
            "score": 4,
            "responded_at": NOV,
            "touchpoint": touchpoint,
        }
        for _ in range(n_responses)
    ]
    if responses:
        assert api.post("/api/v1/responses/", responses, format="json").status_code == 201
    cases = [
        {"audience": "parents", "external_id": f"T-{i}", "opened_at": NOV, "touchpoint": touchpoint}
        for i in range(n_cases)
    ]
    if cases:
        answer = api.post("/api/v1/cases/", cases, format="json")
        assert answer.status_code == 201, answer.json()


def test_a_touchpoint_that_pushed_responses_and_cases_carry_is_refused_by_name_and_count(
    api, office
):
    _push(api, 3, 2)
    with CaptureQueriesContext(connection) as queries:
        answer = api.delete(f"/api/v1/touchpoints/{office.pk}/")
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "field": "touchpoint",
                "code": "invalid",
                "message": "The touchpoint “Front office call” (front-office-call) cannot be "
                "removed: it is carried by 3 responses and 2 support cases, which would lose "
                "it. Rename it or move it to another stage instead.",
            }
        ]
    }
    assert Touchpoint.all_orgs.filter(pk=office.pk).exists()
    assert Response.all_orgs.filter(touchpoint=office).count() == 3
    assert SupportCase.all_orgs.filter(touchpoint=office).count() == 2
    assert not AuditEntry.all_orgs.filter(action="delete").exists()
    # Counted, never loaded: every read of the results is a COUNT (the deletion collector
    # would have read each row just to refuse).
    reads = [q["sql"] for q in queries if '"measurements_response"' in q["sql"]]
    reads += [q["sql"] for q in queries if '"measurements_supportcase"' in q["sql"]]
    assert len(reads) == 2 and all("COUNT(" in sql for sql in reads), reads


def test_a_stage_with_a_carried_touchpoint_is_refused_naming_it(api, owned_audience, office):
    _push(api, 1, 0)
    TouchpointFactory(stage=office.stage, name="School tour")
    answer = api.delete(f"/api/v1/stages/{office.stage_id}/")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "field": "stage",
            "code": "invalid",
            "message": "The stage “Enrol” cannot be removed: its touchpoint “Front office call” "
            "(front-office-call) is carried by 1 response, which would lose it. Move that "
            "touchpoint to another stage first, or rename the stage.",
        }
    ]
    assert Touchpoint.all_orgs.filter(stage_id=office.stage_id).count() == 2


def test_after_moving_the_carried_touchpoint_the_stage_goes_and_the_responses_keep_it(
    api, owned_audience, office
):
    _push(api, 2, 0)
    term = StageFactory(audience=owned_audience, name="Term")
    moved = api.patch(f"/api/v1/touchpoints/{office.pk}/", {"stage": term.pk}, format="json")
    assert moved.status_code == 200
    assert api.delete(f"/api/v1/stages/{office.stage_id}/").status_code == 204
    assert not Stage.all_orgs.filter(pk=office.stage_id).exists()
    assert Response.all_orgs.filter(touchpoint=office).count() == 2


def test_a_touchpoint_nothing_carries_is_deleted_as_before(api, office):
    assert api.delete(f"/api/v1/touchpoints/{office.pk}/").status_code == 204
    assert not Touchpoint.all_orgs.filter(pk=office.pk).exists()


def test_another_organisations_key_still_gets_404_and_changes_nothing(other_api, api, office):
    _push(api, 1, 0)
    assert other_api.delete(f"/api/v1/touchpoints/{office.pk}/").status_code == 404
    assert other_api.delete(f"/api/v1/stages/{office.stage_id}/").status_code == 404
    assert Touchpoint.all_orgs.filter(pk=office.pk).exists()
