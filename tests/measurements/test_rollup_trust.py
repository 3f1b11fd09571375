"""Stored rollups a reader can trust (issue 11): the CES mean's interval from the stored row,
no alert left open on a period without data, and inactive definitions that follow writes."""

from datetime import date

import pytest
from django.db import connection
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.intervals import interval_of
from measurements.models import Alert, MetricKind, Rollup
from measurements.rollups import rollup_full, stale_rollups_recompute
from measurements.rollups.common import histogram_sd
from measurements.rollups.full import scored_full_compute_postgres
from measurements.rollups.recompute import definitions_of
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond, rollup_of, utc


@pytest.fixture
def ces(owned_audience):
    return MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CES, slug="ces", scale_min=1, scale_max=7
    )


def test_it_takes_the_sample_standard_deviation_of_a_histogram():
    # 1, 4, 7: mean 4, squared deviations 9 + 0 + 9 = 18, / (n − 1 = 2) = 9 → sd 3.
    assert histogram_sd({1: 1, 4: 1, 7: 1}) == 3.0
    # 3, 4, 4, 5: mean 4, 1 + 0 + 0 + 1 = 2, / 3 → sd √(2/3) = 0.8165.
    assert histogram_sd({4: 2, 3: 1, 5: 1}) == pytest.approx(0.816497, abs=1e-6)
    assert histogram_sd({6: 1}) is None  # one score has no spread to estimate


def test_a_ces_rollup_stores_its_standard_deviation(ces):
    # Wed 8 January 2025: 1, 4, 7 → mean 4, sd 3 (sample); the stale path as well as the full.
    for score in (1, 4, 7):
        respond(ces, score, utc(2025, 1, 8, 12))
    rollup_full(organisation=ces.organisation)
    month = rollup_of(ces, "month", date(2025, 1, 1))
    assert (month.value, month.n, month.details["sd"]) == (4.0, 3, 3.0)

    # 9 January: 4 → 1, 4, 7, 4: mean 4, deviations 9 + 0 + 9 + 0 = 18, / 3 = 6 → sd √6.
    respond(ces, 4, utc(2025, 1, 9, 12), mark=True)
    stale_rollups_recompute()
    month = rollup_of(ces, "month", date(2025, 1, 1))
    assert (month.value, month.n) == (4.0, 4)
    assert month.details["sd"] == pytest.approx(6**0.5)
    assert rollup_of(ces, "day", date(2025, 1, 9)).details["sd"] is None  # n = 1


def test_the_ces_mean_interval_comes_from_the_stored_row(ces):
    # 3, 4, 4, 5 on 1–7: mean 4, sd √(2/3) = 0.8165, n 4; t(0.975, 3) = 3.182 →
    # 4 ± 3.182 × 0.8165 / 2 = 4 ± 1.299 → 2.701 … 5.299.
    for score in (3, 4, 4, 5):
        respond(ces, score, utc(2025, 3, 12, 12))
    rollup_full(organisation=ces.organisation)
    row = rollup_of(ces, "month", date(2025, 3, 1))
    low, high = interval_of(kind="ces", value=row.value, n=row.n, details=row.details, scale=(1, 7))
    assert (low, high) == (pytest.approx(2.701, abs=1e-3), pytest.approx(5.299, abs=1e-3))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL full path")
def test_the_fast_full_path_stores_the_same_standard_deviation(ces):
    for score in (1, 4, 7):
        respond(ces, score, utc(2025, 1, 8, 12))
    values = scored_full_compute_postgres(definitions_of([ces.pk]))
    month = next(v for v in values if v.granularity == "month")
    assert month.result.details["sd"] == 3.0


