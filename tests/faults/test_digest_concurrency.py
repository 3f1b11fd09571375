"""The weekly digest run twice at once (two beats, or the task on two workers) on PostgreSQL:
each owner still gets one e-mail for the week, because the week's DigestSent row is claimed
(unique on person and week) before anything is sent."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connections

from measurements.digest import digests_send
from measurements.models import DigestSent, MeasurementPlan
from tests.factories import AudienceFactory, OrganisationFactory, PersonFactory
from tests.faults.conftest import needs_postgres

# Monday 30 November 2026, 09:00 UTC: inside the organisation's (UTC) sending window.
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _at_once(job, times: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(times)

    def run() -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


@pytest.mark.django_db(transaction=True)
def test_four_digest_runs_at_once_send_each_owner_one_email(mailoutbox):
    needs_postgres()
    org = OrganisationFactory(slug="digest-race")
    owners = [
        PersonFactory(organisation=org, name=f"Owner {i}", email=f"owner{i}@example.org")
        for i in range(3)
    ]
    for i, owner in enumerate(owners):
        audience = AudienceFactory(organisation=org, slug=f"audience-{i}", owner=owner)
        # Reviewed 15 Mar 2026, every 6 months: overdue since 15 Sep, so each has one item.
        MeasurementPlan.objects.create(
            organisation=org,
            audience=audience,
            process="Survey",
            methods=["interviews"],
            review_every_months=6,
            last_reviewed_on=date(2026, 3, 15),
        )
    errors = _at_once(lambda: digests_send(now=MONDAY), times=4)
    assert errors == []
    assert sorted(m.to[0] for m in mailoutbox) == [
        "owner0@example.org",
        "owner1@example.org",
        "owner2@example.org",
    ]
    claims = DigestSent.all_orgs.filter(organisation=org)
    assert claims.count() == 3
    assert all(c.week_start == date(2026, 11, 30) and c.sent_at for c in claims)
