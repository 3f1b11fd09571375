"""Pushing survey responses: the contract, field by field, and idempotency."""

import datetime as dt

import pytest

from audiences.models import AuditEntry
from measurements.models import Response, StaleMark
from tests.api.conftest import response_item

URL = "/api/v1/responses/"


def post(api, body):
    return api.post(URL, body, format="json")


def test_it_stores_one_response_with_its_local_day_key_and_batch(api, key, nps, org):
    org.timezone = "Europe/Istanbul"
    org.save()
    # 22:30 UTC on 1 March is 01:30 on 2 March in Istanbul (UTC+3).
    answer = post(api, response_item(responded_at="2025-03-01T22:30:00Z", comment="Great"))
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"created": 1, "updated": 0, "duplicates": 0}
    stored = Response.all_orgs.get()
    assert stored.score == 9
    assert stored.definition == nps
    assert stored.local_date == dt.date(2025, 3, 2)
    assert stored.api_key == key.api_key
    assert stored.batch_id is not None
    assert stored.comment == "Great"


def test_it_stores_a_bulk_list_and_counts_duplicates_inside_and_across_requests(api, nps):
    items = [response_item(external_id=f"r-{i}", score=i % 11) for i in range(50)]
    items.append(response_item(external_id="r-3"))  # repeats inside the request
    first = post(api, items)
    assert first.json() == {"created": 50, "updated": 0, "duplicates": 1}
    again = post(api, [*items[:10], response_item(external_id="new")])
    assert again.json() == {"created": 1, "updated": 0, "duplicates": 10}
    assert Response.all_orgs.count() == 51


def test_it_stores_text_with_tabs_newlines_and_backslashes_as_sent(api, nps):
    # On PostgreSQL the rows travel through COPY's text format, where these are escapes.
    comment = "Tab\there,\nnew line,\r\nCRLF, back\\slash, \\N and \\t literally, “é” 😀"
    respondent = "p\\1\t2"
    answer = post(api, response_item(external_id="x\ty\\z", comment=comment, respondent=respondent))
    assert answer.status_code == 201, answer.json()
    stored = Response.all_orgs.get()
    assert (stored.external_id, stored.comment, stored.respondent) == (
        "x\ty\\z",
        comment,
        respondent,
    )
    # The escaped external id is still recognised as the same one.
    again = post(api, response_item(external_id="x\ty\\z"))
    assert again.json() == {"created": 0, "updated": 0, "duplicates": 1}


def test_it_stores_responses_without_external_id_every_time(api, nps):
    item = response_item()
    del item["external_id"]
    assert post(api, [item, item]).json() == {"created": 2, "updated": 0, "duplicates": 0}


def test_it_writes_stale_marks_and_one_audit_entry_with_the_rows(api, nps, key):
    post(api, [response_item(external_id="a"), response_item(external_id="b", score=3)])
    assert list(StaleMark.all_orgs.values_list("definition_id", "day")) == [
        (nps.pk, dt.date(2025, 3, 1))
    ]
    entry = AuditEntry.all_orgs.get(object_type="response batch")
    assert entry.actor_key == key.api_key
    assert entry.changes["created"] == 2
    assert entry.changes["batch_id"] == str(Response.all_orgs.first().batch_id)


def test_it_accepts_a_touchpoint_respondent_and_comment(api, nps, touchpoint):
    answer = post(api, response_item(touchpoint="checkout", respondent="p-77", comment="ok"))
    assert answer.status_code == 201
    assert Response.all_orgs.get().touchpoint == touchpoint


def test_it_lists_every_invalid_item_with_its_index_and_stores_nothing(api, nps):
    items = [
        response_item(external_id="ok-1"),
        response_item(external_id="bad-1", score=11),
        response_item(external_id="ok-2"),
        response_item(external_id="bad-2", responded_at="2025-03-01T09:30:00"),
    ]
    answer = post(api, items)
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "score"), (3, "responded_at")]
    assert "0 to 10" in errors[0]["message"]
    assert "offset" in errors[1]["message"]
    assert Response.all_orgs.count() == 0


def test_it_leaves_the_index_out_for_a_single_object(api, nps):
    answer = post(api, response_item(score=-1))
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "field": "score",
            "code": "out_of_scale",
            "message": "Must be an integer from 0 to 10 (the scale of 'nps').",
        }
    ]


