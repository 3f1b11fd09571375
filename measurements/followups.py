"""Follow-ups: a low response with someone to answer, made once per response and closed by a
person. The rule (which responses qualify), what a reader may see of one, the writes and the
loop's own numbers live here; pages, the API and the digest only call them.

- **The rule.** A response scoring at or below its definition's `followup_threshold` (when
  empty, the kind's default, `scales.followup_default_text`: NPS 0–6, CSAT on 1–5 1–2, CES on
  1–7 1–3) that carries a comment (`privacy.carries_comment`: a letter or digit, not " " or
  ".") or a respondent becomes one follow-up, assigned to the audience's owner (none when the
  audience has no owner), with the threshold it was made under stored on it (a threshold
  changed later does not rewrite what "at or below" meant then). Other kinds make none. Only
  an answer given within FOLLOWUP_MAX_AGE_DAYS (14) of its storing qualifies: a back-fill
  makes no flood of loops nobody can close any more.
- **Once.** Follow-ups are made by `followups_create_for_batch` in the transaction that stores
  the responses (API push and CSV import both go through `measurements.ingest.ingest`), from
  the rows that batch inserted: a re-sent item the database skips as a duplicate is not in
  the batch, so it makes no second follow-up; the one-to-one on `response` is the backstop.
- **No back-fill.** A threshold changed later applies to responses stored from then on. A
  follow-up asks someone to answer a person soon after they spoke; a raised threshold would
  otherwise drop months of old answers on the owner at once (and a lowered one does not
  delete work already done on the existing ones).
- **Privacy.** `followups_shown` applies `measurements.privacy`: in a protected small group
  the comment, the respondent and the exact times are withheld, with the reason in words.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audiences.access import Access
from audiences.models import ApiKey, Audience, AuditEntry, Organisation, Person, Role
from audiences.services import audit_record
from axreg.text import lower_first
from measurements import privacy
from measurements.display import local_number, unit_text
from measurements.formulas import definition_label
from measurements.kinds import kind_of
from measurements.models import FollowUp, FollowUpStatus, MetricDefinition, Response
from measurements.scales import followup_default_max, scale_of
from webhooks.models import EventType, WebhookEndpoint
from webhooks.services import webhook_emit

# The loop's numbers look back this far: long enough to hold a quarter's closes (a handful a
# month on a small audience), short enough that last year's habits do not hide this month's.
LOOP_WINDOW_DAYS = 90
NOTE_MAX = 5000

# --- the rule --------------------------------------------------------------------------------


def followup_threshold(definition: MetricDefinition) -> int | None:
    """The score at or below which a response with a comment or respondent becomes a
    follow-up; None when the definition's kind makes no follow-ups."""
    if kind_of(definition.kind).followup_default is None:
        return None
    if definition.followup_threshold is not None:
        return definition.followup_threshold
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    return followup_default_max(kind=definition.kind, scale=scale)


def threshold_of(followup: FollowUp) -> tuple[int | None, bool]:
    """The threshold a follow-up was made under and whether it was recorded: stored at
    creation since 0013; older ones fall back to the definition's current rule (False)."""
    if followup.threshold is not None:
        return followup.threshold, True
    return followup_threshold(followup.definition), False