@pytest.fixture
def nps_alerting(owned_audience):
    # January 2025: 3, 4, 5, 10 → P 1, D 3 → NPS −50, below the threshold of 0: an alert
    # (alert_min_n 1: four responses are enough here).
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", alert_threshold=0, alert_min_n=1
    )
    responses = [respond(nps, score, utc(2025, 1, 8, 12)) for score in (3, 4, 5, 10)]
    rollup_full(organisation=nps.organisation)
    assert Alert.all_orgs.get(definition=nps).resolved_at is None
    return nps, responses


def test_an_alert_closes_when_a_stale_recompute_deletes_its_periods_row(nps_alerting):
    nps, responses = nps_alerting
    for response in responses[1:]:
        response.delete()
    # The last January response goes too, marked as ingestion marks its day: no January data.
    responses[0].delete()
    respond(nps, 9, utc(2025, 2, 3, 12))  # February has data; January has none
    from measurements.models import StaleMark

    StaleMark.all_orgs.create(organisation=nps.organisation, definition=nps, day=date(2025, 1, 8))
    stale_rollups_recompute()
    assert not Rollup.all_orgs.filter(definition=nps, period_start=date(2025, 1, 1)).exists()
    assert Alert.all_orgs.get(definition=nps).resolved_at is not None


def test_a_full_rollup_closes_an_alert_whose_period_has_no_row(nps_alerting):
    nps, responses = nps_alerting
    for response in responses:
        response.delete()
    rollup_full(organisation=nps.organisation)
    assert not Rollup.all_orgs.filter(definition=nps).exists()
    assert Alert.all_orgs.get(definition=nps).resolved_at is not None
    # Data comes back on the wrong side: the same alert opens again (once per period).
    for score in (3, 4, 5, 10):
        respond(nps, score, utc(2025, 1, 8, 12))
    rollup_full(organisation=nps.organisation)
    alert = Alert.all_orgs.get(definition=nps)
    assert (alert.value, alert.resolved_at) == (-50, None)


@pytest.fixture
def api(org):
    client = APIClient()
    raw = api_key_create(organisation=org, name="helpdesk").raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _rows(definition) -> dict:
    return {
        (r.granularity, r.period_start): (r.value, r.n, r.details)
        for r in Rollup.all_orgs.filter(definition=definition)
    }


def test_an_inactive_definitions_rollups_follow_writes_on_the_stale_path(
    api, owned_audience, django_capture_on_commit_callbacks
):
    # Decision (issue 11): ingestion marks inactive definitions stale too, so their stored
    # values (which the metrics API still serves) follow the data within a minute, not at the
    # nightly full rollup; a reactivated definition shows no stale value.
    ttr = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.TTR,
        slug="ttr",
        scale_min=None,
        scale_max=None,
        active=False,
    )
    retention = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.RETENTION,
        slug="retention",
        scale_min=None,
        scale_max=None,
        active=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        # 4 August 2025: one case, 09:00 → 13:00 = 4 h.
        answer = api.post(
            "/api/v1/cases/",
            [
                {
                    "external_id": "T-1",
                    "audience": "parents",
                    "opened_at": "2025-08-04T09:00:00Z",
                    "resolved_at": "2025-08-04T13:00:00Z",
                }
            ],
            format="json",
        )
        assert answer.status_code == 201, answer.content
        # Two members joined 10 August; one left 20 September: September S 2, R 1 → 50 %.
        answer = api.post(
            "/api/v1/members/",
            [
                {"audience": "parents", "member": "a", "joined_at": "2025-08-10T09:00:00Z"},
                {
                    "audience": "parents",
                    "member": "b",
                    "joined_at": "2025-08-10T09:00:00Z",
                    "left_at": "2025-09-20T09:00:00Z",
                },
            ],
            format="json",
        )
        assert answer.status_code == 201, answer.content
    assert rollup_of(ttr, "month", date(2025, 8, 1)).value == 4.0
    assert rollup_of(retention, "month", date(2025, 9, 1)).value == 50.0
    incremental = (_rows(ttr), _rows(retention))
    rollup_full(organisation=owned_audience.organisation)
    assert (_rows(ttr), _rows(retention)) == incremental
