"""The people's side of an alert (issue 14): open → acknowledged → resolved, with who, when
and a note, in the audit trail; a person's resolution is final, closes the alert for every
count, sends one `alert.resolved`, and survives every later recompute of the same crossing."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from audiences.models import AuditEntry
from audiences.selectors import audit_rows
from measurements.alert_selectors import alert_history, open_alerts
from measurements.alert_services import alert_acknowledge, alert_resolve
from measurements.models import Alert, MetricKind
from measurements.rollups.recompute import definitions_of, definitions_recompute
from measurements.selectors import organisation_overview
from tests.api.locks import sessions_waiting_on_a_lock
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond, utc
from webhooks import services as webhooks
from webhooks.models import WebhookDelivery


@pytest.fixture
def enps(owned_audience):
    # One response is enough to alert in these tests (alert_min_n 1); threshold 0.
    owned_audience.rank = 1
    owned_audience.save()
    return MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.NPS,
        name="Parent NPS",
        slug="nps",
        alert_threshold=0,
        alert_min_n=1,
    )


@pytest.fixture
def hooked(org, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return webhooks.endpoint_create(
        organisation=org, url="http://127.0.0.1:9/hooks", events=["alert.opened", "alert.resolved"]
    )


def month_of(definition, year: int, month: int, scores: list[int]) -> None:
    for i, score in enumerate(scores):
        respond(definition, score, utc(year, month, 10, 8, i))


def recompute(definition, now) -> None:
    with transaction.atomic():  # as its callers run it: the claim's transaction
        definitions_recompute(definitions_of([definition.pk]), now=now)


def events(kind: str) -> int:
    return WebhookDelivery.all_orgs.filter(event_type=kind).count()


def _open_alert(enps) -> Alert:
    # November 2025: one 0 → NPS −100, below 0; counted once November has ended.
    month_of(enps, 2025, 11, [0])
    recompute(enps, utc(2025, 12, 1, 1))
    return Alert.objects.for_org(enps.organisation).get(definition=enps)


def test_it_acknowledges_then_resolves_with_who_when_and_each_note(enps, owner, hooked):
    alert = _open_alert(enps)
    alert_acknowledge(alert=alert, actor_user=owner, note="Calling the PTA chair")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.note) == (
        "acknowledged",
        owner,
        "Calling the PTA chair",
    )
    assert open_alerts(enps.organisation).get() == alert  # acknowledged still counts
    alert_resolve(alert=alert, actor_user=owner, note="Fixed the newsletter")
    alert.refresh_from_db()
    assert (alert.status, alert.closed_by, alert.resolved_at) == ("resolved", owner, None)
    assert not open_alerts(enps.organisation).exists()
    steps = [(s.what, s.by, s.note) for s in alert_history(alert)]
    name = owner.get_full_name() or owner.email
    assert steps == [
        ("Opened", "", ""),
        ("Acknowledged", name, "Calling the PTA chair"),
        ("Resolved", name, "Fixed the newsletter"),
    ]
    rows = audit_rows(AuditEntry.objects.for_org(enps.organisation).filter(object_type="alert"))
    # What /app/audit/ shows, in words (PostgreSQL's JSON keeps no key order: compare sets).
    words = {
        (r.action, r.object_type, frozenset((c.label, c.before, c.after) for c in r.changes))
        for r in rows
    }
    acknowledged = {("Status", "Open", "Acknowledged"), ("Note", "—", "Calling the PTA chair")}
    resolved = {
        ("Status", "Acknowledged", "Resolved"),
        ("Note", "Calling the PTA chair", "Fixed the newsletter"),
    }
    assert words == {
        ("Acknowledged", "Alert", frozenset(acknowledged)),
        ("Resolved", "Alert", frozenset(resolved)),
    }
    # The metric's own name and the month: no English sentence for a Korean or Turkish reader.
    assert rows[0].entry.object_repr == f"{enps.name} · {alert.period_start:%Y-%m}"
    assert events("alert.resolved") == 1


def test_it_refuses_moves_that_are_not_transitions_by_name(enps, owner):
    alert = _open_alert(enps)
    alert_acknowledge(alert=alert, actor_user=owner)
    with pytest.raises(ValidationError) as twice:
        alert_acknowledge(alert=alert, actor_user=owner)
    assert twice.value.message_dict == {"status": ["This alert is already acknowledged."]}
    alert_resolve(alert=alert, actor_user=owner)
    for move in (alert_acknowledge, alert_resolve):
        with pytest.raises(ValidationError) as final:
            move(alert=alert, actor_user=owner, note="again")
        assert final.value.message_dict == {
            "status": ["This alert is already resolved, and a resolved alert stays closed."]
        }
    alert.refresh_from_db()
    assert alert.note == ""  # the refused moves wrote nothing
    assert AuditEntry.objects.for_org(enps.organisation).filter(object_type="alert").count() == 2


def test_an_open_alert_may_be_resolved_without_acknowledging_it_first(enps, lead):
    alert = _open_alert(enps)
    alert_resolve(alert=alert, actor_user=lead, note="Known: exam week")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_at, alert.closed_by) == ("resolved", None, lead)


def test_a_person_resolved_alert_stays_resolved_through_the_crossing_and_its_end(
    enps, owner, hooked
):
    alert = _open_alert(enps)
    assert events("alert.opened") == 1
    alert_resolve(alert=alert, actor_user=owner, note="On it with the school office")
    assert events("alert.resolved") == 1
    # December 2025 is below too (the same crossing goes on): no new alert, still resolved.
    month_of(enps, 2025, 12, [0, 3])
    recompute(enps, utc(2026, 1, 1, 1))
    recompute(enps, utc(2026, 1, 1, 2))
    [same] = Alert.objects.for_org(enps.organisation).filter(definition=enps)
    assert (same.pk, same.status, same.last_period_start.month) == (alert.pk, "resolved", 12)
    assert not open_alerts(enps.organisation).exists()
    # January 2026 is back (10 → NPS 100): the crossing ends; no second alert.resolved.
    month_of(enps, 2026, 1, [10])
    recompute(enps, utc(2026, 2, 1, 1))
    same.refresh_from_db()
    assert same.status == "resolved" and same.resolved_at == utc(2026, 2, 1, 1)
    assert same.closed_by == owner  # still the person's resolution
    assert (events("alert.opened"), events("alert.resolved")) == (1, 1)
    # February 2026 is below again: a new crossing, a new alert, opened as today.
    month_of(enps, 2026, 2, [0])
    recompute(enps, utc(2026, 3, 1, 1))
    newest = open_alerts(enps.organisation).get()
    assert newest.pk != alert.pk and newest.period_start.month == 2
    assert (events("alert.opened"), events("alert.resolved")) == (2, 1)


def test_the_value_coming_back_resolves_an_alert_for_the_people_too(enps, hooked):
    alert = _open_alert(enps)
    month_of(enps, 2025, 12, [10])
    recompute(enps, utc(2026, 1, 1, 1))
    alert.refresh_from_db()
    at = utc(2026, 1, 1, 1)
    assert (alert.status, alert.closed_at, alert.closed_by, alert.resolved_at) == (
        "resolved",
        at,
        None,
        at,
    )
    assert [s.what for s in alert_history(alert)][-1] == "Back on the right side of the threshold"
    assert events("alert.resolved") == 1


def test_an_acknowledged_alert_the_value_ends_is_resolved_and_late_data_reopens_it(enps, owner):
    alert = _open_alert(enps)
    alert_acknowledge(alert=alert, actor_user=owner, note="Looking")
    month_of(enps, 2025, 12, [10])
    recompute(enps, utc(2026, 1, 1, 1))
    alert.refresh_from_db()
    assert alert.status == "resolved"
    # Late December answers (0, 0) pull December to NPS −33.3: the crossing never ended.
    month_of(enps, 2025, 12, [0, 0])
    recompute(enps, utc(2026, 1, 2, 1))
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_at, alert.closed_at) == ("open", None, None)


def test_the_overview_no_longer_counts_an_alert_a_person_resolved(enps, owner):
    alert = _open_alert(enps)
    now = utc(2025, 12, 15)
    [row] = organisation_overview(organisation=enps.organisation, now=now)
    assert row["open_alerts"] == 1
    alert_acknowledge(alert=alert, actor_user=owner)
    [row] = organisation_overview(organisation=enps.organisation, now=now)
    assert row["open_alerts"] == 1
    alert_resolve(alert=alert, actor_user=owner)
    [row] = organisation_overview(organisation=enps.organisation, now=now)
    assert row["open_alerts"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL locks")
@pytest.mark.django_db(transaction=True)
def test_a_recompute_waits_for_a_person_resolving_and_keeps_their_resolution(enps, owner, hooked):
    alert = _open_alert(enps)
    month_of(enps, 2025, 12, [10])  # December is back (NPS 100): the recompute resolves it
    failed = []

    def recompute_now():
        try:
            recompute(enps, utc(2026, 1, 1, 1))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            failed.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=recompute_now)
    with transaction.atomic():
        alert_resolve(alert=alert, actor_user=owner, note="Handled")
        worker.start()  # it must wait for the definition's lock this transaction holds
        for _ in range(100):
            if sessions_waiting_on_a_lock() == 1:
                break
            time.sleep(0.05)
        assert sessions_waiting_on_a_lock() == 1
    worker.join(10)
    assert failed == []
    alert.refresh_from_db()
    assert (alert.status, alert.closed_by, alert.note) == ("resolved", owner, "Handled")
    assert alert.resolved_at == utc(2026, 1, 1, 1) and alert.closed_at != alert.resolved_at
    assert events("alert.resolved") == 1  # the person's; the value's return sends nothing