def _threshold_case(definitions: Iterable[MetricDefinition]) -> Case:
    """Each definition's threshold as a column, stored on the follow-ups made under it (one
    WHEN per distinct definition: a batch lists the definition of every item)."""
    unique = {d.pk: d for d in definitions}.values()
    whens = [
        When(definition_id=d.pk, then=Value(t))
        for d in unique
        if (t := followup_threshold(d)) is not None
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def followup_qualifies(
    definition: MetricDefinition,
    *,
    score: int,
    comment: str,
    respondent: str,
    responded_at: datetime | None = None,
) -> bool:
    """The rule for one answer, as `followups_create_for_batch` applies it in SQL."""
    threshold = followup_threshold(definition)
    carries = privacy.carries_comment(comment) or bool(respondent.strip())
    recent = responded_at is None or responded_at >= followup_answer_cutoff()
    return threshold is not None and score <= threshold and carries and recent


def _qualifying_q(definitions: Iterable[MetricDefinition]) -> Q | None:
    """The rule as a filter on responses: each definition's threshold (computed above, passed
    as a parameter), and a comment or a respondent. None when no definition makes any."""
    by_definition = Q()
    any_rule = False
    for definition in definitions:
        threshold = followup_threshold(definition)
        if threshold is None:
            continue
        by_definition |= Q(definition_id=definition.pk, score__lte=threshold)
        any_rule = True
    if not any_rule:
        return None
    carries = privacy.carries_comment_q() | privacy.carries_respondent_q()
    return by_definition & carries & Q(responded_at__gte=followup_answer_cutoff())


def followup_answer_cutoff(now: datetime | None = None) -> datetime:
    """Answers given before this make no follow-up: FOLLOWUP_MAX_AGE_DAYS (14) back. A
    follow-up asks someone to answer a person soon after they spoke; a back-fill of last
    quarter's detractors would bury this week's under work nobody can still do."""
    return (now or timezone.now()) - timedelta(days=settings.FOLLOWUP_MAX_AGE_DAYS)


FOLLOWUP_COLUMNS = (
    "organisation_id, audience_id, definition_id, response_id, assignee_id, threshold, "
    "status, note, created_at, updated_at"
)


def followups_create_for_batch(
    *,
    organisation: Organisation,
    batch_id: uuid.UUID,
    stored_ids: tuple[int, int] | None,
    definitions: Iterable[MetricDefinition],
    notify: bool = True,
) -> int:
    """Make the follow-ups of the responses one batch just stored, in the caller's
    transaction, and send `followup.created` for each (unless `notify` is False); returns
    how many it made. `stored_ids` is the range the batch's ids lie in (None: it stored
    none): batch_id has no index, the primary key's range finds the rows at once.

    One `INSERT … SELECT … ON CONFLICT (response_id) DO NOTHING`, the SELECT being the rule's
    queryset compiled by the ORM (thresholds from `followup_threshold`, as parameters): a
    push of 10,000 makes its 6,000 follow-ups without a model instance or a row in Python
    (`bulk_create` took most of a push's time), and a response that has one already is
    skipped by the database."""
    wanted = _qualifying_q({d.pk: d for d in definitions}.values())
    if wanted is None or stored_ids is None:
        return 0
    candidates = (
        Response.objects.for_org(organisation)
        .filter(batch_id=batch_id, pk__range=stored_ids)
        .filter(wanted)
        .order_by()
        .annotate(rule_threshold=_threshold_case(definitions))
        .values_list(
            "organisation_id",
            "audience_id",
            "definition_id",
            "pk",
            "audience__owner_id",
            "rule_threshold",
        )
    )
    select, params = candidates.query.sql_with_params()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        # "WHERE true": SQLite reads ON CONFLICT after a bare FROM as a join's ON.
        cursor.execute(
            f"INSERT INTO {FollowUp._meta.db_table} ({FOLLOWUP_COLUMNS}) "
            f"SELECT c.*, %s, '', %s, %s FROM ({select}) c WHERE true "
            "ON CONFLICT (response_id) DO NOTHING RETURNING id",
            [FollowUpStatus.OPEN, now, now, *params],
        )
        made = [row[0] for row in cursor.fetchall()]
    # Read back only to send: a push of 10,000 detractors with no subscriber loads nothing.
    if made and notify and _subscribed(organisation, EventType.FOLLOWUP_CREATED):
        # The deliveries speak the default language, whatever the push's Accept-Language.
        with translation.override(settings.LANGUAGE_CODE):
            for shown in followups_shown(
                followups_for(organisation).filter(pk__in=made).order_by("pk")
            ):
                followup_event_emit(event_type=EventType.FOLLOWUP_CREATED, shown=shown)
    return len(made)


def _subscribed(organisation: Organisation, event_type: str) -> bool:
    """Whether any active endpoint takes this event: a push of 10,000 detractors looks the
    endpoints up once instead of once per follow-up."""
    endpoints = WebhookEndpoint.objects.for_org(organisation).filter(active=True)
    return any(event_type in e.events for e in endpoints.only("events"))


# --- reading ---------------------------------------------------------------------------------


def followups_for(organisation: Organisation) -> QuerySet[FollowUp]:
    """The organisation's follow-ups with what every page and answer shows of them."""
    return FollowUp.objects.for_org(organisation).select_related(
        "organisation",
        "audience__owner",
        "definition__audience",
        "response",
        "assignee",
        "closed_by",
    )


def open_followups(
    organisation: Organisation,
    *,
    assignee: Person | None = None,
    audience: Audience | None = None,
) -> QuerySet[FollowUp]:
    """The organisation's follow-ups not closed yet (open or in progress), newest first,
    optionally only one person's or one audience's."""
    qs = followups_for(organisation).exclude(status=FollowUpStatus.CLOSED)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if audience is not None:
        qs = qs.filter(audience=audience)
    return qs


def followups_filter(
    organisation: Organisation,
    *,
    status: str | None = None,
    audience: Audience | None = None,
    assignee: Person | None = None,
    assignee_email: str | None = None,
) -> QuerySet[FollowUp]:
    """The list the page and `GET /api/v1/followups/` show: one filter for both."""
    qs = followups_for(organisation)
    if status:
        qs = qs.filter(status=status)
    if audience is not None:
        qs = qs.filter(audience=audience)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if assignee_email:
        qs = qs.filter(assignee__email__iexact=assignee_email)
    return listed_in_privacy_order(qs, organisation)


def listed_in_privacy_order(
    qs: QuerySet[FollowUp], organisation: Organisation
) -> QuerySet[FollowUp]:
    """Newest day first (the organisation's calendar day of creation). Within a day, follow-ups
    of metrics privacy guards come after the others, by metric, answer day and id, never by
    time: a withheld one placed among timed ones by its exact time would give its minute away
    (walk2). Within one metric and answer day the group is the same, so either all of them show
    their time or none does, and their order tells nothing about a minute that is hidden."""
    guarded = privacy.protected_q("definition__")
    return qs.annotate(
        listed_day=TruncDate("created_at", tzinfo=ZoneInfo(organisation.timezone)),
        listed_guarded=Case(When(guarded, then=Value(1)), default=Value(0)),
        listed_at=Case(
            When(guarded, then=Value(None)), default=F("created_at"), output_field=DateTimeField()
        ),
    ).order_by(
        "-listed_day",
        "listed_guarded",
        F("listed_at").desc(nulls_last=True),
        "definition_id",
        "-response__local_date",
        "-id",
    )


def person_of(organisation: Organisation, user: AbstractBaseUser) -> Person | None:
    """The organisation's person linked to this user (who "assigned to me" means)."""
    return Person.objects.for_org(organisation).filter(user_id=user.pk).first()


def followup_may_act(access: Access, followup: FollowUp) -> bool:
    """Leads act on every follow-up; an owner on those of audiences they own and on those
    assigned to them (whoever is asked to answer must be able to close it); viewers read."""
    if followup.organisation_id != access.organisation.pk:
        return False
    if access.is_lead:
        return True
    if access.role != Role.OWNER:
        return False
    assignee = followup.assignee
    mine = assignee is not None and assignee.user_id == access.membership.user_id
    return mine or access.owns(followup.audience)


# --- what a reader may see -------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpShown:
    """A follow-up as any reader may see it: None where small-group privacy withholds."""

    followup: FollowUp
    comment: str | None
    respondent: str | None
    responded_at: datetime | None  # exact; None when withheld
    responded_on: date  # the organisation's calendar day, always shown
    created_at: datetime | None  # exact; None when withheld (a live push is the answer's time)
    created_on: date
    withheld: str  # why something is withheld, in words; "" when nothing is

    @property
    def score(self) -> int:
        return self.followup.response.score


def _withheld_sentence(parts: tuple[str, ...]) -> str:
    """One whole sentence per combination `followups_shown` can withhold (translators need the
    subject and its agreement together)."""
    if parts == ("comment",):
        return _(
            "The comment is withheld: %(label)s of %(audience)s had %(short)s in %(month)s, and "
            "in a group this small it could point at one person (small-group privacy)."
        )
    if parts == ("exact time",):
        return _(
            "The exact time is withheld: %(label)s of %(audience)s had %(short)s in %(month)s, "
            "and in a group this small it could point at one person (small-group privacy)."
        )
    if parts == ("comment", "exact time"):
        return _(
            "The comment and exact time are withheld: %(label)s of %(audience)s had %(short)s "
            "in %(month)s, and in a group this small they could point at one person "
            "(small-group privacy)."
        )
    if parts == ("respondent", "exact time"):
        return _(
            "The respondent and exact time are withheld: %(label)s of %(audience)s had "
            "%(short)s in %(month)s, and in a group this small they could point at one person "
            "(small-group privacy)."
        )
    return _(
        "The comment, respondent and exact time are withheld: %(label)s of %(audience)s had "
        "%(short)s in %(month)s, and in a group this small they could point at one person "
        "(small-group privacy)."
    )


def _withheld_line(definition: MetricDefinition, day: date, parts: list[str], short: str) -> str:
    """`short` is `privacy.shortfall`: what the group had too few of (answers or comments)."""
    return _withheld_sentence(tuple(parts)) % {
        "label": definition_label(definition),
        "audience": definition.audience.name,
        "short": short,
        "month": date_format(day, "YEAR_MONTH_FORMAT"),
    }


def followups_shown(followups: Iterable[FollowUp]) -> list[FollowUpShown]:
    """Each follow-up with what `measurements.privacy` withholds removed (one query for the
    group sizes of the protected ones, none otherwise)."""
    followups = list(followups)
    guarded = [f for f in followups if privacy.protected(f.definition)]
    sizes = (
        privacy.groups(
            organisation_id=guarded[0].organisation_id,
            keys={(f.definition_id, privacy.month_of(f.response.local_date)) for f in guarded},
        )
        if guarded
        else {}
    )
    out = []
    for f in followups:
        response = f.response
        tz = ZoneInfo(f.organisation.timezone)
        comment, respondent = response.comment, response.respondent
        responded_at: datetime | None = response.responded_at
        created_at: datetime | None = f.created_at
        parts: list[str] = []
        short = ""
        if privacy.protected(f.definition):
            group = sizes[(f.definition_id, privacy.month_of(response.local_date))]
            short = privacy.shortfall(f.definition, group)
            if not privacy.comments_shown(f.definition, group) and comment:
                comment = None
                parts.append("comment")
            if not privacy.identities_shown(f.definition, group):
                if respondent:
                    parts.append("respondent")
                respondent = None
                responded_at = created_at = None
                parts.append("exact time")
        out.append(
            FollowUpShown(
                followup=f,
                comment=comment or None,
                respondent=respondent or None,
                responded_at=responded_at,
                responded_on=response.local_date,
                created_at=created_at,
                created_on=f.created_at.astimezone(tz).date(),
                withheld=(
                    _withheld_line(f.definition, response.local_date, parts, short) if parts else ""
                ),
            )
        )
    return out


def followup_shown(followup: FollowUp) -> FollowUpShown:
    return followups_shown([followup])[0]


# --- events ----------------------------------------------------------------------------------


def followup_event_summary(*, event_type: str, shown: FollowUpShown) -> str:
    """One line a chat channel shows: "Parents: NPS 3 (with a comment), for Olive Owner".
    English, as `alerts.alert_event_summary`: an organisation's channel has no one language."""
    f = shown.followup
    label = definition_label(f.definition)
    who = f.assignee.name if f.assignee else "nobody yet"
    if event_type == EventType.FOLLOWUP_CLOSED:
        return f"{f.audience.name}: the follow-up on {label} {shown.score} was closed"
    extra = " (with a comment)" if privacy.carries_comment(shown.comment) else ""
    return f"{f.audience.name}: {label} {shown.score}{extra}, a follow-up for {who}"


def followup_payload(shown: FollowUpShown) -> dict[str, Any]:
    """A follow-up as the API and the webhooks give it (JSON types, times in ISO 8601)."""
    f = shown.followup
    return {
        "id": f.pk,
        "audience": f.audience.slug,
        "metric": f.definition.slug,
        "label": definition_label(f.definition),
        "score": shown.score,
        # The threshold it was made under (stored since 0013; older ones: today's rule).
        "threshold": threshold_of(f)[0],
        "threshold_recorded": threshold_of(f)[1],
        "comment": shown.comment,
        "respondent": shown.respondent,
        # The day always; the time only where privacy lets it show (like GET /responses/).
        "responded_at": (shown.responded_at or shown.responded_on).isoformat(),
        "status": f.status,
        "assignee": f.assignee.email if f.assignee else None,
        "note": f.note,
        "created_at": (shown.created_at or shown.created_on).isoformat(),
        "closed_at": f.closed_at.isoformat() if f.closed_at else None,
        "closed_by": f.closed_by.email if f.closed_by else None,
        "withheld": shown.withheld or None,
        "version": followup_version(f),
    }


def followup_event_emit(*, event_type: str, shown: FollowUpShown) -> None:
    """Send one follow-up event to the organisation's subscribed endpoints, in the caller's
    transaction (queued only once it commits). The note stays out: it may quote the answer."""
    payload = {k: v for k, v in followup_payload(shown).items() if k not in ("note", "version")}
    webhook_emit(
        organisation=shown.followup.organisation_id,
        event_type=event_type,
        payload={
            "followup": payload,
            "summary": followup_event_summary(event_type=event_type, shown=shown),
        },
    )


# --- writes ----------------------------------------------------------------------------------

_UNSET: Any = object()


def _person_label(person: Person | None) -> str | None:
    return f"{person.name} ({person.email})" if person else None


def followup_version(followup: FollowUp) -> str:
    """An opaque token of the follow-up's last change, for optimistic concurrency. Not
    `updated_at` itself: until someone changes it that is the answer's own time, which
    small-group privacy may withhold (a page's source and the API would give it away)."""
    return salted_hmac("followup-version", followup.updated_at.isoformat()).hexdigest()[:20]


def followup_changed_since(followup: FollowUp) -> str:
    """The refusal of a stale save, in words: who changed the follow-up last and to what."""
    last = (
        AuditEntry.objects.for_org(followup.organisation_id)
        .filter(object_type="followup", object_id=str(followup.pk))
        .select_related("actor_user", "actor_key")
        .order_by("-at", "-id")
        .first()
    )
    by = ""
    if last is not None:
        # Named as the page names people: the organisation's person, else the account.
        person = person_of(followup.organisation, last.actor_user) if last.actor_user else None
        by = person.name if person and person.name else last.actor_display
    tz = ZoneInfo(followup.organisation.timezone)
    words = {
        "by": by,
        "at": date_format(followup.updated_at.astimezone(tz), "TIME_FORMAT"),
        "status": lower_first(followup.get_status_display()),
    }
    if by:
        return (
            _(
                "This follow-up was changed by %(by)s at %(at)s after you opened it; it is now "
                "%(status)s. Nothing was saved: check it and save again."
            )
            % words
        )
    return (
        _(
            "This follow-up was changed at %(at)s after you opened it; it is now %(status)s. "
            "Nothing was saved: check it and save again."
        )
        % words
    )


@transaction.atomic
def followup_update(
    *,
    followup: FollowUp,
    actor: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
    assignee: Person | None = _UNSET,
    status: str = _UNSET,
    note: str = _UNSET,
    version: str | None = None,
) -> FollowUp:
    """Assign, note and move a follow-up (open ⇄ in progress → closed; a closed one may be
    reopened), the one write for the browser and the API. Closing records when and by whom and
    sends `followup.closed` once per close; reopening clears them. One audit entry in words.

    `version` is the `followup_version` the caller read: when the row changed since (another
    tab closed it), nothing is saved and the error names who changed it, so a stale form
    cannot reopen a closed follow-up or overwrite its note."""
    organisation = followup.organisation
    current = followups_for(organisation).select_for_update(of=("self",)).get(pk=followup.pk)
    if version is not None and version != followup_version(current):
        raise ValidationError({"version": [followup_changed_since(current)]}, code="stale")
    errors: dict[str, list[str]] = {}
    if (
        assignee is not _UNSET
        and assignee is not None
        and assignee.organisation_id != organisation.pk
    ):
        errors["assignee"] = [_("Choose a person of this organisation.")]
    if status is not _UNSET and status not in FollowUpStatus.values:
        values = ", ".join(FollowUpStatus.values)  # the API's values, never translated
        errors["status"] = [_("Use one of %(values)s.") % {"values": values}]
    if note is not _UNSET and len(note) > NOTE_MAX:
        errors["note"] = [
            _("At most %(max)s characters; this note has %(count)s.")
            % {"max": NOTE_MAX, "count": len(note)}
        ]
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[Any]] = {}
    if assignee is not _UNSET and assignee != current.assignee:
        changes["assignee"] = [_person_label(current.assignee), _person_label(assignee)]
        current.assignee = assignee
    if note is not _UNSET and note.strip() != current.note:
        changes["note"] = [current.note, note.strip()]
        current.note = note.strip()
    closing = False
    action = "updated"
    if status is not _UNSET and status != current.status:
        changes["status"] = [current.status, status]
        if status == FollowUpStatus.CLOSED:
            closing, action = True, "closed"
            current.closed_at = timezone.now()
            current.closed_by = actor if actor is not None and actor.pk else None
        elif current.status == FollowUpStatus.CLOSED:
            action = "reopened"
            current.closed_at = current.closed_by = None
        current.status = status
    if not changes:
        return current
    current.full_clean(exclude=["organisation", "audience", "definition", "response"])
    current.save()
    audit_record(
        organisation=organisation,
        action=action,
        obj=current,
        # Names and numbers only: the audit trail is read later in the reader's language.
        object_repr=f"#{current.pk}: {current.definition.name} "
        f"{current.response.score} ({current.audience.name})",
        audience=current.audience,
        actor_user=actor,
        actor_key=actor_key,
        changes=changes,
    )
    if closing:
        with translation.override(settings.LANGUAGE_CODE):  # as every delivery: one language
            followup_event_emit(event_type=EventType.FOLLOWUP_CLOSED, shown=followup_shown(current))
    return current