BAD = [
    ({"score": 9.5}, "score", "integer"),
    ({"score": 9.0}, "score", "integer"),
    ({"score": None}, "score", "null"),
    ({"score": True}, "score", "integer"),
    ({"score": "9"}, "score", "integer"),
    ({"score": 11}, "score", "0 to 10"),
    ({"responded_at": "2025-03-01T09:30:00"}, "responded_at", "offset"),
    ({"responded_at": "yesterday"}, "responded_at", "RFC 3339"),
    ({"responded_at": 1740000000}, "responded_at", "RFC 3339"),
    ({"audience": "nobody"}, "audience", "No audience"),
    ({"audience": "cust\x00omers"}, "audience", "slug"),
    ({"metric": "csat"}, "metric", "No metric"),
    ({"comment": "a\x00b"}, "comment", "NUL"),
    ({"respondent": "x" * 201}, "respondent", "200"),
    ({"external_id": 5}, "external_id", "string"),
    ({"touchpoint": "nowhere"}, "touchpoint", "No touchpoint"),
    ({"colour": "blue"}, "colour", "Unknown field"),
    ({"organisation": "acme"}, "organisation", "set by the server"),
    ({"id": 5}, "id", "set by the server"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD)
def test_it_refuses_each_bad_field_by_name(api, nps, change, field, words):
    answer = post(api, [response_item(**change)])
    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert errors[0]["index"] == 0
    assert errors[0]["field"] == field
    assert words in errors[0]["message"]
    assert Response.all_orgs.count() == 0


@pytest.mark.parametrize("field", ["audience", "metric", "score", "responded_at"])
def test_it_refuses_a_missing_required_field(api, nps, field):
    item = response_item()
    del item[field]
    answer = post(api, item)
    assert answer.json()["errors"] == [
        {"field": field, "code": "required", "message": "This field is required."}
    ]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_it_refuses_non_finite_scores_per_field(api, nps, literal):
    body = (
        '[{"audience": "customers", "metric": "nps", "responded_at": '
        f'"2025-03-01T09:30:00Z", "score": {literal}}}]'
    )
    answer = api.post(URL, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "score"
    assert answer.json()["errors"][0]["index"] == 0


def test_it_refuses_a_time_more_than_a_day_ahead(api, nps):
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)).isoformat()
    answer = post(api, response_item(responded_at=ahead))
    assert answer.json()["errors"][0]["message"] == "The time is more than a day in the future."
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)).isoformat()
    assert post(api, response_item(responded_at=soon)).status_code == 201


def test_it_refuses_a_metric_of_another_audience(api, nps, org):
    from tests.factories import AudienceFactory, MetricDefinitionFactory

    staff = AudienceFactory(organisation=org, slug="staff")
    MetricDefinitionFactory(audience=staff, kind="csat", slug="csat", scale_min=1, scale_max=5)
    answer = post(api, response_item(metric="csat"))
    assert answer.json()["errors"][0] == {
        "field": "metric",
        "code": "not_found",
        "message": "No metric 'csat' in audience 'customers'.",
    }


def test_it_follows_the_definitions_own_scale(api, customers):
    from tests.factories import MetricDefinitionFactory

    MetricDefinitionFactory(audience=customers, kind="csat", slug="csat", scale_min=1, scale_max=7)
    assert post(api, response_item(metric="csat", score=7)).status_code == 201
    answer = post(api, response_item(external_id="r-2", metric="csat", score=0))
    assert "from 1 to 7" in answer.json()["errors"][0]["message"]


def test_it_refuses_scores_for_unscored_and_inactive_metrics(api, customers):
    from tests.factories import MetricDefinitionFactory

    MetricDefinitionFactory(
        audience=customers, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )
    MetricDefinitionFactory(audience=customers, kind="nps", slug="old-nps", active=False)
    answer = post(api, [response_item(metric="ttr"), response_item(metric="old-nps")])
    messages = [e["message"] for e in answer.json()["errors"]]
    assert "takes no scores" in messages[0]
    assert "inactive" in messages[1]


def test_it_refuses_more_than_ten_thousand_items_naming_the_limit(api, nps):
    answer = post(api, [response_item(external_id=None)] * 10_001)
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "field": "body",
            "code": "too_many_items",
            "message": "At most 10000 items per request; got 10001.",
        }
    ]


def test_it_stores_ten_thousand_items_in_one_call(api, nps):
    items = [response_item(external_id=f"r-{i}", score=i % 11) for i in range(10_000)]
    answer = post(api, items)
    assert answer.json() == {"created": 10_000, "updated": 0, "duplicates": 0}


def test_it_answers_a_json_413_for_a_body_over_the_limit(api, nps, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = post(api, [response_item(external_id=f"r-{i}") for i in range(50)])
    assert answer.status_code == 413
    assert "larger than 1000 bytes" in answer.json()["detail"]


def test_it_answers_a_json_413_for_a_body_over_sixteen_megabytes(api, nps):
    body = b'[{"comment": "' + b"x" * (16 * 1024 * 1024) + b'"}]'
    answer = api.post(URL, body, content_type="application/json")
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/json"


def test_it_refuses_invalid_json_and_other_shapes(api, nps):
    broken = api.post(URL, "[{", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["field"] == "body"
    assert post(api, "just a string").status_code == 400
    assert post(api, []).json()["errors"][0]["message"] == "The list is empty."
    assert post(api, [1, 2]).json()["errors"][1] == {
        "index": 1,
        "field": "body",
        "code": "not_an_object",
        "message": "Each item must be a JSON object.",
    }


def test_it_lists_responses_filtered_and_paginated(api, nps):
    post(
        api,
        [
            response_item(external_id="a", responded_at="2025-03-01T10:00:00Z"),
            response_item(external_id="b", responded_at="2025-03-05T10:00:00Z", score=4),
        ],
    )
    answer = api.get(URL, {"audience": "customers", "metric": "nps", "from": "2025-03-02"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "external_id": "b",
            "audience": "customers",
            "metric": "nps",
            "score": 4,
            "responded_at": "2025-03-05T10:00:00Z",
            "touchpoint": None,
            "respondent": "",
            "comment": "",
        }
    ]
    assert api.get(URL, {"to": "2025-03-02T00:00:00+00:00"}).json()["count"] == 1
    assert api.get(URL, {"from": "not a time"}).status_code == 400
    assert api.get(URL, {"from": "2025-03-02T00:00:00"}).status_code == 400
    assert api.get(URL, {"audience": "a\x00b"}).status_code == 400
