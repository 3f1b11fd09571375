"""`GET /api/v1/touchpoints/`: the touchpoints a client may name, scoped to the key."""

from rest_framework.test import APIClient

from tests.factories import AudienceFactory, StageFactory, TouchpointFactory


def _journey(audience, stages):
    for position, (stage_name, phase, touchpoints) in enumerate(stages):
        stage = StageFactory(audience=audience, name=stage_name, phase=phase, position=position)
        for tp_position, (slug, name) in enumerate(touchpoints):
            TouchpointFactory(stage=stage, slug=slug, name=name, position=tp_position)


def test_it_lists_touchpoints_in_journey_order_with_stage_phase_and_audience(api, customers, org):
    _journey(
        customers,
        [
            ("Buy", "during", [("checkout", "Checkout"), ("delivery", "Delivery")]),
            ("Discover", "before", [("website", "Website")]),
        ],
    )
    parents = AudienceFactory(organisation=org, slug="parents", name="Parents")
    _journey(parents, [("Enrol", "before", [("open-day", "Open day")])])
    answer = api.get("/api/v1/touchpoints/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 4
    # Each item also carries its id, stage id, channel, lanes and position (for writes).
    keys = ("slug", "name", "stage", "phase", "audience")
    assert [{k: item[k] for k in keys} for item in body["results"]] == [
        {
            "slug": "checkout",
            "name": "Checkout",
            "stage": "Buy",
            "phase": "during",
            "audience": "customers",
        },
        {
            "slug": "delivery",
            "name": "Delivery",
            "stage": "Buy",
            "phase": "during",
            "audience": "customers",
        },
        {
            "slug": "website",
            "name": "Website",
            "stage": "Discover",
            "phase": "before",
            "audience": "customers",
        },
        {
            "slug": "open-day",
            "name": "Open day",
            "stage": "Enrol",
            "phase": "before",
            "audience": "parents",
        },
    ]
    only = api.get("/api/v1/touchpoints/", {"audience": "parents"}).json()["results"]
    assert [t["slug"] for t in only] == ["open-day"]


def test_it_never_lists_another_organisations_touchpoints(api, other_api, customers, other_org):
    _journey(customers, [("Buy", "during", [("checkout", "Checkout")])])
    theirs = AudienceFactory(organisation=other_org, slug="customers", name="Customers")
    _journey(theirs, [("Pay", "during", [("secret-desk", "Secret desk")])])
    mine = api.get("/api/v1/touchpoints/").json()["results"]
    assert [t["slug"] for t in mine] == ["checkout"]
    same_slug = api.get("/api/v1/touchpoints/", {"audience": "customers"}).json()["results"]
    assert [t["slug"] for t in same_slug] == ["checkout"]
    other = other_api.get("/api/v1/touchpoints/").json()["results"]
    assert [t["slug"] for t in other] == ["secret-desk"]


def test_it_is_paginated_like_the_other_lists(api, customers):
    stage = StageFactory(audience=customers)
    for n in range(101):
        TouchpointFactory(stage=stage, slug=f"tp-{n}", position=n)
    first = api.get("/api/v1/touchpoints/").json()
    assert first["count"] == 101
    assert len(first["results"]) == 100
    assert api.get(first["next"]).json()["results"][0]["slug"] == "tp-100"


def test_it_names_the_missing_fields_of_a_new_touchpoint_and_refuses_a_junk_audience(
    api, customers
):
    empty = api.post("/api/v1/touchpoints/", {}, format="json")
    assert empty.status_code == 400
    assert {e["field"] for e in empty.json()["errors"]} == {"stage", "name"}
    answer = api.get("/api/v1/touchpoints/", {"audience": "not a slug"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "audience"


def test_it_needs_a_key(db):
    assert APIClient().get("/api/v1/touchpoints/").status_code == 401
