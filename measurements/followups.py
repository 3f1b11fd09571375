"""Follow-ups: a low response with someone to answer, made once per response and closed by a
person. The rule (which responses qualify), its services and the loop's numbers live here."""

from __future__ import annotations

from django.db.models import QuerySet

from audiences.models import Audience, Organisation, Person
from measurements.models import FollowUp, FollowUpStatus


def open_followups(
    organisation: Organisation,
    *,
    assignee: Person | None = None,
    audience: Audience | None = None,
) -> QuerySet[FollowUp]:
    """The organisation's follow-ups not closed yet (open or in progress), newest first,
    optionally only one person's or one audience's."""
    qs = (
        FollowUp.objects.for_org(organisation)
        .exclude(status=FollowUpStatus.CLOSED)
        .select_related("audience", "definition", "assignee")
    )
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if audience is not None:
        qs = qs.filter(audience=audience)
    return qs
