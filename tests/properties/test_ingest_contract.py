"""The push endpoints for any body: never a server error, every refusal named, all or nothing.

Items are valid ones (tests/properties/strategies.py), valid ones with one field broken in a
way the contract refuses, valid ones with a field replaced by any JSON value, and any JSON
value at all. Each example runs in its own savepoint (`example_rolled_back`), so the counts
before and after a POST are that POST's doing alone.
"""

import json
import string
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audiences.models import AuditEntry
from measurements.ingest import CASES, MEMBERS, RESPONSES, REVENUE, SPECS
from measurements.ingest.fields import FORBIDDEN_FIELDS
from measurements.models import AudienceMember, Response, RevenueEvent, StaleMark, SupportCase
from tests.properties.strategies import (
    SCALES,
    VALID_ITEMS,
    example_rolled_back,
    external_ids,
    json_values,
    texts,
    valid_response,
    wild_times,
)

URLS = {
    RESPONSES: "/api/v1/responses/",
    CASES: "/api/v1/cases/",
    REVENUE: "/api/v1/revenue-events/",
    MEMBERS: "/api/v1/members/",
}
MODELS = {
    RESPONSES: Response,
    CASES: SupportCase,
    REVENUE: RevenueEvent,
    MEMBERS: AudienceMember,
}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID, INVALID, UNKNOWN = "valid", "invalid", "unknown"


def post_json(api, url, body):
    """POST the body as JSON text: NaN and ±Infinity go as the literals a client could send."""
    return api.post(url, json.dumps(body, allow_nan=True), content_type="application/json")


def stored_counts(org, kind):
    return (
        MODELS[kind].objects.for_org(org).count(),
        StaleMark.objects.for_org(org).count(),
        AuditEntry.objects.for_org(org).filter(action="ingested").count(),
    )


# --- one field broken the way the contract refuses ------------------------------------------

