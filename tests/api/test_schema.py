"""The OpenAPI schema documents the bulk bodies and the error shapes."""

from django.urls import reverse
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


def test_it_documents_the_servers_414_on_every_operation(db):
    # gunicorn refuses a request line over 4094 bytes before the app runs; clients are told.
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert operations
    assert all("414" in op["responses"] for op in operations)


def test_it_answers_json_400_naming_the_query_for_too_many_parameters(api):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1000) before any view runs.
    answer = api.get("/api/v1/responses/?" + "page=1&" * 1200)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["errors"][0]["field"] == "query"
    assert "Too many query parameters" in answer.json()["errors"][0]["message"]


def test_it_keeps_the_html_400_page_outside_the_api(lead_client):
    answer = lead_client.get(reverse("audiences:list") + "?" + "q=1&" * 1200)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
