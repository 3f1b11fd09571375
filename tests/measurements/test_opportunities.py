"""Opportunities: priority order, the rules of a write, status and done_at, the audit in words,
and the before/after of a done one, each number worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audiences.models import AuditEntry
from audiences.selectors import audit_rows
from measurements.models import Opportunity, Response, Rollup
from measurements.opportunities import (
    attach_before_after,
    opportunities_by_touchpoint,
    opportunities_prioritised,
    opportunity_queryset,
)
from measurements.opportunity_services import (
    opportunity_create,
    opportunity_delete,
    opportunity_set_status,
    opportunity_update,
)
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    PersonFactory,
    StageFactory,
    TouchpointFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 5, 12, 0, tzinfo=UTC)  # latest complete month: June 2026


@pytest.fixture
def journey(owned_audience):
    stage = StageFactory(audience=owned_audience, name="Visit", position=0)
    return {
        "audience": owned_audience,
        "open_day": TouchpointFactory(stage=stage, name="Open day", slug="open-day", position=0),
        "website": TouchpointFactory(stage=stage, name="Website", slug="website", position=1),
    }


def _rows(audience):
    return list(opportunity_queryset(organisation_id=audience.organisation_id))


def _add(audience, **data):
    return opportunity_create(audience=audience, data={"problem": "P", **data})


# --- priority ---------------------------------------------------------------------------


def test_it_puts_the_higher_value_over_effort_first(journey):
    audience = journey["audience"]
    a = _add(audience, problem="A", value=4, effort=2)  # 4 ÷ 2 = 2.0
    b = _add(audience, problem="B", value=3, effort=1)  # 3 ÷ 1 = 3.0
    ordered = opportunities_prioritised(_rows(audience), now=NOW)
    assert [o.problem for o in ordered] == ["B", "A"]
    assert [o.ratio for o in ordered] == [3.0, 2.0]
    assert {a.pk, b.pk} == {o.pk for o in ordered}


def test_it_puts_done_ones_after_every_open_one_whatever_their_ratio(journey):
    audience = journey["audience"]
    # Done 5 ÷ 1 = 5.0 would be first by ratio; it goes after the open 2 ÷ 2 = 1.0 and
    # 3 ÷ 1 = 3.0. Two done ones keep their own priority: 5.0 before 1.0.
    finished = _add(audience, problem="finished", value=5, effort=1)
    opportunity_set_status(opportunity=finished, status="done")
    small_done = _add(audience, problem="small done", value=1, effort=1)
    opportunity_set_status(opportunity=small_done, status="done")
    _add(audience, problem="idea", value=2, effort=2)
    progress = _add(audience, problem="in progress", value=3, effort=1)
    opportunity_set_status(opportunity=progress, status="in_progress")
    ordered = opportunities_prioritised(_rows(audience), now=NOW)
    assert [o.problem for o in ordered] == ["in progress", "idea", "finished", "small done"]


def test_it_breaks_a_tie_by_the_bigger_gap_to_target(journey):
    audience = journey["audience"]
    # Both 4 ÷ 2 = 2.0. NPS target 40, June 10 → 30 short; CSAT target 80, June 75 → 5 short;
    # TTR (lower is better) target 24 h, June 30 h → 6 over. Order: NPS, TTR, CSAT, no metric.
    nps = MetricDefinitionFactory(audience=audience, kind="nps", slug="nps", target=40)
    csat = MetricDefinitionFactory(
        audience=audience, kind="csat", slug="csat", target=80, scale_min=1, scale_max=5
    )
    ttr = MetricDefinitionFactory(
        audience=audience, kind="ttr", slug="ttr", target=24, scale_min=None, scale_max=None
    )
    june = dt.date(2026, 6, 1)
    for definition, value in ((nps, 10.0), (csat, 75.0), (ttr, 30.0)):
        Rollup.objects.create(
            organisation=audience.organisation,
            audience=audience,
            definition=definition,
            granularity="month",
            period_start=june,
            value=value,
            n=40,
        )
    # A May value far off target must not count: only the latest complete month does.
    Rollup.objects.create(
        organisation=audience.organisation,
        audience=audience,
        definition=csat,
        granularity="month",
        period_start=dt.date(2026, 5, 1),
        value=0.0,
        n=40,
    )
    _add(audience, problem="none", value=4, effort=2, definition=None)
    _add(audience, problem="csat", value=4, effort=2, definition=csat)
    _add(audience, problem="ttr", value=4, effort=2, definition=ttr)
    _add(audience, problem="nps", value=4, effort=2, definition=nps)
    ordered = opportunities_prioritised(_rows(audience), now=NOW)
    assert [o.problem for o in ordered] == ["nps", "ttr", "csat", "none"]
    assert [o.gap for o in ordered] == [30.0, 6.0, 5.0, None]
    assert [o.gap_text for o in ordered] == ["30.0", "6.0 h", "5.0 pts", ""]


def test_it_lists_each_touchpoints_open_opportunities_before_the_done_ones(journey):
    audience = journey["audience"]
    done = _add(audience, problem="done", value=5, effort=1, touchpoints=[journey["open_day"]])
    opportunity_set_status(opportunity=done, status="done")
    slow = _add(audience, problem="slow", value=2, effort=2, touchpoints=[journey["open_day"]])
    both = _add(
        audience,
        problem="both",
        value=3,
        effort=1,
        touchpoints=[journey["open_day"], journey["website"]],
    )
    by_touchpoint = opportunities_by_touchpoint(audience)
    assert [o.problem for o in by_touchpoint[journey["open_day"].pk]] == ["both", "slow", "done"]
    assert [o.pk for o in by_touchpoint[journey["website"].pk]] == [both.pk]
    assert slow.pk not in {o.pk for o in by_touchpoint[journey["website"].pk]}


# --- writes -------------------------------------------------------------------------------


def test_it_defaults_the_owner_and_the_touchpoints_metric(journey):
    audience = journey["audience"]
    csat = MetricDefinitionFactory(
        audience=audience,
        kind="csat",
        slug="csat",
        name="Visit CSAT",
        scale_min=1,
        scale_max=5,
        touchpoint=journey["open_day"],
    )
    created = _add(audience, value=3, effort=2, touchpoints=[journey["open_day"]])
    assert created.owner == audience.owner
    assert created.definition == csat
    assert created.status == "idea" and created.done_at is None
    # Left empty on purpose, they stay empty.
    bare = _add(audience, value=3, effort=2, owner=None, definition=None)
    assert bare.owner is None and bare.definition is None


def test_it_names_the_field_of_a_touchpoint_or_metric_of_another_audience(journey, org):
    audience = journey["audience"]
    other = AudienceFactory(organisation=org, name="Donors", slug="donors")
    elsewhere = TouchpointFactory(stage=StageFactory(audience=other), name="Gala dinner")
    their_metric = MetricDefinitionFactory(audience=other, name="Donor NPS")
    with pytest.raises(ValidationError) as caught:
        _add(audience, value=3, effort=2, touchpoints=[elsewhere], definition=their_metric)
    errors = caught.value.message_dict
    assert "Gala dinner" in errors["touchpoints"][0]
    assert "Parents" in errors["touchpoints"][0]
    assert "Donor NPS" in errors["definition"][0]
    assert not Opportunity.objects.for_org(org).exists()


def test_it_refuses_a_value_outside_one_to_five_and_an_empty_problem(journey):
    with pytest.raises(ValidationError) as caught:
        _add(journey["audience"], problem="  ", value=6, effort=0)
    assert set(caught.value.message_dict) == {"problem", "value", "effort"}


def test_it_refuses_an_owner_of_another_organisation(journey, other_org):
    stranger = PersonFactory(organisation=other_org, name="Stranger")
    with pytest.raises(ValidationError) as caught:
        _add(journey["audience"], value=3, effort=2, owner=stranger)
    assert list(caught.value.message_dict) == ["owner"]


def test_it_sets_done_at_when_done_and_clears_it_when_reopened(journey):
    opportunity = _add(journey["audience"], value=3, effort=2)
    opportunity = opportunity_set_status(opportunity=opportunity, status="in_progress")
    assert opportunity.done_at is None
    opportunity = opportunity_set_status(opportunity=opportunity, status="done")
    first_done = opportunity.done_at
    assert first_done is not None
    # Saved as done again (an edit of its idea), it keeps the day it was done.
    opportunity = opportunity_update(opportunity=opportunity, data={"idea": "x", "status": "done"})
    assert opportunity.done_at == first_done
    opportunity = opportunity_set_status(opportunity=opportunity, status="planned")
    assert opportunity.done_at is None
    with pytest.raises(ValidationError):
        opportunity_set_status(opportunity=opportunity, status="finished")


def test_it_audits_in_words_and_an_unchanged_save_records_nothing(journey, lead):
    audience = journey["audience"]
    MetricDefinitionFactory(audience=audience, name="Parent NPS", touchpoint=journey["open_day"])
    opportunity = opportunity_create(
        audience=audience,
        actor_user=lead,
        data={"problem": "Queue", "value": 3, "effort": 2, "touchpoints": [journey["open_day"]]},
    )
    opportunity_update(
        opportunity=opportunity,
        actor_user=lead,
        data={"problem": "Queue", "value": 3, "effort": 2, "touchpoints": [journey["open_day"]]},
    )
    opportunity_set_status(opportunity=opportunity, status="in_progress", actor_user=lead)
    opportunity_delete(opportunity=opportunity, actor_user=lead)
    entries = AuditEntry.objects.for_org(audience.organisation).filter(object_type="opportunity")
    assert [e.action for e in entries.order_by("id")] == ["create", "update", "delete"]
    rows = {row.action: row for row in audit_rows(entries)}
    created = {c.label: c.after for c in rows["Created"].changes}
    assert created["Owner"] == "Olive Owner"
    assert created["Metric"] == "Parent NPS"
    assert created["Touchpoints"] == "Open day"
    assert created["Status"] == "Idea"
    [moved] = rows["Updated"].changes
    assert (moved.label, moved.before, moved.after) == ("Status", "Idea", "In progress")
    assert {c.label: c.after for c in rows["Deleted"].changes}["Problem"] == "Queue"


# --- before and after ---------------------------------------------------------------------


def _answers(definition, touchpoint, day: dt.date, scores: list[int]) -> None:
    for score in scores:
        Response.objects.create(
            organisation=definition.organisation,
            audience=definition.audience,
            definition=definition,
            score=score,
            responded_at=dt.datetime.combine(day, dt.time(10), tzinfo=UTC),
            local_date=day,
            touchpoint=touchpoint,
        )


def _done(audience, definition, touchpoints, *, created: dt.datetime, done: dt.datetime):
    opportunity = _add(audience, value=4, effort=2, definition=definition, touchpoints=touchpoints)
    Opportunity.objects.for_org(audience.organisation).filter(pk=opportunity.pk).update(
        created_at=created, done_at=done, status="done"
    )
    [loaded] = list(opportunity_queryset(organisation_id=audience.organisation_id))
    attach_before_after([loaded], now=NOW)
    return loaded.before_after


def test_it_shows_the_metric_before_and_after_at_each_touchpoint(journey):
    audience = journey["audience"]
    open_day, website = journey["open_day"], journey["website"]
    nps = MetricDefinitionFactory(audience=audience, kind="nps", name="Parent NPS")
    # Recorded 10 Mar → before = Feb. Done 20 Apr → after = May and June (July runs still).
    _answers(nps, open_day, dt.date(2026, 2, 3), [10, 9, 3, 5])  # 2 promoters, 2 detractors
    _answers(nps, website, dt.date(2026, 2, 4), [0])  # 1 detractor
    _answers(nps, open_day, dt.date(2026, 3, 15), [0, 0])  # while it was worked on: not shown
    _answers(nps, open_day, dt.date(2026, 4, 25), [0])  # the month it was done in: not shown
    _answers(nps, open_day, dt.date(2026, 5, 2), [10, 10, 8])
    _answers(nps, open_day, dt.date(2026, 6, 30), [9, 6])
    _answers(nps, open_day, dt.date(2026, 7, 1), [0])  # the running month: not shown
    _answers(nps, None, dt.date(2026, 5, 9), [0, 0, 0])  # no touchpoint: not this one's
    result = _done(
        audience,
        nps,
        [open_day, website],
        created=dt.datetime(2026, 3, 10, 9, tzinfo=UTC),
        done=dt.datetime(2026, 4, 20, 9, tzinfo=UTC),
    )
    assert (result.label, result.before_period, result.after_period) == (
        "Parent NPS",
        "Feb 2026",
        "May 2026 – Jun 2026",
    )
    rows = {row.label: row for row in result.rows}
    # Open day before: (2 − 2) / 4 = 0.0, n 4. After: 10, 10, 8, 9, 6 → (3 − 1) / 5 = 40.0.
    at_open_day = rows["Open day"]
    assert (at_open_day.before.value, at_open_day.before.n) == (0.0, 4)
    assert (at_open_day.after.value, at_open_day.after.n) == (40.0, 5)
    assert at_open_day.before.indicative and at_open_day.after.indicative  # n < 30
    assert at_open_day.change_text.startswith("+40.0")
    # Website before: one detractor → −100.0, n 1; after: no answers.
    assert (rows["Website"].before.value, rows["Website"].before.n) == (-100.0, 1)
    assert rows["Website"].after.value is None and rows["Website"].change_text == ""
    # Together before: 10, 9, 3, 5, 0 → (2 − 3) / 5 = −20.0; after as at the open day.
    together = rows["Its touchpoints together"]
    assert (together.before.value, together.before.n) == (-20.0, 5)
    assert (together.after.value, together.after.n) == (40.0, 5)


def test_it_hides_a_before_or_after_smaller_than_the_privacy_group(org):
    teachers = AudienceFactory(organisation=org, name="Teachers", slug="staff", kind="employee")
    induction = TouchpointFactory(stage=StageFactory(audience=teachers), name="Induction")
    enps = MetricDefinitionFactory(audience=teachers, kind="nps", name="Teacher eNPS")
    # Employees: groups under 5 answers are not shown (measurements.privacy).
    _answers(enps, induction, dt.date(2026, 2, 3), [10, 9, 3, 5])  # 4: hidden
    _answers(enps, induction, dt.date(2026, 5, 2), [10, 10, 8, 9, 6])  # 5: shown, NPS 40.0
    result = _done(
        teachers,
        enps,
        [induction],
        created=dt.datetime(2026, 3, 10, tzinfo=UTC),
        done=dt.datetime(2026, 4, 20, tzinfo=UTC),
    )
    [row] = result.rows
    assert row.before.hidden and row.before.value is None and row.before.n == 0
    assert row.before.minimum == 5
    assert not row.after.hidden and (row.after.value, row.after.n) == (40.0, 5)
    assert row.change is None


def test_it_shows_no_after_until_a_month_after_the_done_one_is_complete(journey):
    audience = journey["audience"]
    nps = MetricDefinitionFactory(audience=audience, kind="nps")
    _answers(nps, journey["open_day"], dt.date(2026, 6, 30), [10])
    result = _done(
        audience,
        nps,
        [journey["open_day"]],
        created=dt.datetime(2026, 6, 1, tzinfo=UTC),
        done=dt.datetime(2026, 6, 15, tzinfo=UTC),  # June's answers are before the done date
    )
    assert result.before_period == "May 2026"
    assert result.after_period == "no complete month yet"
    assert result.rows[0].after.value is None


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_seeds_three_teacher_opportunities_once_one_done_before_today(db):
    from audiences.demo import seed_registry
    from measurements.demo import seed_measurement

    demo = seed_registry()
    seed_measurement(demo)
    seed_measurement(demo)  # a second run changes nothing
    teachers = demo["audiences"]["riverside"]["teachers"]
    rows = list(opportunity_queryset(organisation_id=teachers.organisation_id))
    assert sorted(o.status for o in rows) == ["done", "in_progress", "planned"]
    assert {o.audience_id for o in rows} == {teachers.pk}
    [done] = [o for o in rows if o.status == "done"]
    assert done.definition.name == "Teacher eNPS"
    assert [t.name for t in done.touchpoints.all()] == ["New-teacher induction"]
    # Recorded and done months ago, so its before and after have complete months to show.
    assert done.created_at < done.done_at < timezone.now() - dt.timedelta(days=60)


def test_it_defaults_to_the_metric_whose_answers_are_tagged_with_the_touchpoint(journey):
    # No metric is named for the website, but Parent NPS has 2 answers there and Visit CSAT
    # 1: the map says "Measured by" both; the default is the one with more answers.
    audience = journey["audience"]
    nps = MetricDefinitionFactory(audience=audience, kind="nps", name="Parent NPS")
    csat = MetricDefinitionFactory(
        audience=audience, kind="csat", slug="csat", name="Visit CSAT", scale_min=1, scale_max=5
    )
    _answers(nps, journey["website"], dt.date(2026, 6, 1), [9, 3])
    _answers(csat, journey["website"], dt.date(2026, 6, 1), [5])
    _answers(csat, journey["open_day"], dt.date(2026, 6, 1), [5, 5, 5])
    created = _add(audience, value=3, effort=2, touchpoints=[journey["website"]])
    assert created.definition == nps
