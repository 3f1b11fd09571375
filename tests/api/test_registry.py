"""`audiences/` and `metric-definitions/` through the API."""

from rest_framework.test import APIClient

from audiences.models import Audience, AuditEntry
from measurements.models import MetricDefinition


def test_it_lists_audiences_with_exactly_the_contract_fields(api, owned_audience):
    owned_audience.rank = 1
    owned_audience.save()
    answer = api.get("/api/v1/audiences/")
    assert answer.json()["results"] == [
        {
            "slug": "parents",
            "name": "Parents",
            "kind": "parent",
            "kind_label": "",
            "stage": "current",
            "description": "People who buy from us.",
            "rank": 1,
            "owner": "owner@example.org",
            "archived": False,
        }
    ]


def test_it_creates_an_audience_with_owner_and_rank_and_audits_the_key(api, key, owner_person):
    answer = api.post(
        "/api/v1/audiences/",
        {"name": "Donors", "kind": "donor", "owner": "OWNER@example.org", "rank": 4},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    # Ranks stay 1..n: with nothing ranked yet, asking for 4 puts the audience first.
    assert answer.json()["rank"] == 1
    assert answer.json()["slug"] == "donors"
    assert answer.json()["owner"] == "owner@example.org"
    assert AuditEntry.all_orgs.filter(object_type="audience", actor_key=key.api_key).exists()


def test_it_patches_an_audience_and_archives_it(api, unowned_audience):
    answer = api.patch(
        "/api/v1/audiences/teachers/", {"description": "Staff", "archived": True}, format="json"
    )
    assert answer.status_code == 200
    unowned_audience.refresh_from_db()
    assert (unowned_audience.description, unowned_audience.archived) == ("Staff", True)


def test_it_refuses_bad_audience_input_by_field(api, unowned_audience, other_org):
    answer = api.post(
        "/api/v1/audiences/",
        {"name": "X", "kind": "nope", "organisation": other_org.pk, "colour": 1},
        format="json",
    )
    assert answer.status_code == 400
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"organisation", "colour"}
    answer = api.post(
        "/api/v1/audiences/", {"name": "X", "kind": "nope", "owner": "a@b.c"}, format="json"
    )
    assert {e["field"] for e in answer.json()["errors"]} == {"kind", "owner"}
    duplicate = api.post(
        "/api/v1/audiences/", {"name": "T", "slug": "teachers", "kind": "other"}, format="json"
    )
    assert {e["field"] for e in duplicate.json()["errors"]} >= {"kind_label"}


def test_it_answers_404_for_junk_in_a_path_slug(api, unowned_audience):
    assert api.get("/api/v1/audiences/teach%00ers/").status_code == 404
    assert api.patch("/api/v1/audiences/teach%00ers/", {}, format="json").status_code == 404
    assert api.get("/api/v1/metric-definitions/a%00/b/").status_code == 404


def test_it_lets_an_owner_edit_only_their_audience_and_not_its_rank(
    owner, owned_audience, unowned_audience
):
    client = APIClient()
    client.force_login(owner)
    ok = client.patch("/api/v1/audiences/parents/", {"description": "Mums and dads"}, format="json")
    assert ok.status_code == 200
    assert client.patch("/api/v1/audiences/parents/", {"rank": 1}, format="json").status_code == 403
    assert (
        client.patch("/api/v1/audiences/teachers/", {"name": "X"}, format="json").status_code == 403
    )
    assert (
        client.post("/api/v1/audiences/", {"name": "Y", "kind": "fan"}, format="json").status_code
        == 403
    )


def test_it_creates_and_patches_metric_definitions(api, unowned_audience):
    answer = api.post(
        "/api/v1/metric-definitions/",
        {"audience": "teachers", "kind": "csat", "scale_min": 1, "scale_max": 7, "target": 80},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {
        "audience": "teachers",
        "slug": "csat",
        "kind": "csat",
        "name": answer.json()["name"],
        "scale_min": 1,
        "scale_max": 7,
        "target": 80.0,
        "alert_threshold": None,
        "alert_min_n": 30,
        "followup_threshold": None,
        "margin_percent": 100.0,
        "currency": "",
        "touchpoint": None,
        "active": True,
    }
    patched = api.patch(
        "/api/v1/metric-definitions/teachers/csat/", {"alert_threshold": 60}, format="json"
    )
    assert patched.json()["alert_threshold"] == 60.0
    assert api.get("/api/v1/metric-definitions/", {"audience": "teachers"}).json()["count"] == 1


def test_it_gives_the_same_definition_messages_as_the_browser(api, unowned_audience):
    answer = api.post(
        "/api/v1/metric-definitions/",
        {"audience": "teachers", "kind": "nps", "scale_min": 1, "target": 150},
        format="json",
    )
    assert answer.status_code == 400
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert errors["scale_min"] == "NPS is always on 0–10; the scale cannot change."
    assert "out of range" in errors["target"]
    assert MetricDefinition.all_orgs.count() == 0


def test_it_refuses_non_finite_targets(api, unowned_audience):
    answer = api.post(
        "/api/v1/metric-definitions/",
        '{"audience": "teachers", "kind": "nps", "target": NaN}',
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "target"


def test_it_refuses_a_definition_for_another_organisations_audience(other_api, unowned_audience):
    answer = other_api.post(
        "/api/v1/metric-definitions/", {"audience": "teachers", "kind": "nps"}, format="json"
    )
    assert answer.json()["errors"] == [
        {
            "field": "audience",
            "code": "not_found",
            "message": "No audience 'teachers' in this organisation.",
        }
    ]
    assert Audience.all_orgs.get(slug="teachers").metric_definitions.count() == 0
