"""The rollup flow: claim → compute (by data source) → write → alerts → notify (issue 10)."""

from datetime import date

import kombu.exceptions
import pytest
from django.core import mail

from measurements import tasks
from measurements.alerts import alerts_evaluate
from measurements.kinds import KINDS, Source
from measurements.models import Alert, MetricKind, Rollup
from measurements.rollups import rollup_full, stale_rollups_recompute
from measurements.rollups.recompute import COMPUTE, definitions_of, rollups_compute
from measurements.rollups.ttr import ttr_counts_case
from measurements.rollups.writing import rollups_write
from tests.factories import MetricDefinitionFactory, TouchpointFactory
from tests.measurements.rollup_helpers import respond, utc


@pytest.fixture
def nps(owned_audience):
    # January 2025: 3, 4, 5, 10 → P 1, D 3 → NPS −50, below the threshold of 0. Four
    # responses: alert_min_n 1 lets so small a month alert (the default, 30, would not).
    definition = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.NPS,
        slug="nps",
        alert_threshold=0,
        alert_min_n=1,
    )
    for score in (3, 4, 5, 10):
        respond(definition, score, utc(2025, 1, 8, 12))
    return definition


def test_every_data_source_has_its_computation():
    assert set(COMPUTE) == set(Source)
    assert {spec.source for spec in KINDS.values()} <= set(COMPUTE)


def test_it_computes_each_definition_by_its_kinds_source(owned_audience, nps):
    retention = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.RETENTION, slug="retention"
    )
    values, scopes = rollups_compute(definitions_of([nps.pk, retention.pk]), now=utc(2025, 2, 1))
    # No members: retention has no value, but its periods are in scope (a stored row goes).
    assert {v.definition.pk for v in values} == {nps.pk}
    assert {s.definition_id for s in scopes} == {nps.pk, retention.pk}


def test_the_writer_writes_rows_and_raises_no_alert(nps):
    values, _ = rollups_compute(definitions_of([nps.pk]), now=utc(2025, 2, 1))
    rollups_write(values)
    assert Rollup.all_orgs.get(definition=nps, granularity="month").value == -50
    assert not Alert.all_orgs.exists()
    alerts_evaluate(values)
    assert Alert.all_orgs.get().value == -50


def test_the_alert_e_mail_waits_for_the_commit(nps, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        rollup_full(organisation=nps.organisation)
    assert Alert.all_orgs.get().emailed_at is None
    assert mail.outbox == []
    assert len(queued) == 1
    queued[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.org"]
    assert Alert.all_orgs.get().emailed_at is not None


def test_the_e_mail_task_sent_twice_e_mails_once(nps):
    rollup_full(organisation=nps.organisation, notify=False)
    assert tasks.email_alerts.apply(args=[nps.organisation_id]).get() == 1
    assert tasks.email_alerts.apply(args=[None]).get() == 0
    assert len(mail.outbox) == 1


def test_a_run_told_not_to_notify_queues_nothing(nps, django_capture_on_commit_callbacks):
    respond(nps, 2, utc(2025, 1, 9, 12), mark=True)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        stale_rollups_recompute(notify=False)
        rollup_full(organisation=nps.organisation, notify=False)
    assert queued == []
    assert Alert.all_orgs.get().emailed_at is None


def test_it_keeps_the_write_when_the_e_mails_cannot_be_queued(nps, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Connection refused")

    # A broker outage needs a broker: with one configured, the e-mails are queued, not run here.
    monkeypatch.setitem(tasks.email_alerts.app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.email_alerts, "apply_async", broker_down)
    rollup_full(organisation=nps.organisation, notify=False)
    tasks.enqueue_alert_emails(organisation_id=nps.organisation_id)
    assert "Could not queue the alert e-mails" in caplog.text
    # The alert stays unsent, for the next run's notification.
    assert Alert.all_orgs.get().emailed_at is None


def test_the_demo_records_its_alerts_without_e_mailing_anyone(
    nps, django_capture_on_commit_callbacks
):
    from measurements.demo_results import seed_results

    with django_capture_on_commit_callbacks(execute=True):
        seed_results(nps.organisation, today=date(2025, 6, 30))
        rollup_full(organisation=nps.organisation)  # a later run does not send them either
    alerts = Alert.all_orgs.filter(definition=nps)
    assert alerts.exists()
    assert not alerts.filter(emailed_at=None).exists()
    assert mail.outbox == []


def test_ingestion_and_the_rollups_share_the_ttr_touchpoint_rule(owned_audience):
    # A TTR definition without a touchpoint counts every case of its audience; one with a
    # touchpoint only the cases there. Ingestion's stale marks follow the same rule.
    chat, phone = TouchpointFactory.create_batch(2, stage__audience=owned_audience)
    everywhere = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.TTR, slug="ttr", scale_min=None, scale_max=None
    )
    at_chat = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.TTR,
        slug="ttr-chat",
        touchpoint=chat,
        scale_min=None,
        scale_max=None,
    )
    audience_id = owned_audience.pk
    counts = {
        (d.slug, tp): ttr_counts_case(d, audience_id=audience_id, touchpoint_id=tp)
        for d in (everywhere, at_chat)
        for tp in (None, chat.pk, phone.pk)
    }
    assert counts == {
        ("ttr", None): True,
        ("ttr", chat.pk): True,
        ("ttr", phone.pk): True,
        ("ttr-chat", None): False,
        ("ttr-chat", chat.pk): True,
        ("ttr-chat", phone.pk): False,
    }
    assert not ttr_counts_case(everywhere, audience_id=audience_id + 1, touchpoint_id=None)
