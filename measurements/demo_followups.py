"""Demo follow-ups: a few of each state on the demo's recent low answers, so a first-hour user
sees the loop's numbers (some closed within the two-day target, some late, some still open).

Made from the seeded responses the rule itself picks (`followup_threshold`, with a comment or
respondent), stored directly with their times set in the past: seeding sends no webhook and
writes no audit entry, like the rest of the demo. Safe to run again: an organisation that
already has follow-ups gets none more (a new demo year's responses replace the old ones, and
their follow-ups go with them), but the demo's notes among them (a note still as the demo wrote
it, in any language) are put into the language of this run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from audiences.demo import in_every_language
from audiences.models import Organisation
from measurements.followups import followup_threshold
from measurements.models import FollowUp, FollowUpStatus, MetricDefinition, Response
from measurements.privacy import carries_comment_q, carries_respondent_q, protected


@dataclass(frozen=True)
class Slot:
    status: str
    age: timedelta  # how long ago the follow-up was created
    took: timedelta | None = None  # created → closed
    note: Any = ""  # a lazy translation: written in the language of the seeding


# Closes after 20 h, 28 h, 5 h, 98 h and 78 h: median 28 h (1.2 d), 3 of 5 within 2 days.
SLOTS = (
    Slot(
        FollowUpStatus.CLOSED,
        timedelta(days=26),
        timedelta(hours=20),
        pgettext_lazy("demo", "Called back; apologised and fixed the booking."),
    ),
    Slot(
        FollowUpStatus.CLOSED,
        timedelta(days=19),
        timedelta(hours=28),
        pgettext_lazy("demo", "E-mailed the answer the form should have given."),
    ),
    Slot(
        FollowUpStatus.CLOSED,
        timedelta(days=15),
        timedelta(hours=5),
        pgettext_lazy("demo", "Quick call: a login problem, reset on the phone."),
    ),
    Slot(
        FollowUpStatus.CLOSED,
        timedelta(days=33),
        timedelta(hours=98),
        pgettext_lazy(
            "demo", "Reached them after three tries; passed the complaint to the team lead."
        ),
    ),
    Slot(
        FollowUpStatus.CLOSED,
        timedelta(days=11),
        timedelta(hours=78),
        pgettext_lazy("demo", "Met in person at the open evening."),
    ),
    Slot(
        FollowUpStatus.IN_PROGRESS,
        timedelta(days=3),
        note=pgettext_lazy("demo", "Left a voicemail; trying again."),
    ),
    Slot(FollowUpStatus.OPEN, timedelta(days=4)),
    Slot(FollowUpStatus.OPEN, timedelta(hours=27)),
)


def _candidates(organisation: Organisation, since: datetime) -> list[Response]:
    """Recent answers the rule would follow up, on definitions privacy does not guard (the
    demo should show comments), newest first."""
    rule = Q(pk__in=[])
    for definition in MetricDefinition.objects.for_org(organisation).select_related("audience"):
        threshold = followup_threshold(definition)
        if threshold is not None and not protected(definition):
            rule |= Q(definition=definition, score__lte=threshold)
    return list(
        Response.objects.for_org(organisation)
        .filter(rule, responded_at__gte=since)
        .filter(carries_comment_q() | carries_respondent_q())
        .select_related("audience__owner")
        .order_by("-responded_at", "pk")[:2000]
    )


def _relabel_notes(organisation: Organisation) -> None:
    """The demo's notes written by a run in another language, in this run's language."""
    for slot in SLOTS:
        if slot.note:
            FollowUp.objects.for_org(organisation).filter(
                note__in=in_every_language(slot.note) - {str(slot.note)}
            ).update(note=str(slot.note))


@transaction.atomic
def seed_followups(organisation: Organisation, *, now: datetime | None = None) -> int:
    if FollowUp.objects.for_org(organisation).exists():
        _relabel_notes(organisation)
        return 0
    now = now or timezone.now()
    candidates = _candidates(organisation, now - timedelta(days=40))
    used: set[int] = set()
    audiences_used: list[int] = []
    made = 0
    for slot in SLOTS:
        created = now - slot.age
        fits = [r for r in candidates if r.pk not in used and r.responded_at <= created]
        # Spread the slots over the audiences: prefer one that has had the fewest so far.
        fits.sort(key=lambda r: audiences_used.count(r.audience_id))
        if not fits:
            continue
        response = fits[0]
        used.add(response.pk)
        audiences_used.append(response.audience_id)
        owner = response.audience.owner
        followup = FollowUp.objects.create(
            organisation=organisation,
            audience_id=response.audience_id,
            definition_id=response.definition_id,
            response=response,
            assignee=owner,
            threshold=followup_threshold(response.definition),  # as ingestion records it
            status=slot.status,
            note=str(slot.note),
            closed_by_id=owner.user_id if owner and slot.took else None,
        )
        # created_at is set on insert only: date the demo's rows afterwards.
        times: dict[str, Any] = {"created_at": created, "updated_at": created}
        if slot.took is not None:
            times["closed_at"] = created + slot.took
        FollowUp.objects.for_org(organisation).filter(pk=followup.pk).update(**times)
        made += 1
    return made


def seed_demo_followups(demo: dict[str, Any]) -> None:
    """The seed_demo step: follow-ups for every demo organisation (after its results)."""
    for organisation in demo["organisations"].values():
        seed_followups(organisation)