future_times = st.integers(25, 10**5).map(
    lambda hours: (datetime.now(UTC) + timedelta(hours=hours)).isoformat()
)
naive_times = st.datetimes(min_value=datetime(1990, 1, 1)).map(datetime.isoformat)
not_strings = st.integers() | st.floats() | st.booleans() | st.lists(st.integers(), max_size=2)
with_nul = texts.map(lambda t: t[: len(t) // 2] + "\x00" + t[len(t) // 2 :])
with_surrogate = st.tuples(texts, st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)).map(
    lambda pair: pair[0] + pair[1] + pair[0]
)
unknown_slugs = st.text(string.ascii_lowercase + "-_", min_size=1, max_size=20).filter(
    lambda s: s not in ("customers", "checkout", *SCALES)
)
BROKEN = {
    # by FieldSpec.check: values that check always refuses
    "str": not_strings | with_nul | with_surrogate,
    "id": not_strings | with_nul | with_surrogate | st.sampled_from(["", " ", "\t\n", "\u00a0"]),
    "slug": not_strings | with_nul | unknown_slugs | st.just("white space"),
    "time": not_strings
    | naive_times
    | future_times
    | st.sampled_from(["yesterday", "1899-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z"]),
    "score": st.floats() | st.booleans() | st.text(max_size=3) | st.lists(st.integers()),
    "amount": st.booleans()
    | st.sampled_from([float("nan"), float("inf"), -float("inf"), 10**12, "1e12", "0.001"])
    | st.text(string.ascii_letters, min_size=1, max_size=5),
    "currency": not_strings | st.sampled_from(["eur", "EURO", "E", "", "EU1", "EUR\n"]),
    "channel": not_strings | st.text(string.ascii_uppercase, min_size=1, max_size=8),
}


@st.composite
def broken_item(draw, kind):
    """A valid item with one thing the contract refuses."""
    item = draw(VALID_ITEMS[kind])
    specs = SPECS[kind]
    how = draw(st.sampled_from(["drop", "null", "unknown", "forbidden", "value", "too long"]))
    required = [s.name for s in specs if s.required]
    if how == "drop":
        item.pop(draw(st.sampled_from(required)))
    elif how == "null":
        item[draw(st.sampled_from(required))] = None
    elif how == "unknown":
        contract = {s.name for s in specs}
        item[draw(texts.filter(lambda name: name not in contract))] = draw(json_values)
    elif how == "forbidden":
        item[draw(st.sampled_from(sorted(FORBIDDEN_FIELDS)))] = draw(json_values)
    elif how == "too long":
        spec = draw(st.sampled_from([s for s in specs if s.check in ("str", "id")]))
        item[spec.name] = "x" * (spec.max_length + draw(st.integers(1, 5)))
    else:
        spec = draw(st.sampled_from(specs))
        item[spec.name] = draw(BROKEN[spec.check])
        if spec.check == "score":
            lo, hi = SCALES[item["metric"]]
            outside = st.integers(max_value=lo - 1) | st.integers(min_value=hi + 1)
            item[spec.name] = draw(BROKEN["score"] | outside)
    return item


@st.composite
def odd_item(draw, kind):
    """A valid item with one field replaced by anything, or anything at all: the contract
    may take it or not; the server must answer either way."""
    item = draw(VALID_ITEMS[kind])
    name = draw(st.sampled_from([s.name for s in SPECS[kind]]))
    item[name] = draw(json_values | wild_times | external_ids)
    return draw(st.just(item) | json_values)


@st.composite
def labelled_items(draw, kind):
    """1–6 items, each labelled with what the contract says of it: valid, invalid, unknown."""
    valid = VALID_ITEMS[kind].map(lambda item: (item, VALID))
    mixed = st.one_of(
        valid,
        broken_item(kind).map(lambda item: (item, INVALID)),
        odd_item(kind).map(lambda item: (item, UNKNOWN)),
    )
    # Half the batches all valid: a mixed batch of six is almost never accepted.
    return draw(st.lists(valid, min_size=1, max_size=6) | st.lists(mixed, min_size=1, max_size=6))


def assert_errors_name_items_and_fields(errors, items, kind, *, single):
    contract = {s.name for s in SPECS[kind]}
    assert errors, "a 400 lists at least one error"
    for error in errors:
        assert isinstance(error["message"], str) and error["message"]
        if single:
            assert "index" not in error
            item = items[0]
        else:
            assert 0 <= error["index"] < len(items)
            item = items[error["index"]]
        sent = set(item) if isinstance(item, dict) else set()
        # A field of the contract, the body itself, or a field the client sent (unknown ones).
        assert error["field"] in contract | {"body"} | sent, error


@pytest.mark.parametrize("kind", [RESPONSES, CASES, REVENUE, MEMBERS])
@FUZZ
@given(data=st.data())
def test_it_answers_any_body_with_201_or_400_naming_every_invalid_item(
    api, org, every_kind, kind, data
):
    labelled = data.draw(labelled_items(kind), label="items")
    items = [item for item, _ in labelled]
    single = len(items) == 1 and isinstance(items[0], dict) and data.draw(st.booleans())
    zone = data.draw(st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]), label="tz")
    with example_rolled_back():
        org.timezone = zone
        org.save()
        before = stored_counts(org, kind)

        answer = post_json(api, URLS[kind], items[0] if single else items)

        assert answer.status_code in (201, 400), answer.content
        event(f"{answer.status_code}, {len(items)} item(s)")
        after = stored_counts(org, kind)
        invalid = {i for i, (_, label) in enumerate(labelled) if label == INVALID}
        valid = {i for i, (_, label) in enumerate(labelled) if label == VALID}
        if answer.status_code == 400:
            errors = answer.json()["errors"]
            assert_errors_name_items_and_fields(errors, items, kind, single=single)
            refused = {0} if single else {e["index"] for e in errors}
            assert invalid <= refused
            assert not valid & refused
            assert after == before  # all or nothing
        else:
            assert not invalid
            counts = answer.json()
            assert counts["created"] + counts["updated"] + counts["duplicates"] == len(items)
            assert after[2] == before[2] + 1  # one audit entry per batch
            assert after[0] == before[0] + counts["created"]


