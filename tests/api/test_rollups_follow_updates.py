"""Rollups follow updates, not only inserts (issue 11): a period whose last data an update
takes away loses its row, and a case moved to another audience leaves the old one's TTR.

Every test pushes through the real API, runs the stale recompute the worker would run, and
compares with a full rollup and with a rebuild into empty rollup tables."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from measurements.models import Rollup
from measurements.rollups import rollup_full, stale_rollups_recompute
from tests.factories import AudienceFactory, MetricDefinitionFactory


def first_periods(definition) -> dict[str, date]:
    """The first period start stored per granularity."""
    firsts: dict[str, date] = {}
    for granularity, start in rows(definition):
        firsts[granularity] = min(start, firsts.get(granularity, start))
    return firsts


# Joined on Monday 10 November 2025: the first day and week start then, the month on the
# 1st, the quarter on 1 October. No row may start earlier.
FIRST_AFTER_NOVEMBER_JOIN = {
    "day": date(2025, 11, 10),
    "week": date(2025, 11, 10),
    "month": date(2025, 11, 1),
    "quarter": date(2025, 10, 1),
}


def rows(definition) -> dict[tuple[str, date], tuple]:
    return {
        (r.granularity, r.period_start): (r.value, r.n)
        for r in Rollup.all_orgs.filter(definition=definition)
    }


def all_rows(org) -> dict:
    return {
        (r.definition_id, r.granularity, r.period_start): (r.value, r.n, r.details)
        for r in Rollup.all_orgs.filter(organisation=org)
    }


def assert_incremental_equals_full_and_rebuild(org) -> None:
    incremental = all_rows(org)
    rollup_full(organisation=org)
    assert all_rows(org) == incremental
    Rollup.all_orgs.filter(organisation=org).delete()
    rollup_full(organisation=org)
    assert all_rows(org) == incremental


@pytest.fixture
def retention(customers):
    return MetricDefinitionFactory(
        audience=customers, kind="retention", slug="retention", scale_min=None, scale_max=None
    )


@pytest.fixture
def ttr(customers):
    return MetricDefinitionFactory(
        audience=customers, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )


def push(api, path: str, *items: dict) -> dict:
    response = api.post(f"/api/v1/{path}/", list(items), format="json")
    assert response.status_code in (200, 201), response.content
    stale_rollups_recompute()
    return response.json()


def three_members(joined: str) -> list[dict]:
    return [{"audience": "customers", "member": f"m-{i}", "joined_at": joined} for i in range(3)]


def test_a_join_corrected_from_august_to_november_leaves_no_august_row(api, org, retention):
    # Three members joined on 10 August 2025: the September month has S = 3, R = 3.
    push(api, "members", *three_members("2025-08-10T09:00:00Z"))
    assert rows(retention)[("month", date(2025, 9, 1))] == (100.0, 3)
    # The join dates were wrong: they joined on 10 November. Before November nobody existed.
    answer = push(api, "members", *three_members("2025-11-10T09:00:00Z"))
    assert answer == {"created": 0, "updated": 3, "duplicates": 0}
    assert first_periods(retention) == FIRST_AFTER_NOVEMBER_JOIN
    assert ("month", date(2025, 9, 1)) not in rows(retention)
    assert_incremental_equals_full_and_rebuild(org)


def test_rollup_full_command_deletes_rows_left_by_data_that_moved(api, org, retention):
    push(api, "members", *three_members("2025-08-10T09:00:00Z"))
    # The correction arrives while the marks wait (a broker down): only the full run sees it.
    api.post("/api/v1/members/", three_members("2025-11-10T09:00:00Z"), format="json")
    call_command("rollup", "--full", stdout=io.StringIO())
    assert first_periods(retention) == FIRST_AFTER_NOVEMBER_JOIN
    assert_incremental_equals_full_and_rebuild(org)


def test_a_case_moved_to_another_touchpoint_leaves_the_old_definition(
    api, org, customers, touchpoint
):
    at_checkout = MetricDefinitionFactory(
        audience=customers,
        kind="ttr",
        slug="ttr-checkout",
        scale_min=None,
        scale_max=None,
        touchpoint=touchpoint,
    )
    case = {
        "external_id": "T-1",
        "audience": "customers",
        "touchpoint": "checkout",
        "opened_at": "2025-08-04T09:00:00Z",
        "resolved_at": "2025-08-04T13:00:00Z",
    }
    push(api, "cases", case)
    assert rows(at_checkout)[("month", date(2025, 8, 1))] == (4.0, 1)
    # The case was logged against the wrong touchpoint: no touchpoint at all.
    assert push(api, "cases", {**case, "touchpoint": None})["updated"] == 1
    assert rows(at_checkout) == {}
    assert_incremental_equals_full_and_rebuild(org)


def test_a_case_moved_to_another_audience_leaves_the_old_audiences_ttr(api, org, ttr):
    partners = AudienceFactory(organisation=org, name="Partners", slug="partners")
    partners_ttr = MetricDefinitionFactory(
        audience=partners, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )
    case = {
        "external_id": "T-1",
        "audience": "customers",
        "opened_at": "2025-08-04T09:00:00Z",
        "resolved_at": "2025-08-04T13:00:00Z",
    }
    other = {**case, "external_id": "T-2", "resolved_at": "2025-08-04T11:00:00Z"}
    push(api, "cases", case, other)
    # Two customer cases in August: 4 h and 2 h, median 3 h.
    assert rows(ttr)[("month", date(2025, 8, 1))] == (3.0, 2)
    # T-1 was a partner's case: re-sent with the partners audience, it moves.
    assert push(api, "cases", {**case, "audience": "partners"}) == {
        "created": 0,
        "updated": 1,
        "duplicates": 0,
    }
    assert rows(ttr)[("month", date(2025, 8, 1))] == (2.0, 1)
    assert rows(partners_ttr)[("month", date(2025, 8, 1))] == (4.0, 1)
    assert_incremental_equals_full_and_rebuild(org)
