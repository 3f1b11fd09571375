"""Plan reviews: when a measurement plan is due for review, which are overdue, marking one
reviewed.

The rule: a plan with a review cadence (`review_every_months`) is due that many calendar months
after its last review (`last_reviewed_on`), or, if it was never reviewed, after the day it was
last saved (writing the plan is looking at it; `plan_save` leaves an unchanged plan untouched,
so an unchanged save does not move the date). A month later on the same day, clamped to the
month's end: reviewed 31 August, every 6 months → due 28 February. Overdue is the day after
the due date onwards, in the organisation's time zone. No cadence: never due.

The rule is written twice, once for one plan in Python (`plan_review_due`) and once in SQL for
the liability check and the lists (`plans_overdue`);
tests/measurements/test_reviews.py checks they agree, month ends included.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F, IntegerField, QuerySet
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from audiences.models import Audience, Organisation, Person
from audiences.services import audit_record
from measurements.models import MeasurementPlan

# A longer cadence is no reminder at all; 0 would make every plan overdue the day it is saved.
REVIEW_MONTHS_MIN, REVIEW_MONTHS_MAX = 1, 36


def _review_months_message() -> str:
    return gettext(
        "Use a number of months from %(min)s to %(max)s, or leave it empty for no review reminder."
    ) % {"min": REVIEW_MONTHS_MIN, "max": REVIEW_MONTHS_MAX}


# Lazy: forms and services read it at import time, and it is said in the reader's language.
REVIEW_MONTHS_MESSAGE = lazy(_review_months_message, str)()

# A review date before this is a typo (1900-01-01), not a review.
REVIEW_EARLIEST = date(2000, 1, 1)


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone or "UTC")


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def review_reference(plan: MeasurementPlan, *, zone: ZoneInfo | None = None) -> date:
    """The day the review clock started: the last review, else the plan's last save."""
    if plan.last_reviewed_on is not None:
        return plan.last_reviewed_on
    zone = zone or _zone(plan.organisation)
    return timezone.localtime(plan.updated_at or timezone.now(), zone).date()


def plan_review_due(plan: MeasurementPlan, *, zone: ZoneInfo | None = None) -> date | None:
    """The day the plan's next review is due, or None when it has no review cadence."""
    if not plan.review_every_months:
        return None
    return months_after(review_reference(plan, zone=zone), plan.review_every_months)


def plan_review_overdue(
    plan: MeasurementPlan, *, today: date | None = None, zone: ZoneInfo | None = None
) -> bool:
    """Whether `today` (the organisation's, by default) is past the plan's due date."""
    due = plan_review_due(plan, zone=zone)
    if due is None:
        return False
    zone = zone or _zone(plan.organisation)
    return (today or timezone.localdate(timezone=zone)) > due


def _serial(year: object, month: object, day: object) -> object:
    # Dates as (12 × year + month) × 32 + day: ordered like the dates, and N months later on
    # the same day is exactly 32 × N more, whatever the months' lengths. So "today is past
    # reference + N months (clamped)" is serial(reference) + 32 N < serial(today): when the
    # due month is today's, clamping changes nothing since today's day fits in its month.
    return (year * 12 + month) * 32 + day


def plans_overdue(
    plans: QuerySet[MeasurementPlan], *, today: date, zone: ZoneInfo
) -> QuerySet[MeasurementPlan]:
    """Only the `plans` overdue on `today`, in SQL: the rule of `plan_review_overdue`, for the
    liability check (as a subquery) and the lists."""
    reference = Coalesce(
        "last_reviewed_on", TruncDate("updated_at", tzinfo=zone), output_field=DateField()
    )
    serial = ExpressionWrapper(
        _serial(ExtractYear(reference), ExtractMonth(reference), ExtractDay(reference))
        + F("review_every_months") * 32,
        output_field=IntegerField(),
    )
    return (
        plans.filter(review_every_months__isnull=False)
        .alias(review_serial=serial)
        .filter(review_serial__lt=_serial(today.year, today.month, today.day))
    )


def overdue_plans(
    organisation: Organisation,
    *,
    owner: Person | None = None,
    audiences: Iterable[Audience] | None = None,
    today: date | None = None,
) -> list[MeasurementPlan]:
    """The organisation's plans whose review is overdue, most overdue first, each with
    `review_due` set; only those of audiences `owner` owns, or of `audiences`, if given.
    Archived audiences are left out: nobody reviews how an audience no longer served is
    measured."""
    zone = _zone(organisation)
    today = today or timezone.localdate(timezone=zone)
    plans = MeasurementPlan.objects.for_org(organisation).filter(audience__archived=False)
    if owner is not None:
        plans = plans.filter(audience__owner=owner)
    if audiences is not None:
        plans = plans.filter(audience__in=[a.pk for a in audiences])
    overdue = list(plans_overdue(plans, today=today, zone=zone).select_related("audience__owner"))
    for plan in overdue:
        plan.review_due = plan_review_due(plan, zone=zone)
    return sorted(overdue, key=lambda plan: (plan.review_due, plan.audience.name))


@transaction.atomic
def plan_mark_reviewed(
    *,
    plan: MeasurementPlan,
    actor_user: AbstractBaseUser | None,
    today: date | None = None,
) -> bool:
    """Record that the plan was reviewed today (the organisation's day), with an audit entry;
    False when it already was, which changes and records nothing."""
    plan = (
        MeasurementPlan.objects.for_org(plan.organisation_id)
        .select_for_update()
        .select_related("organisation", "audience")
        .get(pk=plan.pk)
    )
    today = today or timezone.localdate(timezone=_zone(plan.organisation))
    if plan.last_reviewed_on == today:
        return False
    before = plan.last_reviewed_on
    plan.last_reviewed_on = today
    plan.save(update_fields=["last_reviewed_on", "updated_at"])
    audit_record(
        organisation=plan.organisation,
        action="reviewed",
        obj=plan,
        object_repr=plan.audience.name,  # not str(plan), an English sentence
        audience=plan.audience,
        actor_user=actor_user,
        changes={"last_reviewed_on": [before, today]},
    )
    return True