@transaction.atomic
def followup_target_set(
    *, organisation: Organisation, days: int, actor: AbstractBaseUser | None = None
) -> Organisation:
    """A lead changes how many days a follow-up should take to close (audited)."""
    if not 1 <= days <= 90:
        raise ValidationError({"followup_target_days": [_("Enter a number of days from 1 to 90.")]})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.followup_target_days == days:
        return organisation
    before = organisation.followup_target_days
    organisation.followup_target_days = days
    organisation.save(update_fields=["followup_target_days"])
    audit_record(
        organisation=organisation,
        action="updated",
        obj=organisation,
        actor_user=actor,
        changes={"followup_target_days": [before, days]},
    )
    return organisation


# --- the loop's numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Loop:
    """How well the loop closes: open follow-ups now, and over the follow-ups closed in the
    last LOOP_WINDOW_DAYS the median time to close and the share closed within the target."""

    open: int
    closed: int
    median_hours: float | None
    within_target: int
    target_days: int
    window_days: int = LOOP_WINDOW_DAYS

    @property
    def share_within_target(self) -> float | None:
        return None if not self.closed else self.within_target / self.closed * 100

    @property
    def median_text(self) -> str:
        """ "25 min", "3.5 h", "2.0 d" for a reader, in the active language (tr "3,5 sa")."""
        if self.median_hours is None:
            return "—"
        if self.median_hours < 1:
            minutes = local_number(max(1, round(self.median_hours * 60)), trim_zero=True)
            return pgettext("a number of minutes", "%(number)s min") % {"number": minutes}
        if self.median_hours < 24:
            return unit_text(local_number(self.median_hours), "h")
        days = local_number(self.median_hours / 24)
        return pgettext("a number of days", "%(number)s d") % {"number": days}

    @property
    def share_text(self) -> str:
        """ "80 % (4 of 5)"; ko "80% (5건 중 4건)", tr "%80 (5 kapanıştan 4'ü)"."""
        share = self.share_within_target
        if share is None:
            return "—"
        percent = unit_text(local_number(float(f"{share:.0f}"), trim_zero=True), "%")
        return _("%(share)s (%(within)s of %(closed)s)") % {
            "share": percent,
            "within": self.within_target,
            "closed": self.closed,
        }


def followup_loop(
    *, organisation: Organisation, audience: Audience | None = None, now: datetime | None = None
) -> Loop:
    """The loop's numbers for one audience (or the whole organisation): two queries. Time to
    close runs from the follow-up's creation (nobody could act before) to its last close."""
    now = now or timezone.now()
    qs = FollowUp.objects.for_org(organisation)
    if audience is not None:
        qs = qs.filter(audience=audience)
    open_count = qs.exclude(status=FollowUpStatus.CLOSED).count()
    closes = qs.filter(
        status=FollowUpStatus.CLOSED, closed_at__gte=now - timedelta(days=LOOP_WINDOW_DAYS)
    ).values_list("created_at", "closed_at")
    hours = [(closed - created).total_seconds() / 3600 for created, closed in closes]
    target = organisation.followup_target_days
    return Loop(
        open=open_count,
        closed=len(hours),
        median_hours=statistics.median(hours) if hours else None,
        within_target=sum(1 for h in hours if h <= target * 24),
        target_days=target,
    )
