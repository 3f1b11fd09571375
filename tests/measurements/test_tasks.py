"""Celery tasks and the rollup command: thin, idempotent, and harmless when the broker is down."""

from datetime import date
from io import StringIO

import kombu.exceptions
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError

from measurements import tasks
from measurements.models import MetricKind, Rollup, StaleMark
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond, rollup_of, utc


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")


def test_it_recomputes_stale_marks_when_enqueued_without_a_broker(nps):
    # One 9 on 2 June 2025 → NPS 100 for June.
    respond(nps, 9, utc(2025, 6, 2, 8), mark=True)
    tasks.enqueue_stale_recompute()
    assert StaleMark.all_orgs.count() == 0
    assert rollup_of(nps, "month", date(2025, 6, 1)).value == 100


def test_it_never_raises_when_the_broker_is_unreachable(nps, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks.recompute_stale, "apply_async", broker_down)
    respond(nps, 9, utc(2025, 6, 2, 8), mark=True)
    tasks.enqueue_stale_recompute()
    assert StaleMark.all_orgs.count() == 1  # left for beat
    assert "beat will pick it up" in caplog.text


def test_it_retries_only_transient_errors_and_acks_late():
    for task in (tasks.recompute_stale, tasks.rollup_organisation, tasks.rollup_nightly):
        assert task.acks_late is True
        assert OperationalError in task.autoretry_for
        assert ValueError not in task.autoretry_for
        assert task.retry_backoff


def test_it_declares_the_beat_schedule_in_code():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["rollups-recompute-stale"]["task"] == "measurements.tasks.recompute_stale"
    assert schedule["rollups-recompute-stale"]["schedule"] == 60.0
    assert schedule["rollups-nightly"]["task"] == "measurements.tasks.rollup_nightly"


def test_it_rolls_up_one_organisation_by_id_and_ignores_a_missing_one(nps):
    respond(nps, 0, utc(2025, 6, 2, 8))
    assert tasks.rollup_organisation.delay(nps.organisation_id).get() > 0
    assert rollup_of(nps, "month", date(2025, 6, 1)).value == -100
    assert tasks.rollup_organisation.delay(999_999).get() == 0


def test_the_nightly_job_recomputes_every_organisation(nps, other_org):
    respond(nps, 10, utc(2025, 6, 2, 8))
    assert tasks.rollup_nightly.delay().get() == 2
    assert Rollup.all_orgs.filter(definition=nps).exists()


def test_the_command_recomputes_an_audience_in_full(nps):
    # 10 and 0 on 3 June → NPS 0.
    respond(nps, 10, utc(2025, 6, 3, 8))
    respond(nps, 0, utc(2025, 6, 3, 9))
    out = StringIO()
    call_command("rollup", "--org", "riverside", "--audience", "parents", "--full", stdout=out)
    assert "Recomputed" in out.getvalue()
    assert rollup_of(nps, "day", date(2025, 6, 3)).value == 0


def test_the_command_without_options_consumes_stale_marks(nps):
    respond(nps, 10, utc(2025, 6, 3, 8), mark=True)
    out = StringIO()
    call_command("rollup", stdout=out)
    assert "1 stale marks" in out.getvalue()


def test_the_command_names_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="No organisation 'nope'"):
        call_command("rollup", "--org", "nope")
