"""The weekly digest: one e-mail a week to each audience owner, listing what waits for them.

What it lists: the open alerts on the audiences they own, the follow-ups assigned to them that
are not closed, and the overdue plan reviews of their audiences (`measurements.reviews`), each
with a link. Who gets it: every person with an e-mail address who owns at least one audience
that is not archived. An owner with nothing to report gets no e-mail that week (an empty digest
teaches people to ignore the next one).

When: beat runs `send_weekly_digests` every hour; a week starts on Monday in the
organisation's time zone and its digest goes out from 08:00 that Monday, at the first hourly
run. Only on that Monday: a digest is about the start of the week, and a Tuesday catch-up
would follow the alert e-mails of the same alerts. Once per week per owner: the `DigestSent`
row (unique on person and week) is inserted before the e-mail is sent, so a second beat, a
second worker or the task delivered twice finds it taken and sends nothing. A send that fails
gives the claim back, so the next hourly run tries again; a worker killed between the claim
and the send loses that owner's digest for the week (at most once, never twice).

In whose language: the owner's. Celery sends it outside any request, so each digest is written
inside `translation.override` of the language the person kept (`audiences.language.language_of`,
English when they kept none): subject, body, dates and numbers alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from audiences.language import language_of
from audiences.models import Audience, Organisation, Person
from measurements.alert_selectors import open_alerts
from measurements.followups import open_followups
from measurements.models import Alert, DigestSent, FollowUp, MeasurementPlan
from measurements.reviews import overdue_plans

logger = logging.getLogger(__name__)

# The local hour on Monday from which the week's digest goes out.
DIGEST_HOUR = 8
# Items listed per section; the e-mail says how many more there are and links to the list.
DIGEST_ITEMS = 20


def digest_week_start(organisation: Organisation, now: datetime) -> date:
    """The Monday of `now`'s week in the organisation's time zone."""
    local = timezone.localtime(now, ZoneInfo(organisation.timezone or "UTC")).date()
    return local - timedelta(days=local.weekday())


def digest_due(organisation: Organisation, now: datetime) -> bool:
    """Whether `now` is in the organisation's sending window: Monday from DIGEST_HOUR."""
    local = timezone.localtime(now, ZoneInfo(organisation.timezone or "UTC"))
    return local.weekday() == 0 and local.hour >= DIGEST_HOUR


def digest_owners(organisation: Organisation) -> QuerySet[Person]:
    """The people with an e-mail address who own an audience that is not archived."""
    owned = Audience.objects.for_org(organisation).filter(owner=OuterRef("pk"), archived=False)
    return Person.objects.for_org(organisation).exclude(email="").filter(Exists(owned))


@dataclass
class Digest:
    """One owner's digest for one week: what it lists, each section at most DIGEST_ITEMS."""

    organisation: Organisation
    person: Person
    week_start: date
    alerts: list[Alert] = field(default_factory=list)
    alert_count: int = 0
    followups: list[FollowUp] = field(default_factory=list)
    followup_count: int = 0
    reviews: list[MeasurementPlan] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.alert_count or self.followup_count or self.reviews)

    @property
    def subject(self) -> str:
        """In the active language (`digest_send` sets the owner's)."""
        parts = []
        if self.alert_count:
            count = self.alert_count
            parts.append(
                ngettext("%(count)s open alert", "%(count)s open alerts", count) % {"count": count}
            )
        if self.followup_count:
            count = self.followup_count
            parts.append(
                ngettext("%(count)s follow-up", "%(count)s follow-ups", count) % {"count": count}
            )
        if self.reviews:
            count = len(self.reviews)
            parts.append(
                ngettext("%(count)s plan review overdue", "%(count)s plan reviews overdue", count)
                % {"count": count}
            )
        items = pgettext("between the items of the digest's subject", ", ").join(parts)
        return _("[AX Registry] Your week of %(week)s: %(items)s") % {
            "week": date_format(self.week_start, "DATE_FORMAT"),
            "items": items,
        }


