"""The OpenAPI schema says what the server does (issue #9 item 14), checked over the whole
schema so that a new endpoint or field is covered by itself."""

import inspect
import re

import pytest
from rest_framework.test import APIClient

from axreg.api.base import OrgScopedMixin
from axreg.api.serializers import StrictSerializer
from measurements.api.views import IngestViewSet
from tests.factories import PersonFactory


@pytest.fixture
def schema(db):
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _query_parameters(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            yield f"{method} {path} ?{parameter['name']}", parameter


def test_every_pattern_is_anchored(schema):
    patterns = [
        (where, parameter["schema"]["pattern"])
        for where, parameter in _query_parameters(schema)
        if "pattern" in parameter["schema"]
    ]
    assert patterns
    assert [w for w, p in patterns if not (p.startswith("^") and p.endswith("$"))] == []


def test_from_and_to_of_the_lists_take_a_date_or_a_date_time(schema, api, customers):
    for path in ["/api/v1/responses/", "/api/v1/cases/"]:
        params = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        formats = {s.get("format") for s in params["from"]["oneOf"]}
        assert formats == {"date", "date-time"}
        for value in ["2025-03-01", "2025-03-01T00:00:00Z"]:
            assert api.get(path, {"from": value, "to": value}).status_code == 200


def test_the_owner_filter_takes_the_e_mail_the_api_shows(schema, api, customers, org):
    customers.owner = PersonFactory(organisation=org, email="Olive@example.org")
    customers.save()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/audiences/"]["get"]["parameters"]}
    assert params["owner"]["schema"] == {"type": "string", "format": "email"}
    shown = api.get("/api/v1/audiences/").json()["results"][0]["owner"]
    found = api.get("/api/v1/audiences/", {"owner": shown}).json()["results"]
    assert [a["slug"] for a in found] == ["customers"]
    assert api.get("/api/v1/audiences/", {"owner": "no@one.org"}).json()["results"] == []


def test_an_audience_answer_always_has_every_field_archived_included(schema):
    answer = schema["paths"]["/api/v1/audiences/{slug}/"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    component = schema["components"]["schemas"][ref]
    assert "archived" in component["required"]
    assert set(component["required"]) == set(component["properties"])


def test_the_scale_range_is_the_one_the_server_accepts(schema, api, customers):
    scale = schema["components"]["schemas"]["MetricDefinition"]["properties"]["scale_max"]
    assert (scale["minimum"], scale["maximum"]) == (0, 100)
    body = {"audience": "customers", "kind": "csat", "scale_min": 1, "scale_max": 100}
    assert api.post("/api/v1/metric-definitions/", body, format="json").status_code == 201


def _allows_empty(spec):
    if "oneOf" in spec:
        return any(_allows_empty(s) for s in spec["oneOf"])
    if spec.get("type") != "string" or spec.get("format") or spec.get("enum"):
        return False
    if spec.get("minLength", 0) > 0:
        return False
    return "pattern" not in spec or re.search(spec["pattern"], "") is not None


def test_a_field_the_schema_lets_be_empty_is_not_refused_for_being_empty(
    schema, api, customers, nps
):
    patches = {
        "PatchedAudience": "/api/v1/audiences/customers/",
        "PatchedMetricDefinition": "/api/v1/metric-definitions/customers/nps/",
    }
    refused = []
    for component, url in patches.items():
        properties = schema["components"]["schemas"][component]["properties"]
        for name, spec in properties.items():
            if _allows_empty(spec):
                answer = api.patch(url, {name: ""}, format="json")
                if answer.status_code == 400:
                    refused.append((component, name, answer.json()))
    assert refused == []


def test_no_internal_docstring_is_published(schema):
    internal = [inspect.getdoc(c) for c in (OrgScopedMixin, StrictSerializer, IngestViewSet)]
    text = str(schema)
    assert [doc for doc in internal if doc in text] == []
    for _path, _method, operation in _operations(schema):
        assert operation.get("description"), operation["operationId"]


def test_every_operation_documents_405_and_406(schema, api):
    assert all({"405", "406"} <= set(op["responses"]) for _, _, op in _operations(schema))
    assert api.delete("/api/v1/responses/").status_code == 405
    assert api.get("/api/v1/responses/", HTTP_ACCEPT="text/csv").status_code == 406


def test_operation_ids_follow_one_pattern(schema):
    ids = [op["operationId"] for _, _, op in _operations(schema)]
    assert len(ids) == len(set(ids))
    pattern = re.compile(r"^[a-z]+(_[a-z]+)*_(list|retrieve|create|partial_update|destroy)$")
    assert [i for i in ids if not pattern.match(i) or i.startswith("v1_")] == []
    assert "audiences_list" in ids
    assert "audiences_metrics_list" in ids
