"""Revenue events in another currency than the audience's CLV are refused, naming the item and
its field (issue 11: a CLV never adds two currencies); definitions carry their currency."""

import pytest

from measurements.models import RevenueEvent
from tests.factories import MetricDefinitionFactory


def revenue(**overrides):
    item = {
        "audience": "customers",
        "member": "m-1",
        "amount": "19.99",
        "currency": "EUR",
        "occurred_at": "2025-03-01T09:00:00Z",
    }
    item.update(overrides)
    return item


@pytest.fixture
def clv(customers):
    return MetricDefinitionFactory(
        audience=customers, kind="clv", slug="clv", scale_min=None, scale_max=None, currency="EUR"
    )


def test_it_refuses_a_revenue_event_in_another_currency_than_the_clvs(api, clv):
    body = [revenue(), revenue(member="m-2", currency="USD")]
    answer = api.post("/api/v1/revenue-events/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"] == [
        {
            "index": 1,
            "field": "currency",
            "code": "currency_mismatch",
            "message": "Audience 'customers' counts revenue in EUR (the currency of its CLV "
            "metric 'clv'); send amounts in EUR, converted if need be.",
        }
    ]
    assert not RevenueEvent.all_orgs.exists()  # all or nothing
    assert api.post("/api/v1/revenue-events/", body[:1], format="json").status_code == 201


def test_an_inactive_clv_still_sets_the_currency(api, clv):
    clv.active = False
    clv.save()
    answer = api.post("/api/v1/revenue-events/", revenue(currency="USD"), format="json")
    assert answer.json()["errors"][0]["field"] == "currency"


def test_an_audience_without_a_clv_takes_any_currency(api, customers):
    answer = api.post("/api/v1/revenue-events/", revenue(currency="USD"), format="json")
    assert answer.status_code == 201, answer.content


def test_the_definitions_api_fills_shows_and_checks_the_currency(api, customers):
    created = api.post(
        "/api/v1/metric-definitions/", {"audience": "customers", "kind": "clv"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "EUR"
    nps = api.post(
        "/api/v1/metric-definitions/",
        {"audience": "customers", "kind": "nps", "currency": "EUR"},
        format="json",
    )
    assert nps.status_code == 400
    assert nps.json()["errors"] == [
        {
            "field": "currency",
            "code": "invalid",
            "message": "Currency applies to CLV only; leave it empty.",
        }
    ]
    lower = api.patch(
        "/api/v1/metric-definitions/customers/clv/", {"currency": "usd"}, format="json"
    )
    assert lower.status_code == 400
    assert lower.json()["errors"][0]["field"] == "currency"
    moved = api.patch(
        "/api/v1/metric-definitions/customers/clv/", {"currency": "USD"}, format="json"
    )
    assert moved.json()["currency"] == "USD"  # no revenue stored yet: it may still change


def test_the_schema_documents_the_currency(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    definition = schema["components"]["schemas"]["MetricDefinition"]["properties"]["currency"]
    assert [alt.get("pattern") for alt in definition["oneOf"]] == ["^[A-Z]{3}$", None]
    assert definition["oneOf"][1]["maxLength"] == 0  # or empty: kinds without a currency
    assert "revenue events in another currency are refused" in definition["description"]
    value = schema["components"]["schemas"]["MetricValue"]["properties"]["currency"]
    assert value["nullable"] is True
