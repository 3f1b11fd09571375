"""Alerts that mean something (issue 11), worked by hand: only a complete month with a value
and at least the definition's alert_min_n counts; one alert per crossing, closed by a month
back on the right side; one e-mail per crossing."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.dashboard_selectors import dashboard_cards
from measurements.forms import DefinitionForm
from measurements.models import Alert, MetricKind, Rollup
from measurements.registry_selectors import owner_home
from measurements.rollups import rollup_full
from measurements.rollups.recompute import definitions_of, definitions_recompute
from measurements.selectors import organisation_overview
from measurements.services import definition_create
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import member, respond, utc


def nps_month(definition, year: int, month: int, *, promoters: int, passives: int) -> None:
    """Promoters (10) and passives (8) on the 10th: NPS = promoters / n × 100 (no detractors)."""
    for i, score in enumerate([10] * promoters + [8] * passives):
        respond(definition, score, utc(year, month, 10, 8, i % 60))


@pytest.fixture
def nps(owned_audience):
    # alert_min_n left at its default: 30.
    return MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", alert_threshold=30
    )


def _alerts(definition) -> list[tuple]:
    """(opened in, last month, value to 6 places: 14 / 50 × 100 is 28.000000000000004, open)."""
    return [
        (a.period_start, a.last_period_start, round(a.value, 6), a.resolved_at is None)
        for a in Alert.all_orgs.filter(definition=definition).order_by("period_start")
    ]


def test_the_default_minimum_n_is_the_indicative_limit(nps):
    assert nps.alert_min_n == 30


def test_the_current_incomplete_month_never_alerts(nps):
    # January 2025: 10 promoters, 30 passives → n 40, NPS 10 / 40 = 25 < 30.
    nps_month(nps, 2025, 1, promoters=10, passives=30)
    # On 31 January 23:00 UTC January is still running: no alert.
    definitions_recompute(definitions_of([nps.pk]), now=utc(2025, 1, 31, 23))
    assert _alerts(nps) == []
    # From 1 February 00:00 UTC it is complete: the same value opens the alert.
    definitions_recompute(definitions_of([nps.pk]), now=utc(2025, 2, 1, 0))
    assert _alerts(nps) == [(date(2025, 1, 1), date(2025, 1, 1), 25.0, True)]


def test_a_month_is_complete_in_the_organisations_time_zone(nps):
    nps.organisation.timezone = "America/New_York"
    nps.organisation.save()
    nps_month(nps, 2025, 1, promoters=10, passives=30)  # NPS 25, n 40 (10 January local)
    # 1 February 03:00 UTC is 31 January 22:00 in New York (UTC−5): January still running.
    definitions_recompute(definitions_of([nps.pk]), now=utc(2025, 2, 1, 3))
    assert _alerts(nps) == []
    # 05:00 UTC is midnight in New York: January has ended.
    definitions_recompute(definitions_of([nps.pk]), now=utc(2025, 2, 1, 5))
    assert len(_alerts(nps)) == 1


def test_the_current_month_of_a_rollup_run_today_does_not_alert(nps):
    # 40 responses now, in the month that is running: 10 promoters → NPS 25 < 30, n 40.
    now = timezone.now()
    for i in range(40):
        respond(nps, 10 if i < 10 else 8, now)
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == []


def test_fewer_than_the_minimum_n_never_alerts(nps):
    # January: 0 promoters, 29 passives → NPS 0, far below 30, but n 29 < alert_min_n 30.
    nps_month(nps, 2025, 1, promoters=0, passives=29)
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == []
    # One more passive: n 30 = alert_min_n, NPS 0 < 30 → it alerts.
    respond(nps, 8, utc(2025, 1, 11, 9))
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == [(date(2025, 1, 1), date(2025, 1, 1), 0.0, True)]


def test_a_lower_minimum_n_lets_a_small_month_alert(nps):
    nps.alert_min_n = 4
    nps.save()
    # January: 1 promoter, 3 passives → n 4, NPS 25 < 30.
    nps_month(nps, 2025, 1, promoters=1, passives=3)
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == [(date(2025, 1, 1), date(2025, 1, 1), 25.0, True)]


def test_a_month_without_a_value_never_alerts(owned_audience):
    # CLV with no revenue event: the month's value is None (no data is not a CLV of 0), even
    # with alert_min_n 1 and members behind it (a, b joined 5 January, a left 10 February).
    clv = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CLV,
        slug="clv",
        alert_threshold=100,
        alert_min_n=1,
        scale_min=None,
        scale_max=None,
        currency="EUR",
    )
    member(owned_audience, "a", utc(2025, 1, 5), utc(2025, 2, 10))
    member(owned_audience, "b", utc(2025, 1, 5))
    rollup_full(audience=owned_audience)
    february = Rollup.all_orgs.get(definition=clv, granularity="month", period_start="2025-02-01")
    assert february.value is None
    assert _alerts(clv) == []


def test_one_alert_per_crossing_closed_by_a_month_back_above(nps):
    # Threshold 30. January: 10 of 40 promoters → 25 (below: opens);
    # February: 8 of 40 → 20 (still below: the same alert continues);
    # March: 14 of 40 → 35 (back above: it closes); April: 14 of 50 → 28 (below: a new one).
    nps_month(nps, 2025, 1, promoters=10, passives=30)
    nps_month(nps, 2025, 2, promoters=8, passives=32)
    nps_month(nps, 2025, 3, promoters=14, passives=26)
    nps_month(nps, 2025, 4, promoters=14, passives=36)
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == [
        (date(2025, 1, 1), date(2025, 2, 1), 20.0, False),
        (date(2025, 4, 1), date(2025, 4, 1), 28.0, True),
    ]
    assert Alert.all_orgs.count() == 2
    assert Alert.all_orgs.filter(resolved_at=None).count() == 1


def test_the_same_sequence_month_by_month_e_mails_once_per_crossing(
    nps, django_capture_on_commit_callbacks
):
    # The months of the test above, each arriving in its own month as ingestion sends them
    # (stale marks) and rolled up as the month ends.
    months = [(1, 10, 30), (2, 8, 32), (3, 14, 26), (4, 14, 36)]
    seen = []
    for month, promoters, passives in months:
        with django_capture_on_commit_callbacks(execute=True):
            nps_month(nps, 2025, month, promoters=promoters, passives=passives)
            rollup_full(organisation=nps.organisation)
        seen.append((len(_alerts(nps)), len(mail.outbox)))
    # Jan opens (1 e-mail); Feb continues it (no e-mail); Mar closes it; Apr opens a new one.
    assert seen == [(1, 1), (1, 1), (1, 1), (2, 2)]
    assert _alerts(nps)[0] == (date(2025, 1, 1), date(2025, 2, 1), 20.0, False)
    # Each e-mail tells the value it was sent for: January's 25, April's 28.
    assert "was 25.0" in mail.outbox[0].body
    assert "was 28.0" in mail.outbox[1].body


def test_late_data_that_lifts_the_first_month_moves_the_crossing(nps):
    # January 25 and February 20 are one crossing. Eight late January promoters make January
    # 18 of 48 → 37.5, above 30: the crossing is February alone, and it is still open.
    nps_month(nps, 2025, 1, promoters=10, passives=30)
    nps_month(nps, 2025, 2, promoters=8, passives=32)
    rollup_full(organisation=nps.organisation)
    [alert] = Alert.all_orgs.filter(definition=nps)
    for i in range(8):
        respond(nps, 10, utc(2025, 1, 20, 9, i))
    rollup_full(organisation=nps.organisation)
    # The crossing now opens in February; it is the same alert (its e-mail state kept).
    assert _alerts(nps) == [(date(2025, 2, 1), date(2025, 2, 1), 20.0, True)]
    assert Alert.all_orgs.get(definition=nps).pk == alert.pk


# --- alert_min_n: validated by the definition rules, editable in the browser and the API ----


def test_the_definition_rules_refuse_a_minimum_n_below_1(owned_audience):
    with pytest.raises(ValidationError) as caught:
        definition_create(audience=owned_audience, actor_user=None, data={
            "kind": "nps", "alert_min_n": 0,
        })  # fmt: skip
    assert caught.value.message_dict == {
        "alert_min_n": ["Enter at least 1: an alert needs data behind it."]
    }


def test_the_form_edits_the_minimum_n(owned_audience):
    form = DefinitionForm(
        data={"kind": "nps", "name": "", "slug": "", "alert_min_n": "12", "margin_percent": "100"},
        audience=owned_audience,
    )
    assert "alert_min_n" in form.fields
    assert form.is_valid(), form.errors
    assert form.cleaned_data["alert_min_n"] == 12
    # Left empty (a form posted without it): the definition keeps its own, 30 for a new one.
    empty = DefinitionForm(
        data={"kind": "nps", "alert_min_n": "", "margin_percent": "100"}, audience=owned_audience
    )
    assert empty.is_valid(), empty.errors
    assert empty.cleaned_data["alert_min_n"] == 30


def test_the_api_creates_and_patches_the_minimum_n(org, owned_audience):
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    url = "/api/v1/metric-definitions/"
    created = api.post(url, {"audience": "parents", "kind": "nps"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["alert_min_n"] == 30
    refused = api.patch(f"{url}parents/nps/", {"alert_min_n": 0}, format="json")
    assert refused.status_code == 400
    assert "alert_min_n" in str(refused.json())
    patched = api.patch(f"{url}parents/nps/", {"alert_min_n": 10}, format="json")
    assert patched.json()["alert_min_n"] == 10


# --- what the pages show: open alerts of the months shown, not a crossing of years ago -------


def _stored_alert(definition, start: date, last: date, *, resolved: bool = False) -> Alert:
    at = timezone.now() if resolved else None
    return Alert.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=start,
        last_period_start=last,
        value=10,
        threshold=30,
        resolved_at=at,
        closed_at=at,  # back on the right side, as a recompute closes it
        status="resolved" if resolved else "open",
    )


def test_cards_overview_and_home_show_open_alerts_of_the_months_shown_only(
    nps, owned_audience, owner
):
    # Now 15 December 2026: the cards show the 12 complete months December 2025 – November
    # 2026. CSAT's alert is open since May 2023, last below in June 2023: not current. NPS's
    # is open since October 2026, last below in November: current. NPS's resolved one of 2023
    # is never shown.
    now = utc(2026, 12, 15, 12)
    owned_audience.rank = 1
    owned_audience.save()
    csat = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", alert_threshold=30
    )
    _stored_alert(nps, date(2023, 5, 1), date(2023, 6, 1), resolved=True)
    old = _stored_alert(csat, date(2023, 5, 1), date(2023, 6, 1))
    current = _stored_alert(nps, date(2026, 10, 1), date(2026, 11, 1))
    cards = {
        c.definition.slug: c
        for c in dashboard_cards(audience=owned_audience, granularity="month", now=now)
    }
    assert cards["nps"].alerts == [current]
    assert cards["csat"].alerts == []
    [row] = [r for r in organisation_overview(organisation=nps.organisation, now=now)
             if r["audience"] == owned_audience]  # fmt: skip
    assert row["open_alerts"] == 1
    home = owner_home(organisation=nps.organisation, user=owner, now=now)
    assert home.alerts == [current]
    assert old.resolved_at is None  # still open: nothing showed it back on the right side


def test_lowering_the_threshold_opens_the_alert_its_stored_months_cross_at_once(
    nps, django_capture_on_commit_callbacks
):
    from measurements.services import definition_update

    # January: 3 promoters, 27 passives → n 30, NPS 10; threshold 5 → no alert.
    nps.alert_threshold = 5
    nps.save()
    nps_month(nps, 2025, 1, promoters=3, passives=27)
    rollup_full(organisation=nps.organisation)
    assert _alerts(nps) == []
    # Raised to 30 (10 < 30): the save re-runs the rollup, so the alert opens without waiting
    # for the nightly run.
    with django_capture_on_commit_callbacks(execute=True):
        definition_update(definition=nps, actor_user=None, data={"alert_threshold": 30})
    assert _alerts(nps) == [(date(2025, 1, 1), date(2025, 1, 1), 10.0, True)]
