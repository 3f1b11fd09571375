"""Every write the API documents works without its trailing slash: never a redirect, never a 500.

The operations come from the OpenAPI schema, so an endpoint added later is covered by itself:
without an example body below it must still answer JSON (stored, or refused), not 3xx/5xx.
"""

import pytest
from rest_framework.test import APIClient

from audiences.models import Audience
from measurements.models import AudienceMember, MetricDefinition, RevenueEvent, SupportCase
from measurements.models import Response as SurveyResponse
from tests.api.conftest import response_item

WRITE_METHODS = ("post", "put", "patch", "delete")
PATH_VALUES = {"slug": "customers", "audience": "customers"}
AT = "2025-03-01T09:30:00+01:00"

# A valid body per known operation and how to see that it was stored.
EXAMPLES = {
    ("post", "/api/v1/audiences/"): (
        {"name": "Parents", "kind": "parent"},
        lambda: Audience.all_orgs.filter(slug="parents").exists(),
    ),
    ("patch", "/api/v1/audiences/{slug}/"): (
        {"description": "Changed without a slash"},
        lambda: Audience.all_orgs.filter(
            slug="customers", description="Changed without a slash"
        ).exists(),
    ),
    ("post", "/api/v1/metric-definitions/"): (
        {"audience": "customers", "kind": "csat", "slug": "csat"},
        lambda: MetricDefinition.all_orgs.filter(slug="csat").exists(),
    ),
    ("patch", "/api/v1/metric-definitions/{audience}/{slug}/"): (
        {"name": "Renamed"},
        lambda: MetricDefinition.all_orgs.filter(slug="nps", name="Renamed").exists(),
    ),
    ("post", "/api/v1/responses/"): (
        response_item(),
        lambda: SurveyResponse.all_orgs.filter(external_id="r-1").exists(),
    ),
    ("post", "/api/v1/cases/"): (
        {"external_id": "c-1", "audience": "customers", "opened_at": AT},
        lambda: SupportCase.all_orgs.filter(external_id="c-1").exists(),
    ),
    ("post", "/api/v1/revenue-events/"): (
        {
            "external_id": "e-1",
            "audience": "customers",
            "member": "m-1",
            "amount": "10.00",
            "currency": "EUR",
            "occurred_at": AT,
        },
        lambda: RevenueEvent.all_orgs.filter(external_id="e-1").exists(),
    ),
    ("post", "/api/v1/members/"): (
        {"audience": "customers", "member": "m-1", "joined_at": AT},
        lambda: AudienceMember.all_orgs.filter(member="m-1").exists(),
    ),
}


def _write_operations():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for template, operations in schema["paths"].items():
        for method in operations:
            if method in WRITE_METHODS:
                yield method, template


def _concrete(template):
    path = template
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    if "/metric-definitions/" in template:
        path = path.replace("/customers/customers/", "/customers/nps/")
    return path


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_every_write_without_its_trailing_slash_is_stored_or_refused_as_json(
    api, nps, settings, debug
):
    operations = list(_write_operations())
    assert len(operations) >= len(EXAMPLES)  # the schema lists the writes we know of
    settings.DEBUG = debug
    for method, template in operations:
        path = _concrete(template)
        assert path.endswith("/")
        body, stored = EXAMPLES.get((method, template), ({}, None))
        answer = getattr(api, method)(path.rstrip("/"), body, format="json")
        where = f"{method.upper()} {path.rstrip('/')}"
        assert 200 <= answer.status_code < 300 or 400 <= answer.status_code < 500, where
        assert answer["Content-Type"] == "application/json", where
        if stored is not None:
            assert answer.status_code in (200, 201), (where, answer.json())
            assert stored(), where


def test_it_answers_json_404_for_an_unknown_api_path_without_a_slash(api, settings):
    settings.DEBUG = True  # APPEND_SLASH would raise for a POST it cannot redirect
    for path in ["/api/v1/nothing", "/api/v1", "/api/v2/responses"]:
        answer = api.post(path, {}, format="json")
        assert answer.status_code == 404, path
        assert answer.json() == {"detail": "No such API endpoint or object."}


def test_the_schema_answers_without_its_trailing_slash(db):
    answer = APIClient().get("/api/schema", {"format": "json"})
    assert answer.status_code == 200
    assert "/api/v1/responses/" in answer.json()["paths"]
