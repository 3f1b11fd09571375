"""Hypothesis strategies for pushed items, and a savepoint per example.

Hypothesis runs many examples inside one pytest-django test, that is one database transaction:
`example_rolled_back()` gives each example a savepoint that is rolled back at its end, so
every example starts from the fixtures' rows and nothing else.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from hypothesis import strategies as st

from journeys.models import Channel
from measurements.ingest import CASES, MEMBERS, RESPONSES, REVENUE
from measurements.ingest.fields import ID_RE

# The fixtures' slugs (tests/properties/conftest.py) and the definitions' scales.
AUDIENCE, TOUCHPOINT = "customers", "checkout"
SCALES = {"nps": (0, 10), "csat": (1, 5)}
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "Europe/Istanbul"]

# An instant is accepted up to a day ahead of now; these stay in the past.
PAST_START, PAST_END = datetime(2015, 1, 1), datetime(2025, 1, 1)


@contextmanager
def example_rolled_back() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back; throttle counters reset."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- times ----------------------------------------------------------------------------------

offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
zones = st.sampled_from([ZoneInfo(name) for name in ZONES])


def iso(moment: datetime, *, zulu: bool = False) -> str:
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if zulu else text


@st.composite
def past_times(draw, *, start: datetime = PAST_START, end: datetime = PAST_END) -> str:
    """An ISO 8601 instant with an offset (fixed or a zone's), between start and end (UTC)."""
    instant = draw(st.datetimes(min_value=start, max_value=end, timezones=st.just(UTC)))
    return iso(instant.astimezone(draw(offsets | zones)), zulu=draw(st.booleans()))


wild_times = st.datetimes(timezones=offsets | zones).map(iso)


# --- text -----------------------------------------------------------------------------------

# Characters a valid text may hold: anything but NUL and lone surrogates (refused by name; the
# broken values in test_ingest_contract add them).
text_chars = st.characters(codec="utf-8", exclude_characters="\x00")
texts = st.text(text_chars, max_size=30)
any_text = st.text(st.characters(codec="utf-8"), max_size=30)  # NUL included


def bounded_text(max_length: int) -> st.SearchStrategy[str]:
    return st.text(text_chars, max_size=min(max_length, 60)) | st.just("x" * max_length)


# Ids hold at least one non-blank character; "" and "  " are refused (test_ingest_contract).
external_ids = st.text(text_chars, min_size=1, max_size=20).filter(ID_RE.search)


def bounded_ids(max_length: int) -> st.SearchStrategy[str]:
    return bounded_text(max_length).filter(ID_RE.search)


# --- valid items, one strategy per kind -----------------------------------------------------


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def valid_response(draw, *, times: st.SearchStrategy[str] | None = None) -> dict:
    metric = draw(st.sampled_from(sorted(SCALES)))
    lo, hi = SCALES[metric]
    item = {
        "audience": AUDIENCE,
        "metric": metric,
        "score": draw(st.integers(lo, hi)),
        "responded_at": draw(times or past_times()),
    }
    optional = {
        "external_id": _optional(external_ids),
        "touchpoint": st.sampled_from([None, TOUCHPOINT]),
        "respondent": _optional(bounded_text(200)),
        "comment": _optional(bounded_text(10_000)),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            item[name] = draw(strategy)
    return item


@st.composite
def valid_case(draw) -> dict:
    opened = draw(past_times())
    item = {"external_id": draw(external_ids), "audience": AUDIENCE, "opened_at": opened}
    if draw(st.booleans()):
        opened_utc = datetime.fromisoformat(opened).astimezone(UTC).replace(tzinfo=None)
        item["resolved_at"] = draw(_optional(past_times(start=opened_utc)))
    if draw(st.booleans()):
        item["touchpoint"] = draw(st.sampled_from([None, TOUCHPOINT]))
    if draw(st.booleans()):
        item["channel"] = draw(st.sampled_from([None, "", *Channel.values]))
    return item


# Two decimal places under 10¹² are at most 14 significant digits: a float keeps them exactly.
amounts = st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1) | st.decimals(
    min_value=-(10**12) + 1, max_value=10**12 - 1, places=2
).flatmap(lambda d: st.sampled_from([str(d), float(d)]))


@st.composite
def valid_revenue(draw) -> dict:
    item = {
        "audience": AUDIENCE,
        "member": draw(bounded_ids(200)),
        "amount": draw(amounts),
        "currency": draw(st.text(string.ascii_uppercase, min_size=3, max_size=3)),
        "occurred_at": draw(past_times()),
    }
    if draw(st.booleans()):
        item["external_id"] = draw(_optional(external_ids))
    return item


@st.composite
def valid_member(draw) -> dict:
    joined = draw(past_times())
    item = {"audience": AUDIENCE, "member": draw(bounded_ids(200)), "joined_at": joined}
    if draw(st.booleans()):
        joined_utc = datetime.fromisoformat(joined).astimezone(UTC).replace(tzinfo=None)
        item["left_at"] = draw(_optional(past_times(start=joined_utc)))
    return item


VALID_ITEMS = {
    RESPONSES: valid_response(),
    CASES: valid_case(),
    REVENUE: valid_revenue(),
    MEMBERS: valid_member(),
}


# --- arbitrary JSON -------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()  # NaN and ±Infinity included: sent as the literals NaN, Infinity
    | any_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
