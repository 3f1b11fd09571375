"""The OpenAPI schema documents the bulk bodies and the error shapes."""

from rest_framework.test import APIClient


def test_it_serves_a_schema_with_bulk_bodies_and_error_shapes(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/responses/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][1]["maxItems"] == 10_000
    assert set(post["responses"]) >= {"201", "400", "401", "413", "429"}
    assert schema["components"]["schemas"]["ResponseItem"]["additionalProperties"] is False


def test_it_answers_json_404_for_junk_in_any_api_path(api):
    for path in ["/api/v1/audiences/%C2%84/", "/api/v1/metric-definitions/%00/x/"]:
        answer = api.get(path)
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/json"


def test_it_answers_json_404_for_unknown_api_paths(api):
    answer = api.get("/api/v1/nothing/here/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "No such API endpoint or object."}


def test_it_refuses_list_times_postgresql_cannot_store(api):
    # Python accepts an offset of -18:23; PostgreSQL does not: compared in UTC, it works.
    answer = api.get("/api/v1/cases/", {"to": "1687-02-06T15:19:45-18:23"})
    assert answer.status_code == 200
    assert api.get("/api/v1/cases/", {"to": "0001-01-01T00:00:00+05:00"}).status_code == 400