@FUZZ
@given(
    items=st.lists(valid_response(), min_size=1, max_size=20),
    ids=st.lists(st.none() | st.sampled_from(["a", "b", "c", "d\\t\n", "é"]), min_size=20),
)
def test_it_stores_valid_responses_once_and_counts_repeats_as_duplicates(
    api, org, csat, nps, touchpoint, items, ids
):
    for item, external_id in zip(items, ids, strict=False):
        item["external_id"] = external_id
    with_id = [item["external_id"] for item in items if item["external_id"] is not None]
    without_id = len(items) - len(with_id)
    distinct = len(set(with_id))
    with example_rolled_back():
        before = Response.objects.for_org(org).count()

        first = post_json(api, URLS[RESPONSES], items)
        again = post_json(api, URLS[RESPONSES], items)

        assert first.status_code == again.status_code == 201
        assert first.json() == {
            "created": distinct + without_id,
            "updated": 0,
            "duplicates": len(with_id) - distinct,
        }
        # Items without an external id cannot be recognised, so they are stored every time.
        assert again.json() == {"created": without_id, "updated": 0, "duplicates": len(with_id)}
        stored = Response.objects.for_org(org)
        assert stored.count() == before + distinct + 2 * without_id
        # The first item with an external id is the one kept, as it was sent.
        firsts = {}
        for item in items:
            firsts.setdefault(item["external_id"], item)
        for external_id, item in firsts.items():
            if external_id is None:
                continue
            row = stored.get(external_id=external_id)
            assert (row.definition.slug, row.score, row.comment, row.respondent) == (
                item["metric"],
                item["score"],
                item.get("comment") or "",
                item.get("respondent") or "",
            )
            assert row.responded_at == datetime.fromisoformat(item["responded_at"])
        assert Counter(stored.values_list("external_id", flat=True))[None] == 2 * without_id


# --- inputs that once answered 500, each pinned by its minimal input -------------------------


@pytest.mark.parametrize("field", ["external_id", "respondent", "comment"])
def test_it_refuses_a_lone_surrogate_without_a_server_error(api, org, nps, field):
    item = {"audience": "customers", "metric": "nps", "score": 9}
    item |= {"responded_at": "2025-03-01T09:30:00Z", field: "a\ud800b"}
    before = stored_counts(org, RESPONSES)

    answer = post_json(api, URLS[RESPONSES], [item])

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == field
    assert stored_counts(org, RESPONSES) == before


YEAR_ONE_ITEMS = {
    RESPONSES: {"audience": "customers", "metric": "nps", "score": 9, "responded_at": None},
    CASES: {"audience": "customers", "external_id": "c-1", "opened_at": None},
    REVENUE: {"audience": "customers", "member": "m", "amount": 5, "currency": "EUR"}
    | {"occurred_at": None},
    MEMBERS: {"audience": "customers", "member": "m", "joined_at": None},
}


@pytest.mark.parametrize("kind", [RESPONSES, CASES, REVENUE, MEMBERS])
def test_it_refuses_a_year_one_time_without_a_server_error(api, org, every_kind, kind):
    org.timezone = "America/New_York"
    org.save()
    item = {
        name: "0001-01-01T00:00:00Z" if value is None else value
        for name, value in YEAR_ONE_ITEMS[kind].items()
    }

    answer = post_json(api, URLS[kind], [item])

    assert answer.status_code == 400
    assert "before 1900" in answer.json()["errors"][0]["message"]


def test_it_refuses_a_currency_with_a_trailing_newline(api, org, every_kind):
    item = {"audience": "customers", "member": "m", "amount": 5, "currency": "EUR\n"}
    item["occurred_at"] = "2025-03-01T09:30:00Z"
    before = stored_counts(org, REVENUE)

    answer = post_json(api, URLS[REVENUE], [item])

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "currency"
    assert stored_counts(org, REVENUE) == before
