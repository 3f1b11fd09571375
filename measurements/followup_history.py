"""A follow-up's history as its page shows it: made, then each person's change in order with
the note they wrote then. The steps come from the audit trail (every `followup_update` writes
one entry, keeping the note before and after), so replacing the note loses nothing, as the
alerts read theirs (`measurements.alert_selectors.alert_history`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audiences.models import AuditEntry, Person
from axreg.text import capfirst, lower_first
from measurements.followups import FollowUpShown
from measurements.models import FollowUpStatus


@dataclass(frozen=True)
class FollowUpStep:
    """One line of the history: what happened, when (exact, or only the day where privacy
    withholds the answer's time), by whom, and the note written with it."""

    what: str
    at: datetime | None = None
    on: date | None = None
    by: str = ""
    note: str = ""


def person_name(organisation_id: int, user: Any) -> str:
    """A signed-in person as the pages name them: their name among the organisation's people
    (as "Assigned to" shows it), else their account's name, else their e-mail."""
    if user is None:
        return ""
    return _names(organisation_id, [user]).get(user.pk) or user.get_full_name() or user.email


def _names(organisation_id: int, users: list[Any]) -> dict[int, str]:
    """The organisation's person name of each user, in one query."""
    people = Person.objects.for_org(organisation_id).filter(user_id__in={u.pk for u in users})
    return dict(people.exclude(name="").values_list("user_id", "name"))


def _status_label(value: str | None) -> str:
    """The status as a word inside a line ("in progress"; tr "devam ediyor")."""
    return lower_first(FollowUpStatus(value).label) if value in FollowUpStatus.values else "?"


def _assignee_name(label: str | None) -> str:
    # The audit keeps "Name (e-mail)"; the page shows the name, as elsewhere.
    return label.rsplit(" (", 1)[0] if label else pgettext("assigned to", "nobody")


def _what(entry: AuditEntry) -> str:
    """ "Moved from open to in progress, assigned to Olive Owner, note added": each change is
    its own clause (translated whole), listed in the order they are checked."""
    changes = entry.changes or {}
    parts = []
    if entry.action == "closed":
        parts.append(pgettext("follow-up history step", "Closed"))
    elif entry.action == "reopened":
        after = _status_label(changes.get("status", [None, None])[1])
        parts.append(_("Reopened (%(status)s)") % {"status": after})
    elif "status" in changes:
        before, after = changes["status"]
        words = {"before": _status_label(before), "after": _status_label(after)}
        parts.append(_("Moved from %(before)s to %(after)s") % words)
    if "assignee" in changes:
        name = _assignee_name(changes["assignee"][1])
        parts.append(_("assigned to %(name)s") % {"name": name})
    if "note" in changes:
        before, after = changes["note"]
        parts.append(
            _("note cleared") if not after else _("note replaced") if before else _("note added")
        )
    text = pgettext("between the clauses of one history line", ", ").join(parts) or pgettext(
        "follow-up history step", "Changed"
    )
    return capfirst(text)


def followup_history(shown: FollowUpShown) -> list[FollowUpStep]:
    """The follow-up's life, oldest first. Where no audit entry exists (demo rows, made
    without people), its fields stand in for the close and the note."""
    f = shown.followup
    entries = (
        AuditEntry.objects.for_org(f.organisation_id)
        .filter(object_type="followup", object_id=str(f.pk))
        .select_related("actor_user", "actor_key")
        .order_by("at", "id")
    )
    # The creation's exact time is the answer's for a live push: withheld where privacy says.
    made = _("Made from the answer")
    steps = [FollowUpStep(made, at=shown.created_at, on=shown.created_on)]
    entries = list(entries)
    names = _names(f.organisation_id, [e.actor_user for e in entries if e.actor_user_id])
    closed_seen = note_seen = False
    for entry in entries:
        changes = entry.changes or {}
        note = (changes["note"][1] or "") if "note" in changes else ""
        note_seen = note_seen or "note" in changes
        closed_seen = closed_seen or entry.action == "closed"
        by = names.get(entry.actor_user_id) or entry.actor_display
        steps.append(FollowUpStep(_what(entry), at=entry.at, by=by, note=note))
    if f.closed_at and not closed_seen:
        by = person_name(f.organisation_id, f.closed_by)
        steps.append(
            FollowUpStep(pgettext("follow-up history step", "Closed"), at=f.closed_at, by=by)
        )
    if f.note and not note_seen:
        steps.append(FollowUpStep(pgettext("follow-up history step", "Note"), note=f.note))
    return steps
