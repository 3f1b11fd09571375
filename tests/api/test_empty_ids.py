"""An empty or blank id is refused by name, not stored as an id every later item collides with."""

import pytest

from measurements.models import AudienceMember, Response, RevenueEvent, SupportCase
from tests.api.conftest import response_item
from tests.api.test_other_results import case, member, revenue

ITEMS = {
    "/api/v1/responses/": response_item,
    "/api/v1/cases/": case,
    "/api/v1/revenue-events/": revenue,
    "/api/v1/members/": member,
}
MODELS = [Response, SupportCase, RevenueEvent, AudienceMember]
BLANKS = ["", "   ", "\t\n", "\u00a0"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/responses/", "external_id"),
        ("/api/v1/cases/", "external_id"),
        ("/api/v1/revenue-events/", "external_id"),
        ("/api/v1/revenue-events/", "member"),
        ("/api/v1/members/", "member"),
    ],
)
@pytest.mark.parametrize("blank", BLANKS)
def test_it_refuses_an_empty_id_naming_the_item_and_field(api, nps, url, field, blank):
    body = [ITEMS[url](), ITEMS[url](**{field: blank})]
    answer = api.post(url, body, format="json")
    assert answer.status_code == 400, answer.json()
    errors = answer.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, field)]
    assert errors[0]["message"].startswith("Must not be empty")
    assert all(model.all_orgs.count() == 0 for model in MODELS)


def test_it_tells_the_client_to_leave_an_optional_id_out(api, nps):
    answer = api.post("/api/v1/responses/", response_item(external_id=""), format="json")
    assert answer.json() == {
        "errors": [
            {
                "field": "external_id",
                "code": "blank",
                "message": "Must not be empty: leave the field out when the item has no id.",
            }
        ]
    }


def test_responses_without_an_id_are_each_stored_while_empty_ones_were_refused(api, nps):
    # Before, the first "" was stored as an id and every later "" answered 201 as a duplicate.
    without = response_item()
    del without["external_id"]
    assert api.post("/api/v1/responses/", [without, without], format="json").status_code == 201
    empty = api.post("/api/v1/responses/", response_item(external_id=""), format="json")
    assert empty.status_code == 400
    assert Response.all_orgs.count() == 2
    assert not Response.all_orgs.filter(external_id="").exists()


def test_the_schema_says_an_id_holds_a_non_blank_character(db):
    from rest_framework.test import APIClient

    schemas = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, field in [
        ("ResponseItem", "external_id"),
        ("CaseItem", "external_id"),
        ("RevenueEventItem", "external_id"),
        ("RevenueEventItem", "member"),
        ("MemberItem", "member"),
    ]:
        prop = schemas[component]["properties"][field]
        assert (prop["minLength"], prop["pattern"]) == (1, r"\S"), (component, field)
