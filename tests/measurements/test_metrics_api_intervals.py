"""GET /api/v1/audiences/{slug}/metrics/ gives each value its 95% interval (or null)."""

import pytest
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import MetricKind
from tests.factories import MetricDefinitionFactory

URL = "/api/v1/audiences/parents/metrics/"


@pytest.fixture
def api(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    return client


def _push(api, items, capture):
    with capture(execute=True):
        answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.content


def _item(metric, score, day):
    return {
        "audience": "parents",
        "metric": metric,
        "score": score,
        "responded_at": f"{day}T12:00:00Z",
    }


def test_each_value_has_its_interval_or_null(
    api, owned_audience, django_capture_on_commit_callbacks
):
    MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=5
    )
    # NPS January: one 10 → −48.5 … 98.5 (PRODUCT.md's example); February: no data → null.
    # March: one 0 → −98.5 … 48.5. CSAT January: 5, 5, 2 → 2 of 3, Wilson 20.8 … 93.9.
    items = [_item("nps", 10, "2025-01-05"), _item("nps", 0, "2025-03-02")]
    items += [_item("csat", s, "2025-01-05") for s in (5, 5, 2)]
    _push(api, items, django_capture_on_commit_callbacks)

    answer = api.get(URL, {"from": "2025-01-01", "to": "2025-03-31"})

    assert answer.status_code == 200
    got = {(r["metric"], r["period_start"]): r["interval"] for r in answer.json()["results"]}
    assert got[("nps", "2025-01-01")] == pytest.approx([-48.5, 98.5], abs=0.05)
    assert got[("nps", "2025-02-01")] is None
    assert got[("nps", "2025-03-01")] == pytest.approx([-98.5, 48.5], abs=0.05)
    assert got[("csat", "2025-01-01")] == pytest.approx([20.77, 93.85], abs=0.05)


def test_the_schema_documents_the_interval(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    value = schema["components"]["schemas"]["MetricValue"]
    interval = value["properties"]["interval"]
    assert interval["type"] == "array"
    assert interval["nullable"] is True
    assert (interval["minItems"], interval["maxItems"]) == (2, 2)
    assert "interval" in value["required"]