def digest_for(
    *, organisation: Organisation, person: Person, week_start: date, today: date | None = None
) -> Digest:
    """What `person`'s digest for the week lists, read now."""
    alerts = (
        open_alerts(organisation, owner=person)
        .filter(audience__archived=False)
        .select_related("audience", "definition__audience")
        .order_by("-last_period_start", "-created_at")
    )
    followups = open_followups(organisation, assignee=person).order_by("created_at", "id")
    return Digest(
        organisation=organisation,
        person=person,
        week_start=week_start,
        alerts=list(alerts[:DIGEST_ITEMS]),
        alert_count=alerts.count(),
        followups=list(followups[:DIGEST_ITEMS]),
        followup_count=followups.count(),
        reviews=overdue_plans(organisation, owner=person, today=today)[:DIGEST_ITEMS],
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def digest_context(digest: Digest) -> dict[str, object]:
    """The templates' context: every item with the absolute link it points to."""
    return {
        "digest": digest,
        "site_url": settings.SITE_URL.rstrip("/"),
        "alerts": [
            (alert, _absolute(reverse("measurements:alert_detail", args=[alert.pk])))
            for alert in digest.alerts
        ],
        "alerts_url": _absolute(reverse("measurements:alerts")),
        "followups": [
            (followup, _absolute(reverse("measurements:followup_detail", args=[followup.pk])))
            for followup in digest.followups
        ],
        "followups_url": _absolute(reverse("measurements:followups")),
        "reviews": [
            (plan, _absolute(reverse("measurements:plan", args=[plan.audience.slug])))
            for plan in digest.reviews
        ],
        "home_url": _absolute(reverse("audiences:home")),
    }


def _digest_email(digest: Digest) -> EmailMultiAlternatives:
    context = digest_context(digest)
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=render_to_string("measurements/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.person.email],
    )
    html = render_to_string("measurements/email/digest.html", context)
    message.attach_alternative(html, "text/html")
    return message


def _claim(digest: Digest) -> DigestSent | None:
    """Insert the week's row for the person, or None when another run already has it."""
    try:
        with transaction.atomic():
            return DigestSent.objects.create(
                organisation=digest.organisation, person=digest.person, week_start=digest.week_start
            )
    except IntegrityError:
        return None


def digest_send(digest: Digest) -> bool:
    """Send one digest at most once per person and week; True when this call sent it."""
    claim = _claim(digest)
    if claim is None:
        return False
    try:
        with (
            timezone.override(ZoneInfo(digest.organisation.timezone or "UTC")),
            translation.override(language_of(digest.person.user)),
        ):
            _digest_email(digest).send(fail_silently=False)
    except Exception:
        # Not sent: give the week back so the next hourly run tries again.
        DigestSent.objects.for_org(digest.organisation).filter(pk=claim.pk).delete()
        logger.warning("Weekly digest to person %s not sent", digest.person.pk, exc_info=True)
        return False
    DigestSent.objects.for_org(digest.organisation).filter(pk=claim.pk).update(
        sent_at=timezone.now()
    )
    return True


@dataclass
class DigestRun:
    """What one run did: e-mails sent, owners with nothing to report, digests already sent."""

    sent: int = 0
    empty: int = 0
    already_sent: int = 0


def digests_send(*, now: datetime | None = None, any_day: bool = False) -> DigestRun:
    """Send this week's digest to every owner of every organisation in its sending window
    (any day of the week with `any_day`, for a run by hand), each at most once a week."""
    now = now or timezone.now()
    run = DigestRun()
    for organisation in Organisation.objects.order_by("pk"):
        if not (any_day or digest_due(organisation, now)):
            continue
        week_start = digest_week_start(organisation, now)
        today = timezone.localtime(now, ZoneInfo(organisation.timezone or "UTC")).date()
        done = set(
            DigestSent.objects.for_org(organisation)
            .filter(week_start=week_start)
            .values_list("person_id", flat=True)
        )
        for person in digest_owners(organisation).select_related("user").order_by("pk"):
            if person.pk in done:
                run.already_sent += 1
                continue
            digest = digest_for(
                organisation=organisation, person=person, week_start=week_start, today=today
            )
            if digest.empty:
                run.empty += 1
            elif digest_send(digest):
                run.sent += 1
            else:
                run.already_sent += 1
    return run
