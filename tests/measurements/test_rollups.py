"""Rollup services against the database (run on SQLite and on PostgreSQL: same numbers)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from measurements.models import Alert, DailyScoreCount, MetricKind, Rollup, StaleMark
from measurements.rollups import rollup_full, stale_rollups_recompute
from tests.factories import AudienceFactory, MetricDefinitionFactory, OrganisationFactory
from tests.measurements.rollup_helpers import (
    case,
    member,
    respond,
    revenue,
    rollup_of,
    utc,
)


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")


def test_it_rolls_up_nps_for_every_granularity(nps):
    # Tue 7 Jan 2025: 10, 9, 7, 3 → P 2, D 1, n 4 → NPS 25.
    # Mon 13 Jan: 6, 6 → D 2 → NPS −100 for that day and week.
    # January: P 2, Pa 1, D 3, n 6 → (2 − 3) / 6 × 100 = −16.67; same for Q1.
    for score in (10, 9, 7, 3):
        respond(nps, score, utc(2025, 1, 7, 12))
    for score in (6, 6):
        respond(nps, score, utc(2025, 1, 13, 9))
    rollup_full(organisation=nps.organisation)

    assert rollup_of(nps, "day", date(2025, 1, 7)).value == pytest.approx(25.0)
    assert rollup_of(nps, "week", date(2025, 1, 6)).value == pytest.approx(25.0)
    assert rollup_of(nps, "week", date(2025, 1, 13)).value == pytest.approx(-100.0)
    month = rollup_of(nps, "month", date(2025, 1, 1))
    assert month.value == pytest.approx(-100 / 6)
    assert month.n == 6
    assert month.details["promoters"] == 2
    assert month.details["detractors"] == 3
    assert rollup_of(nps, "quarter", date(2025, 1, 1)).value == pytest.approx(-100 / 6)


def test_it_counts_a_new_york_evening_in_its_local_month(owned_audience):
    owned_audience.organisation.timezone = "America/New_York"
    owned_audience.organisation.save()
    csat = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=10
    )
    # 31 Jan 23:30 in New York = 1 Feb 04:30 UTC: a 9 on 1–10 (top two) → January CSAT 100.
    # 1 Feb 10:00 in New York: a 5 → February CSAT 0.
    respond(csat, 9, utc(2025, 2, 1, 4, 30))
    respond(csat, 5, utc(2025, 2, 1, 15, 0))
    rollup_full(audience=owned_audience)

    assert rollup_of(csat, "month", date(2025, 1, 1)).value == pytest.approx(100.0)
    assert rollup_of(csat, "month", date(2025, 2, 1)).value == pytest.approx(0.0)
    assert rollup_of(csat, "day", date(2025, 1, 31)).n == 1


def test_it_consumes_stale_marks_and_only_touches_their_periods(nps):
    # January: one 10 → NPS 100. A later 0 in February, marked stale, gives February −100
    # and leaves January's rollup as it was.
    respond(nps, 10, utc(2025, 1, 15, 12))
    rollup_full(organisation=nps.organisation)
    respond(nps, 0, utc(2025, 2, 3, 12), mark=True)
    assert StaleMark.all_orgs.count() == 1

    consumed = stale_rollups_recompute()

    assert consumed == 1
    assert StaleMark.all_orgs.count() == 0
    assert rollup_of(nps, "month", date(2025, 2, 1)).value == pytest.approx(-100.0)
    assert rollup_of(nps, "month", date(2025, 1, 1)).value == pytest.approx(100.0)
    # Quarter 1 now holds both: (1 − 1) / 2 = 0.
    assert rollup_of(nps, "quarter", date(2025, 1, 1)).value == pytest.approx(0.0)


def test_it_gives_the_same_rollups_when_recomputed(nps):
    for score in (10, 8, 2):
        respond(nps, score, utc(2025, 3, 4, 12), mark=True)
    stale_rollups_recompute()
    first = list(
        Rollup.all_orgs.order_by("granularity", "period_start").values_list(
            "granularity", "period_start", "value", "n", "details"
        )
    )
    hist = list(DailyScoreCount.all_orgs.order_by("score").values_list("day", "score", "count"))
    rollup_full(organisation=nps.organisation)
    rollup_full(organisation=nps.organisation)

    again = list(
        Rollup.all_orgs.order_by("granularity", "period_start").values_list(
            "granularity", "period_start", "value", "n", "details"
        )
    )
    assert again == first
    assert (
        list(DailyScoreCount.all_orgs.order_by("score").values_list("day", "score", "count"))
        == hist
        == [(date(2025, 3, 4), 2, 1), (date(2025, 3, 4), 8, 1), (date(2025, 3, 4), 10, 1)]
    )


def test_it_computes_ttr_with_a_case_resolved_in_a_later_month(owned_audience):
    ttr = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.TTR, slug="ttr", scale_min=None, scale_max=None
    )
    case(ttr, "c1", utc(2025, 1, 10), utc(2025, 1, 10, 2))  # 2 h, January
    case(ttr, "c2", utc(2025, 1, 20), utc(2025, 1, 21))  # 24 h, January
    case(ttr, "c3", utc(2025, 1, 30), utc(2025, 2, 2))  # 72 h, resolved in February
    case(ttr, "c4", utc(2025, 1, 31, 12), None)  # still open
    rollup_full(organisation=owned_audience.organisation)

    # January: resolved 2 h and 24 h → median 13, mean 13, p90 = 2 + 0.9 × 22 = 21.8;
    # open at 1 Feb 00:00: opened c1–c4, not resolved by then c3 and c4 → 2.
    january = rollup_of(ttr, "month", date(2025, 1, 1))
    assert january.value == pytest.approx(13.0)
    assert january.n == 2
    assert january.details["mean"] == pytest.approx(13.0)
    assert january.details["p90"] == pytest.approx(21.8)
    assert january.details["open"] == 2
    # February: c3 (72 h) → median = mean = p90 = 72; open at 1 March: c4 → 1.
    february = rollup_of(ttr, "month", date(2025, 2, 1))
    assert (february.value, february.n, february.details["open"]) == (72.0, 1, 1)
    # March: nothing resolved → null, never 0, but c4 is still open.
    march = rollup_of(ttr, "month", date(2025, 3, 1))
    assert march.value is None
    assert march.details["open"] == 1
    # Week of Mon 27 Jan: c3 and c4 opened, none resolved by 3 Feb? c3 resolved 2 Feb → open 1.
    assert rollup_of(ttr, "week", date(2025, 1, 27)).details["open"] == 1


def test_it_counts_ttr_only_at_the_definitions_touchpoint(owned_audience):
    from tests.factories import TouchpointFactory

    desk = TouchpointFactory(stage__audience=owned_audience)
    ttr = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.TTR,
        slug="ttr-desk",
        touchpoint=desk,
        scale_min=None,
        scale_max=None,
    )
    case(ttr, "elsewhere", utc(2025, 1, 10), utc(2025, 1, 10, 5))
    at_desk = case(ttr, "desk", utc(2025, 1, 10), utc(2025, 1, 10, 1))
    at_desk.touchpoint = desk
    at_desk.save()
    rollup_full(audience=owned_audience)
    # Only the desk case counts: 1 hour.
    assert rollup_of(ttr, "month", date(2025, 1, 1)).value == pytest.approx(1.0)


@pytest.fixture
def member_definitions(owned_audience):
    kinds = (MetricKind.RETENTION, MetricKind.CHURN, MetricKind.CLV)
    return {
        kind: MetricDefinitionFactory(
            audience=owned_audience, kind=kind, slug=kind, scale_min=None, scale_max=None
        )
        for kind in kinds
    }


def test_it_counts_members_who_join_and_leave_in_the_same_period(
    owned_audience, member_definitions
):
    # a joined 10 Feb; b joined exactly at 1 March 00:00, so b is present at March's start.
    # Both leave in March; ten more join and leave in March.
    # March: S = 2 (a, b), R = 0 (both gone by 1 April), N = 10, E = 0, joined-and-left 10
    # → retention 0 / 2 = 0, churn 2 / 2 = 100. (The old ((E − N) / S) × 100 expected −500
    # and 600 here: the ten newcomers are joined-and-left now, not a negative retention.)
    member(owned_audience, "a", utc(2025, 2, 10), utc(2025, 3, 5))
    member(owned_audience, "b", utc(2025, 3, 1), utc(2025, 3, 20))
    for i in range(10):
        member(owned_audience, f"m{i}", utc(2025, 3, 2 + i), utc(2025, 3, 25))
    # Revenue: 300 in February, 1200 in March.
    revenue(owned_audience, "a", "300.00", utc(2025, 2, 15))
    revenue(owned_audience, "b", "1200.00", utc(2025, 3, 10))
    rollup_full(audience=owned_audience)

    retention = rollup_of(member_definitions["retention"], "month", date(2025, 3, 1))
    assert retention.value == 0
    assert retention.details == {"S": 2, "R": 0, "N": 10, "E": 0, "joined_and_left": 10}
    churn = rollup_of(member_definitions["churn"], "month", date(2025, 3, 1))
    assert churn.value == pytest.approx(100.0)
    # CLV: ARPU = 1200 / (2 + 10) = 100; churn (2 − 0) / 2 = 1 → 100 × 1.0 / 1 = 100.
    # (The old churn (S + N − E) / S = 6 expected 100 / 6 = 16.67.)
    # Realised per member by 1 April: (300 + 1200) / 12 joined = 125.
    clv = rollup_of(member_definitions["clv"], "month", date(2025, 3, 1))
    assert clv.value == pytest.approx(100.0)
    assert clv.details["arpu"] == pytest.approx(100.0)
    assert clv.details["realised_revenue_per_member"] == pytest.approx(125.0)
    # February: nobody at its start (a joined on the 10th) → S = 0 → null retention and CLV;
    # N counts a and b (b joined at February's end instant), E = 2, R = 0 of S = 0.
    february = rollup_of(member_definitions["retention"], "month", date(2025, 2, 1))
    assert february.value is None
    assert february.details == {"S": 0, "R": 0, "N": 2, "E": 2, "joined_and_left": 0}
    assert rollup_of(member_definitions["clv"], "month", date(2025, 2, 1)).value is None


def test_it_gives_no_clv_when_nobody_churned(owned_audience, member_definitions):
    # S = 3 at 1 March, nobody leaves: churn 0 → CLV null; retention 100.
    for name in "xyz":
        member(owned_audience, name, utc(2025, 1, 5))
    revenue(owned_audience, "x", "90.00", utc(2025, 3, 3))
    rollup_full(audience=owned_audience)
    assert rollup_of(member_definitions["clv"], "month", date(2025, 3, 1)).value is None
    assert rollup_of(member_definitions["retention"], "month", date(2025, 3, 1)).value == 100


def test_it_takes_member_instants_in_the_organisations_zone(owned_audience, member_definitions):
    owned_audience.organisation.timezone = "America/New_York"
    owned_audience.organisation.save()
    # 1 March 00:00 New York = 05:00 UTC. p joined 04:59 UTC (28 Feb locally) → in March's S;
    # q joined 05:00 UTC, exactly March's start → also in S (joined ≤ start);
    # r joined 05:01 UTC → N. Nobody leaves: S = 2, R = 2, N = 1, E = 3 → retention 2 / 2
    # = 100.
    member(owned_audience, "p", utc(2025, 3, 1, 4, 59))
    member(owned_audience, "q", utc(2025, 3, 1, 5, 0))
    member(owned_audience, "r", utc(2025, 3, 1, 5, 1))
    rollup_full(audience=owned_audience)
    march = rollup_of(member_definitions["retention"], "month", date(2025, 3, 1))
    assert march.details == {"S": 2, "R": 2, "N": 1, "E": 3, "joined_and_left": 0}
    assert march.value == pytest.approx(100.0)


def test_it_records_an_alert_once_and_emails_the_owner_once(
    nps, django_capture_on_commit_callbacks
):
    nps.alert_threshold = 0
    nps.alert_min_n = 1  # four responses may alert here (the default needs 30)
    nps.save()
    # January: 3, 4, 5, 10 → P 1, D 3 → NPS −50, below the threshold of 0.
    for score in (3, 4, 5, 10):
        respond(nps, score, utc(2025, 1, 8, 12))
    # The e-mail is its own task, queued when the alerts commit: run it as a worker would.
    with django_capture_on_commit_callbacks(execute=True):
        rollup_full(organisation=nps.organisation)
        rollup_full(organisation=nps.organisation)
        respond(nps, 2, utc(2025, 1, 9, 12), mark=True)
        stale_rollups_recompute()

    # One alert, one e-mail. Its value follows the month (issue 11): the late 2 makes January
    # 3, 4, 5, 10, 2 → P 1, D 4, n 5 → NPS −60 (it used to keep the first value, −50).
    alert = Alert.all_orgs.get()
    assert (alert.granularity, alert.period_start, alert.value) == ("month", date(2025, 1, 1), -60)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.org"]
    assert "Parents" in mail.outbox[0].subject


def test_it_alerts_when_ttr_rises_above_its_threshold(owned_audience):
    ttr = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.TTR,
        slug="ttr",
        alert_threshold=24,
        alert_min_n=1,  # one case may alert here
        scale_min=None,
        scale_max=None,
    )
    case(ttr, "slow", utc(2025, 1, 10), utc(2025, 1, 13))  # 72 h > 24 h
    rollup_full(audience=owned_audience)
    assert Alert.all_orgs.get().value == pytest.approx(72.0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_gives_one_result_when_two_recomputes_run_at_once():
    org = OrganisationFactory(slug="concurrent")
    definitions = [
        MetricDefinitionFactory(audience=AudienceFactory(organisation=org), slug=f"n{i}")
        for i in range(3)
    ]
    # Each definition: days 1–20 of April 2025, one 10 and one 0 each day → NPS 0, n 40.
    for definition in definitions:
        for day in range(1, 21):
            respond(definition, 10, utc(2025, 4, day, 9), mark=True)
            respond(definition, 0, utc(2025, 4, day, 10), mark=True)
    errors: list[BaseException] = []

    def run(work):
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    jobs = [
        lambda: stale_rollups_recompute(batch_size=7),
        lambda: stale_rollups_recompute(batch_size=7),
        lambda: rollup_full(organisation=org),
        lambda: rollup_full(organisation=org),
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert StaleMark.all_orgs.count() == 0
    for definition in definitions:
        month = rollup_of(definition, "month", date(2025, 4, 1))
        assert (month.value, month.n) == (0.0, 40)
        assert Rollup.all_orgs.filter(definition=definition, granularity="day").count() == 20


def test_the_demo_results_are_deterministic_idempotent_and_rolled_up(nps):
    from measurements.demo_results import seed_results
    from measurements.models import Response

    first = seed_results(nps.organisation, today=date(2025, 6, 30))
    scores = list(Response.all_orgs.order_by("external_id").values_list("external_id", "score"))
    again = seed_results(nps.organisation, today=date(2025, 6, 30))

    assert first["responses"] > 300
    assert again["responses"] == 0
    assert Response.all_orgs.count() == first["responses"]
    assert (
        list(Response.all_orgs.order_by("external_id").values_list("external_id", "score"))
        == scores
    )
    assert rollup_of(nps, "month", date(2025, 5, 1)).n > 0


def test_it_rewrites_only_what_changed_when_a_full_rollup_runs_again(nps):
    # Wed 5 March 2025: 10, 3 → NPS 0. Thu 10 April: 9 → NPS 100.
    respond(nps, 10, utc(2025, 3, 5, 12))
    low = respond(nps, 3, utc(2025, 3, 5, 13))
    respond(nps, 9, utc(2025, 4, 10, 12))
    rollup_full(organisation=nps.organisation)
    april_written = rollup_of(nps, "month", date(2025, 4, 1)).computed_at
    kept_row = DailyScoreCount.all_orgs.get(day=date(2025, 4, 10))

    # The 3 goes (a response deleted outside ingestion) and a 7 arrives unmarked on 5 March:
    # 5 March = 10, 7 → P 1, Pa 1, D 0 → NPS 50; March and Q1 the same. April is untouched.
    low.delete()
    respond(nps, 7, utc(2025, 3, 5, 14))
    rollup_full(organisation=nps.organisation)

    assert list(
        DailyScoreCount.all_orgs.order_by("day", "score").values_list("day", "score", "count")
    ) == [(date(2025, 3, 5), 7, 1), (date(2025, 3, 5), 10, 1), (date(2025, 4, 10), 9, 1)]
    march = rollup_of(nps, "month", date(2025, 3, 1))
    assert (march.value, march.n) == (50.0, 2)
    assert (march.details["promoters"], march.details["passives"]) == (1, 1)
    assert rollup_of(nps, "quarter", date(2025, 1, 1)).value == 50.0
    # Unchanged rollups are left alone: same computed_at. PostgreSQL also keeps unchanged
    # histogram rows (SQLite's portable path rewrites them).
    assert rollup_of(nps, "month", date(2025, 4, 1)).computed_at == april_written
    if connection.vendor == "postgresql":
        assert DailyScoreCount.all_orgs.get(day=date(2025, 4, 10)).pk == kept_row.pk


def test_it_still_counts_scores_outside_a_scale_that_was_narrowed_later(owned_audience):
    csat = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=10
    )
    respond(csat, 9, utc(2025, 5, 6, 12))
    respond(csat, 5, utc(2025, 5, 6, 13))
    csat.scale_max = 5
    csat.save()
    rollup_full(audience=owned_audience)
    # On 1–5 the top two are 4–5: the 5 is satisfied, the old 9 is not, but it still counts
    # in n: 1 / 2 = 50 %, mean (9 + 5) / 2 = 7.
    may = rollup_of(csat, "month", date(2025, 5, 1))
    assert (may.value, may.n, may.details["mean"]) == (50.0, 2, 7.0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL full path")
def test_the_postgresql_full_path_gives_exactly_the_portable_paths_values(owned_audience):
    from measurements.rollups import histograms_rebuild, scored_rollups_compute
    from measurements.rollups.full import scored_full_compute_postgres
    from measurements.rollups.recompute import definitions_of

    owned_audience.organisation.timezone = "America/New_York"
    owned_audience.organisation.save()
    kinds = {
        "nps": (MetricKind.NPS, 0, 10),
        "csat": (MetricKind.CSAT, 1, 10),
        "ces": (MetricKind.CES, 1, 7),
        "ces5": (MetricKind.CES, 1, 5),
    }
    made = [
        MetricDefinitionFactory(
            audience=owned_audience, kind=kind, slug=slug, scale_min=lo, scale_max=hi
        )
        for slug, (kind, lo, hi) in kinds.items()
    ]
    # Scores spread over 120 days from 28 Dec 2024 (weeks, months and a quarter cross), at
    # 03:00 UTC, which is the previous evening in New York.
    for definition in made:
        lo, hi = definition.scale_min, definition.scale_max
        for i in range(120):
            day = datetime(2024, 12, 28, 3, tzinfo=UTC) + timedelta(days=i)
            for j in range(i % 4 + 1):
                respond(definition, lo + (i * 7 + j * 3) % (hi - lo + 1), day)
    definitions = definitions_of(d.pk for d in made)

    def keyed(values):
        return {
            (v.definition.pk, v.granularity, v.period_start): (
                v.result.value,
                v.result.n,
                v.result.details,
            )
            for v in values
        }

    fast = keyed(scored_full_compute_postgres(definitions))
    fast_rows = list(DailyScoreCount.all_orgs.order_by("definition", "day", "score").values_list())
    DailyScoreCount.all_orgs.all().delete()
    histograms_rebuild(definition_ids=[d.pk for d in definitions])
    portable = keyed(
        value
        for granularity in ("day", "week", "month", "quarter")
        for value in scored_rollups_compute(definitions, granularity=granularity)
    )

    assert len(fast) > 4 * 120
    assert fast == portable
    portable_rows = list(
        DailyScoreCount.all_orgs.order_by("definition", "day", "score").values_list()
    )
    assert [row[1:] for row in fast_rows] == [row[1:] for row in portable_rows]


def test_it_rolls_up_a_new_definition_over_members_already_stored(
    owned_audience, lead, django_capture_on_commit_callbacks
):
    # Members arrive before anyone defines churn. a joined 10 Feb, b exactly at 1 March 00:00;
    # a leaves 5 March, b 20 March. March: S = 2, R = 0, N = 0, E = 0 → churn 2 / 2 = 100.
    # The dashboard shows it as soon as the definition is saved, not after the nightly run.
    from measurements.services import definition_create

    member(owned_audience, "a", utc(2025, 2, 10), utc(2025, 3, 5))
    member(owned_audience, "b", utc(2025, 3, 1), utc(2025, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        churn = definition_create(
            audience=owned_audience, actor_user=lead, data={"kind": MetricKind.CHURN}
        )
    march = rollup_of(churn, "month", date(2025, 3, 1))
    assert march.value == pytest.approx(100.0)
    assert march.details == {"S": 2, "R": 0, "N": 0, "E": 0, "joined_and_left": 0}


def test_it_recomputes_clv_when_the_margin_changes(
    owned_audience, lead, django_capture_on_commit_callbacks
):
    # March: S = 2 (a, b), both leave → churn 100% = 1; revenue 400 in March → ARPU 400 / 2
    # = 200. Margin 50% → CLV 200 × 0.5 / 1 = 100; margin changed to 25% → 50.
    from measurements.services import definition_create, definition_update

    member(owned_audience, "a", utc(2025, 2, 10), utc(2025, 3, 5))
    member(owned_audience, "b", utc(2025, 2, 11), utc(2025, 3, 20))
    revenue(owned_audience, "a", "400.00", utc(2025, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        clv = definition_create(
            audience=owned_audience,
            actor_user=lead,
            data={"kind": MetricKind.CLV, "margin_percent": 50},
        )
    assert rollup_of(clv, "month", date(2025, 3, 1)).value == pytest.approx(100.0)
    with django_capture_on_commit_callbacks(execute=True):
        definition_update(definition=clv, actor_user=lead, data={"margin_percent": 25})
    assert rollup_of(clv, "month", date(2025, 3, 1)).value == pytest.approx(50.0)


def _member_rollups(definitions) -> dict:
    return {
        (r.definition_id, r.granularity, r.period_start): (r.value, r.n, r.details)
        for r in Rollup.all_orgs.filter(definition__in=definitions.values())
    }


def test_the_stale_path_gives_the_full_rollups_member_values(owned_audience, member_definitions):
    # A, B, C joined in January, C leaves 10 March; a full rollup runs. Then D (joins 5 March,
    # stays), F (joins 6 March, leaves 20 March) and G (joins exactly at 1 March 00:00) are
    # pushed with their stale marks. G joined at February's end instant, so February's N and
    # E count G although G's mark is on 1 March, a day of the next month.
    # March: S = 4 (A, B, C, G), R = 3 (C left), N = 2 (D, F), E = 4 (A, B, G, D),
    # joined-and-left 1 (F) → retention 3 / 4 = 75. February: S = 3, R = 3, N = 1 (G), E = 4.
    for name in "ab":
        member(owned_audience, name, utc(2025, 1, 5))
    member(owned_audience, "c", utc(2025, 1, 6), utc(2025, 3, 10))
    rollup_full(audience=owned_audience)
    pushed = [
        member(owned_audience, "d", utc(2025, 3, 5)),
        member(owned_audience, "f", utc(2025, 3, 6), utc(2025, 3, 20)),
        member(owned_audience, "g", utc(2025, 3, 1)),
    ]
    for m in pushed:  # as ingestion marks them: the local days of the join and the leave
        for moment in filter(None, (m.joined_at, m.left_at)):
            for definition in member_definitions.values():
                StaleMark.all_orgs.get_or_create(
                    organisation=owned_audience.organisation,
                    definition=definition,
                    day=moment.date(),
                )
    stale_rollups_recompute()
    incremental = _member_rollups(member_definitions)
    rollup_full(audience=owned_audience)

    assert _member_rollups(member_definitions) == incremental
    march = rollup_of(member_definitions["retention"], "month", date(2025, 3, 1))
    assert march.details == {"S": 4, "R": 3, "N": 2, "E": 4, "joined_and_left": 1}
    assert march.value == pytest.approx(75.0)
    february = rollup_of(member_definitions["retention"], "month", date(2025, 2, 1))
    assert february.details == {"S": 3, "R": 3, "N": 1, "E": 4, "joined_and_left": 0}


def test_it_raises_no_clv_alert_for_a_month_without_revenue_events(
    owned_audience, member_definitions
):
    # a, b, c joined 5 January; a leaves 10 February, b 10 March. Revenue: 90 on 3 March only.
    # February: S = 3, R = 2 (churn 1/3) but no revenue event → CLV null, no alert (the old
    # code wrote a CLV of 0.0 and alerted below the threshold of 100).
    # March: S = 2, R = 1 → churn 0.5; ARPU 90 / (2 + 0) = 45 → CLV 45 × 1 / 0.5 = 90 < 100:
    # one alert. From April: S = 1, nobody leaves → churn 0 → null.
    clv = member_definitions["clv"]
    clv.alert_threshold = 100
    clv.alert_min_n = 1  # three members may alert here
    clv.save()
    member(owned_audience, "a", utc(2025, 1, 5), utc(2025, 2, 10))
    member(owned_audience, "b", utc(2025, 1, 5), utc(2025, 3, 10))
    member(owned_audience, "c", utc(2025, 1, 5))
    march_revenue = revenue(owned_audience, "b", "90.00", utc(2025, 3, 3))
    rollup_full(audience=owned_audience)

    february = rollup_of(clv, "month", date(2025, 2, 1))
    assert february.value is None
    assert february.details["revenue"] is None
    assert february.details["revenue_events"] == 0
    assert rollup_of(clv, "month", date(2025, 3, 1)).value == pytest.approx(90.0)
    alert = Alert.all_orgs.get()
    assert (alert.period_start, alert.value) == (date(2025, 3, 1), pytest.approx(90.0))

    # The revenue event is deleted: March has no data now, and its alert is resolved.
    march_revenue.delete()
    rollup_full(audience=owned_audience)
    assert rollup_of(clv, "month", date(2025, 3, 1)).value is None
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert Alert.all_orgs.count() == 1
