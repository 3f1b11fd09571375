"""The push endpoints take what the OpenAPI schema says, no more: amounts, times and bodies."""

import gzip
import json
import re

import pytest
from rest_framework.test import APIClient

from measurements.models import Response, RevenueEvent
from tests.api.conftest import response_item
from tests.api.test_other_results import revenue

REVENUE_URL = "/api/v1/revenue-events/"
RESPONSES_URL = "/api/v1/responses/"


def schema_property(component, field):
    schemas = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    return schemas[component]["properties"][field]


@pytest.mark.parametrize(
    "amount", ["1_000", "١٢٣", "1e2", " 19.99", "19.99 ", "+5", ".5", "5.", "0x10", "Infinity"]
)
def test_it_refuses_amount_strings_the_schema_refuses(api, customers, amount):
    answer = api.post(REVENUE_URL, revenue(amount=amount), format="json")
    assert answer.status_code == 400, answer.json()
    assert [e["field"] for e in answer.json()["errors"]] == ["amount"]
    pattern = schema_property("RevenueEventItem", "amount")["oneOf"][0]["pattern"]
    assert not re.search(pattern, amount)
    assert RevenueEvent.all_orgs.count() == 0


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("19.99", "19.99"), ("-5", "-5.00"), ("0.5", "0.50"), (19.99, "19.99"), (100, "100.00")],
)
def test_it_takes_plain_decimal_strings_and_json_numbers(api, customers, amount, stored):
    answer = api.post(REVENUE_URL, revenue(amount=amount), format="json")
    assert answer.status_code == 201, answer.json()
    assert str(RevenueEvent.all_orgs.get().amount) == stored
    if isinstance(amount, str):
        pattern = schema_property("RevenueEventItem", "amount")["oneOf"][0]["pattern"]
        assert re.search(pattern, amount)


def test_it_says_what_is_wrong_with_a_plain_decimal_string(api, customers):
    places = api.post(REVENUE_URL, revenue(amount="1.999"), format="json").json()
    assert places["errors"][0]["message"] == "At most 2 decimal places."
    digits = api.post(REVENUE_URL, revenue(amount="0000000000001"), format="json").json()
    assert digits["errors"][0]["message"] == "At most 12 digits before the decimal point."


@pytest.mark.parametrize(
    "moment",
    [
        "20250301T093000Z",  # basic format
        "2025-W09-6T09:30:00Z",  # week date
        "2025-03-01T09:30:00+01:00:30",  # offset with seconds
        "2025-03-01T09:30:00+0100",  # offset without colon
        "2025-03-01 09:30:00Z",  # space for the T
        "2025-03-01T09:30Z",  # no seconds: format date-time requires them
        "2025-03-01T09Z",
        "2025-03-01T09:30:00,5Z",  # decimal comma
        "2025-03-01",
    ],
)
def test_it_refuses_times_that_are_not_rfc_3339(api, nps, moment):
    answer = api.post(RESPONSES_URL, response_item(responded_at=moment), format="json")
    assert answer.status_code == 400, answer.json()
    error = answer.json()["errors"][0]
    assert error["field"] == "responded_at"
    assert "RFC 3339" in error["message"] or "no offset" in error["message"]
    pattern = schema_property("ResponseItem", "responded_at")["pattern"]
    assert not re.search(pattern, moment)
    assert Response.all_orgs.count() == 0


@pytest.mark.parametrize(
    "moment",
    [
        "2025-03-01T09:30:00Z",
        "2025-03-01T09:30:00+01:00",
        "2025-03-01T09:30:00.5-05:30",
        "2025-03-01T09:30:00.123456Z",
    ],
)
def test_it_takes_rfc_3339_times_and_the_schema_says_the_same(api, nps, moment):
    answer = api.post(RESPONSES_URL, response_item(responded_at=moment), format="json")
    assert answer.status_code == 201, answer.json()
    prop = schema_property("ResponseItem", "responded_at")
    assert prop["format"] == "date-time"
    assert re.search(prop["pattern"], moment)


def test_it_refuses_a_real_shape_with_an_impossible_date(api, nps):
    answer = api.post(
        RESPONSES_URL, response_item(responded_at="2025-02-30T09:30:00Z"), format="json"
    )
    assert answer.json()["errors"] == [
        {
            "field": "responded_at",
            "code": "invalid_date",
            "message": "'2025-02-30T09:30:00Z' is not a real date and time.",
        }
    ]


def test_it_answers_415_naming_the_body_for_a_gzip_body(api, nps):
    body = gzip.compress(json.dumps(response_item()).encode())
    answer = api.post(
        RESPONSES_URL, body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert answer.status_code == 415
    assert answer["Content-Type"] == "application/json"
    data = answer.json()
    assert data["errors"][0]["field"] == "body"
    assert "Content-Encoding 'gzip' is not supported" in data["errors"][0]["message"]
    assert data["detail"] == data["errors"][0]["message"]
    assert Response.all_orgs.count() == 0


def test_it_answers_415_naming_the_body_for_a_latin_1_charset(api, nps):
    body = json.dumps(response_item(comment="café"), ensure_ascii=False).encode("latin-1")
    answer = api.post(RESPONSES_URL, body, content_type="application/json; charset=ISO-8859-1")
    assert answer.status_code == 415
    error = answer.json()["errors"][0]
    assert error["field"] == "body"
    assert "charset=iso-8859-1 is not supported" in error["message"]
    assert Response.all_orgs.count() == 0


def test_it_takes_an_explicit_utf_8_charset_and_identity_encoding(api, nps):
    body = json.dumps(response_item(comment="café"), ensure_ascii=False).encode()
    answer = api.post(
        RESPONSES_URL,
        body,
        content_type='application/json; charset="UTF-8"',
        HTTP_CONTENT_ENCODING="identity",
    )
    assert answer.status_code == 201, answer.json()
    assert Response.all_orgs.get().comment == "café"


def test_it_refuses_a_utf_16_body_instead_of_guessing(api, nps):
    body = json.dumps(response_item()).encode("utf-16")
    answer = api.post(RESPONSES_URL, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "body"
    assert Response.all_orgs.count() == 0


def test_the_schema_documents_415_and_the_number_bounds(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    number = schema["components"]["schemas"]["RevenueEventItem"]["properties"]["amount"]["oneOf"][1]
    assert (number["minimum"], number["maximum"]) == (-(10**12), 10**12)
    assert number["exclusiveMinimum"] is number["exclusiveMaximum"] is True
    assert "415" in schema["paths"][RESPONSES_URL]["post"]["responses"]
