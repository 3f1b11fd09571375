"""The weekly digest (issue 14): each owner gets one e-mail a week, from 08:00 on Monday in the
organisation's time zone, listing their open alerts, open follow-ups and overdue plan reviews
with links; never twice in a week, and not at all when there is nothing to report."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.conf import settings

from measurements.digest import digest_week_start, digests_send
from measurements.models import (
    Alert,
    AlertStatus,
    DigestSent,
    FollowUp,
    MeasurementPlan,
    MetricKind,
)
from tests.factories import AudienceFactory, MetricDefinitionFactory, PersonFactory
from tests.measurements.rollup_helpers import respond

# Monday 30 November 2026, 09:00 UTC (the test organisation is in UTC).
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture
def waiting(org, owned_audience, owner_person):
    """On the owner's Parents: one open alert, one open follow-up, one overdue review."""
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )
    alert = Alert.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=nps,
        granularity="month",
        period_start=date(2026, 10, 1),
        last_period_start=date(2026, 10, 1),
        value=-12.5,
        threshold=0,
    )
    response = respond(nps, 2, datetime(2026, 11, 20, 10, tzinfo=UTC), comment="Nobody called")
    followup = FollowUp.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=nps,
        response=response,
        assignee=owner_person,
    )
    MeasurementPlan.objects.create(
        organisation=org,
        audience=owned_audience,
        process="Survey",
        methods=["interviews"],
        review_every_months=6,
        last_reviewed_on=date(2026, 3, 15),
    )
    return {"alert": alert, "followup": followup}


def test_an_owner_gets_their_alerts_follow_ups_and_overdue_reviews_with_links(
    waiting, mailoutbox, owner_person
):
    run = digests_send(now=MONDAY)
    assert (run.sent, run.empty) == (1, 0)
    [mail] = mailoutbox
    assert mail.to == ["owner@example.org"]
    assert mail.subject == (
        "[AX Registry] Your week of 30 November 2026: 1 open alert, 1 follow-up, "
        "1 plan review overdue"
    )
    site = settings.SITE_URL.rstrip("/")
    text = mail.body
    assert "Parents: Parent NPS -12.5 in Oct 2026 (alert threshold 0)" in text
    assert f"{site}/app/alerts/{waiting['alert'].pk}/" in text
    assert "Parents: Parent NPS (open)" in text
    assert f"{site}/app/follow-ups/{waiting['followup'].pk}/" in text
    # Reviewed 15 Mar 2026, every 6 months: due 15 Sep 2026, overdue on 30 Nov.
    assert "Parents: review overdue since 15 Sep 2026 (every 6 months)" in text
    assert f"{site}/app/audiences/parents/measurement/" in text
    # A follow-up never carries the answer itself into an e-mail.
    assert "Nobody called" not in text
    [(html, kind)] = mail.alternatives
    assert kind == "text/html"
    assert f'<a href="{site}/app/alerts/{waiting["alert"].pk}/">Parents: Parent NPS</a>' in html
    assert "Nobody called" not in html
    claim = DigestSent.all_orgs.get(person=owner_person)
    assert claim.week_start == date(2026, 11, 30) and claim.sent_at is not None


def test_beat_running_twice_in_a_week_sends_one_digest_and_next_week_another(waiting, mailoutbox):
    digests_send(now=MONDAY)
    second = digests_send(now=MONDAY.replace(hour=10))
    assert (second.sent, second.already_sent) == (0, 1)
    assert len(mailoutbox) == 1
    digests_send(now=datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert len(mailoutbox) == 2
    assert "week of 7 December 2026" in mailoutbox[1].subject


def test_owners_with_nothing_to_report_get_no_email(org, waiting, mailoutbox):
    idle = PersonFactory(organisation=org, name="Ida Idle", email="ida@example.org")
    AudienceFactory(organisation=org, slug="alumni", owner=idle)
    # Closed or resolved things are not waiting for anyone.
    Alert.objects.for_org(org).update(status=AlertStatus.RESOLVED)
    FollowUp.objects.for_org(org).update(status="closed")
    MeasurementPlan.objects.for_org(org).update(last_reviewed_on=date(2026, 11, 1))
    run = digests_send(now=MONDAY)
    assert (run.sent, run.empty) == (0, 2)
    assert mailoutbox == []
    assert not DigestSent.all_orgs.exists()


def test_it_goes_out_from_8_on_monday_in_the_organisations_time_zone(org, waiting, mailoutbox):
    org.timezone = "Pacific/Auckland"  # UTC+13 in November (daylight time)
    org.save()
    # Sunday 29 Nov 18:59 UTC = Monday 30 Nov 07:59 in Auckland: not yet.
    assert digests_send(now=datetime(2026, 11, 29, 18, 59, tzinfo=UTC)).sent == 0
    # Sunday 29 Nov 19:00 UTC = Monday 08:00 in Auckland: the week of Monday 30 November.
    assert digests_send(now=datetime(2026, 11, 29, 19, tzinfo=UTC)).sent == 1
    assert DigestSent.all_orgs.get().week_start == date(2026, 11, 30)
    # Tuesday in Auckland: no catch-up, no second one.
    assert digests_send(now=datetime(2026, 11, 30, 19, tzinfo=UTC)).sent == 0
    assert len(mailoutbox) == 1


def test_the_week_starts_on_the_local_monday(org):
    org.timezone = "America/Los_Angeles"
    # Monday 30 Nov 03:00 UTC is still Sunday 29 Nov in Los Angeles: the week of 23 Nov.
    assert digest_week_start(org, datetime(2026, 11, 30, 3, tzinfo=UTC)) == date(2026, 11, 23)
    assert digest_week_start(org, datetime(2026, 11, 30, 9, tzinfo=UTC)) == date(2026, 11, 30)


def test_a_send_that_fails_gives_the_week_back_for_the_next_run(waiting, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.measurements.test_digest.FailingBackend"
    assert digests_send(now=MONDAY).sent == 0
    assert not DigestSent.all_orgs.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send(now=MONDAY.replace(hour=10)).sent == 1


def test_beat_runs_the_digest_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["digest-weekly"]
    assert entry["task"] == "measurements.tasks.send_weekly_digests"
    assert entry["schedule"].minute == {5} and len(entry["schedule"].hour) == 24


class FailingBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("SMTP server down")


def test_run_by_hand_any_day_it_still_sends_once_a_week(waiting, mailoutbox):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_digests", "--any-day", stdout=out)
    call_command("send_digests", "--any-day", stdout=out)
    assert len(mailoutbox) == 1
    assert out.getvalue().splitlines() == [
        "Digests sent: 1; owners with nothing to report: 0; already sent this week: 0.",
        "Digests sent: 0; owners with nothing to report: 0; already sent this week: 1.",
    ]
