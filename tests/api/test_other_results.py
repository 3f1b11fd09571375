"""Cases, revenue events and memberships: upserts, bad input and stale marks."""

import datetime as dt
from decimal import Decimal

import pytest

from measurements.models import AudienceMember, RevenueEvent, StaleMark, SupportCase
from tests.factories import MetricDefinitionFactory


def case(**overrides):
    item = {
        "external_id": "T-1",
        "audience": "customers",
        "opened_at": "2025-03-01T09:00:00Z",
        "resolved_at": None,
        "channel": "email",
    }
    item.update(overrides)
    return item


def revenue(**overrides):
    item = {
        "external_id": "inv-1",
        "audience": "customers",
        "member": "m-1",
        "amount": "19.99",
        "currency": "EUR",
        "occurred_at": "2025-03-01T09:00:00Z",
    }
    item.update(overrides)
    return item


def member(**overrides):
    item = {"audience": "customers", "member": "m-1", "joined_at": "2025-01-01T00:00:00Z"}
    item.update(overrides)
    return item


def test_it_updates_a_case_sent_again_when_it_is_resolved(api, customers):
    first = api.post("/api/v1/cases/", case(), format="json")
    assert first.json() == {"created": 1, "updated": 0, "duplicates": 0}
    same = api.post("/api/v1/cases/", case(), format="json")
    assert same.json() == {"created": 0, "updated": 0, "duplicates": 1}
    resolved = api.post(
        "/api/v1/cases/", case(resolved_at="2025-03-02T15:00:00+02:00"), format="json"
    )
    assert resolved.json() == {"created": 0, "updated": 1, "duplicates": 0}
    stored = SupportCase.all_orgs.get()
    assert stored.resolved_at == dt.datetime(2025, 3, 2, 13, tzinfo=dt.UTC)


def test_it_marks_ttr_days_of_opening_and_resolution_for_matching_touchpoints(
    api, customers, touchpoint
):
    ttr = MetricDefinitionFactory(
        audience=customers, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )
    at_checkout = MetricDefinitionFactory(
        audience=customers,
        kind="ttr",
        slug="ttr-checkout",
        scale_min=None,
        scale_max=None,
        touchpoint=touchpoint,
    )
    api.post("/api/v1/cases/", case(resolved_at="2025-03-03T10:00:00Z"), format="json")
    marks = set(StaleMark.all_orgs.values_list("definition_id", "day"))
    # The case has no touchpoint: only the audience-wide TTR definition goes stale.
    assert marks == {(ttr.pk, dt.date(2025, 3, 1)), (ttr.pk, dt.date(2025, 3, 3))}
    api.post("/api/v1/cases/", case(external_id="T-2", touchpoint="checkout"), format="json")
    assert (at_checkout.pk, dt.date(2025, 3, 1)) in set(
        StaleMark.all_orgs.values_list("definition_id", "day")
    )


def test_it_refuses_a_case_resolved_before_it_was_opened(api, customers):
    answer = api.post("/api/v1/cases/", [case(resolved_at="2025-02-28T09:00:00Z")], format="json")
    assert answer.json()["errors"] == [
        {
            "index": 0,
            "field": "resolved_at",
            "code": "before_start",
            "message": "Must not be before opened_at.",
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"external_id": None}, "external_id"), ({"channel": "pigeon"}, "channel")],
)
def test_it_refuses_bad_case_fields(api, customers, change, field):
    answer = api.post("/api/v1/cases/", case(**change), format="json")
    assert answer.json()["errors"][0]["field"] == field


def test_it_stores_revenue_once_per_external_id(api, customers):
    body = [revenue(), revenue(), revenue(external_id="inv-2", amount=5)]
    assert api.post("/api/v1/revenue-events/", body, format="json").json() == {
        "created": 2,
        "updated": 0,
        "duplicates": 1,
    }
    assert sorted(RevenueEvent.all_orgs.values_list("amount", flat=True)) == [
        Decimal("5.00"),
        Decimal("19.99"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ('"amount": NaN', "amount", "finite"),
        ('"amount": Infinity', "amount", "finite"),
        ('"amount": 1e400', "amount", "finite"),
        ('"amount": null', "amount", "null"),
        ('"amount": "1.005"', "amount", "2 decimal"),
        ('"amount": "abc"', "amount", "decimal"),
        ('"currency": "euro"', "currency", "3-letter"),
    ],
)
def test_it_refuses_bad_amounts_and_currencies(api, customers, body, field, words):
    base = (
        '{"audience": "customers", "member": "m", "occurred_at": "2025-03-01T09:00:00Z", '
        '"amount": 1, "currency": "EUR", '
    )
    raw = base.replace(f'"{field}": ' + ("1" if field == "amount" else '"EUR"') + ", ", "")
    answer = api.post("/api/v1/revenue-events/", raw + body + "}", content_type="application/json")
    assert answer.status_code == 400, answer.content
    error = answer.json()["errors"][0]
    assert (error["field"], "index" in error) == (field, False)
    assert words in error["message"]


def test_it_refuses_a_missing_amount(api, customers):
    item = revenue()
    del item["amount"]
    answer = api.post("/api/v1/revenue-events/", item, format="json")
    assert answer.json()["errors"] == [
        {"field": "amount", "code": "required", "message": "This field is required."}
    ]


def test_it_marks_clv_days_for_revenue(api, customers):
    clv = MetricDefinitionFactory(
        audience=customers, kind="clv", slug="clv", scale_min=None, scale_max=None
    )
    api.post("/api/v1/revenue-events/", revenue(), format="json")
    assert list(StaleMark.all_orgs.values_list("definition_id", "day")) == [
        (clv.pk, dt.date(2025, 3, 1))
    ]


def test_it_upserts_members_on_audience_and_member(api, customers):
    churn = MetricDefinitionFactory(
        audience=customers, kind="churn", slug="churn", scale_min=None, scale_max=None
    )
    assert api.post("/api/v1/members/", [member(), member(member="m-2")], format="json").json() == {
        "created": 2,
        "updated": 0,
        "duplicates": 0,
    }
    left = api.post("/api/v1/members/", member(left_at="2025-04-10T12:00:00Z"), format="json")
    assert left.json() == {"created": 0, "updated": 1, "duplicates": 0}
    assert AudienceMember.all_orgs.get(member="m-1").left_at == dt.datetime(
        2025, 4, 10, 12, tzinfo=dt.UTC
    )
    assert (churn.pk, dt.date(2025, 4, 10)) in set(
        StaleMark.all_orgs.values_list("definition_id", "day")
    )


def test_it_refuses_a_member_who_left_before_joining(api, customers):
    answer = api.post("/api/v1/members/", member(left_at="2024-12-31T00:00:00Z"), format="json")
    assert answer.json()["errors"] == [
        {"field": "left_at", "code": "before_start", "message": "Must not be before joined_at."}
    ]


def test_it_lists_members_cases_and_revenue(api, customers):
    api.post("/api/v1/members/", member(), format="json")
    api.post("/api/v1/cases/", case(), format="json")
    api.post("/api/v1/revenue-events/", revenue(), format="json")
    assert api.get("/api/v1/members/").json()["results"] == [
        {
            "audience": "customers",
            "member": "m-1",
            "joined_at": "2025-01-01T00:00:00Z",
            "left_at": None,
        }
    ]
    assert api.get("/api/v1/cases/", {"audience": "customers"}).json()["count"] == 1
    assert api.get("/api/v1/revenue-events/").json()["results"][0]["amount"] == "19.99"
