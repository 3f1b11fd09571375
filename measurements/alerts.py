"""Alerts: a crossing of a definition's alert threshold, recorded and e-mailed once.

Two steps of the rollup flow (claim → compute → write → alerts → notify):
- `alerts_evaluate` derives each recomputed definition's crossings from its stored monthly
  rollups and brings its Alert rows in line with them. Which side is wrong is the kind's
  direction in `measurements.kinds` (below for NPS, CSAT, CES, retention and CLV; above for
  TTR and churn). Only the month granularity alerts: one dip would otherwise raise four
  alerts (day, week, month, quarter) and four e-mails. A month counts only once it has ended
  in the organisation's time zone (the current month's value still moves), has a value (no
  data is no evidence either way) and at least the definition's `alert_min_n` (fewer is
  "indicative" in PRODUCT.md's terms). Months that do not count neither open nor close an
  alert. A month that has just ended is picked up by the next recompute of its definition:
  new data, or the nightly full rollup.
- One alert per crossing: the first counting month on the wrong side opens it
  (`period_start`); while later counting months stay on the wrong side it continues
  (`last_period_start` and `value` follow the latest); the first counting month back on the
  right side resolves it, and a later crossing opens a new alert. Since the crossings are
  derived from the stored rows each time, late data that moves a month to the other side
  moves, merges, splits, reopens or resolves them the same way a rebuild would.
- Each transition a reconcile writes is also sent to the organisation's webhook endpoints
  (`alert.opened` for a new or reopened alert, `alert.resolved` for a resolved one), in the
  recompute's transaction, so they are queued only once it commits. An event follows a change
  of the row, never the evaluation itself: a recompute that finds the same crossings writes
  nothing and sends nothing. A crossing already over when it is found (history rolled up at
  once) is not news, as for the e-mail; seeding (`notify=False`) sends nothing either.
- `alerts_notify_on_commit` queues the e-mails as their own task once the alerts are
  committed; `alerts_email_pending` (the task's body) sends each alert's e-mail at most once,
  so a crossing that persists for months is e-mailed once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audiences.language import language_of
from measurements.alert_selectors import alert_closed_by_person
from measurements.alert_shape import alert_representation
from measurements.charts import unit_of, with_unit
from measurements.display import value_text
from measurements.formulas import definition_label
from measurements.kinds import kind_of
from measurements.models import Alert, AlertStatus, Granularity, MetricDefinition, Rollup
from measurements.periods import current_period_start
from webhooks.models import EventType
from webhooks.services import webhook_emit

if TYPE_CHECKING:
    from audiences.models import Person
    from measurements.rollups import RollupValue
    from measurements.rollups.writing import RollupScope

logger = logging.getLogger(__name__)

ALERT_GRANULARITY = Granularity.MONTH


def crosses_threshold(*, kind: str, value: float | None, threshold: float | None) -> bool:
    """Whether a value is on the wrong side of the threshold for its kind."""
    if value is None or threshold is None:
        return False
    return kind_of(kind).worse_than(value, threshold)


@dataclass
class Crossing:
    """A run of counting months on the wrong side, until a counting month on the right side."""

    start: date  # the first month on the wrong side (the alert opens in it)
    last: date  # the latest month on the wrong side
    value: float  # the value of `last`
    resolved: bool = False  # a later counting month was back on the right side


def month_counts(
    *, start: date, value: float | None, n: int, current_start: date, min_n: int
) -> bool:
    """Whether a month's value may open or close an alert: the month has ended (it starts
    before the current month), it has a value and at least `min_n` behind it."""
    return start < current_start and value is not None and n >= min_n


def crossings_of(
    definition: MetricDefinition,
    months: Iterable[tuple[date, float | None, int]],
    *,
    current_start: date,
) -> list[Crossing]:
    """The definition's crossings from its monthly (start, value, n), oldest first."""
    threshold = definition.alert_threshold
    if threshold is None:
        return []
    crossings: list[Crossing] = []
    open_crossing: Crossing | None = None
    for start, value, n in sorted(months, key=lambda month: month[0]):
        if not month_counts(
            start=start,
            value=value,
            n=n,
            current_start=current_start,
            min_n=definition.alert_min_n,
        ):
            continue
        if kind_of(definition.kind).worse_than(value, threshold):
            if open_crossing is None:
                open_crossing = Crossing(start=start, last=start, value=value)
                crossings.append(open_crossing)
            else:
                open_crossing.last, open_crossing.value = start, value
        elif open_crossing is not None:
            open_crossing.resolved = True
            open_crossing = None
    return crossings


def alerts_evaluate(
    values: Iterable[RollupValue],
    scopes: Iterable[RollupScope] = (),
    *,
    now: datetime | None = None,
    notify: bool = True,
) -> None:
    """Bring the alerts of the definitions in `values` and `scopes` (the recompute's) in line
    with the crossings of their stored monthly rollups, read after the write: a period whose
    row the recompute deleted has no data any more and counts no longer. Each alert opened,
    reopened or resolved is sent to the organisation's webhooks unless `notify` is False.

    Call in the recompute's transaction, after the write, holding the definitions' locks.
    """
    now = now or timezone.now()
    known = {v.definition.pk: v.definition for v in values}
    ids = known.keys() | {s.definition_id for s in scopes}
    if not ids:
        return
    missing = ids - known.keys()
    if missing:
        # All organisations: definitions the recompute covered (a batch spans them).
        covered = MetricDefinition.all_orgs.filter(pk__in=missing)
        known |= {d.pk: d for d in covered.select_related("organisation", "audience")}
    definitions = [known[pk] for pk in sorted(ids) if pk in known]
    months: dict[int, list[tuple[date, float | None, int]]] = defaultdict(list)
    alerting = [d.pk for d in definitions if d.alert_threshold is not None]
    # All organisations: the stored months of the recomputed definitions (a batch spans them).
    rows = Rollup.all_orgs.filter(definition_id__in=alerting, granularity=ALERT_GRANULARITY)
    for definition_id, start, value, n in rows.order_by().values_list(
        "definition_id", "period_start", "value", "n"
    ):
        months[definition_id].append((start, value, n))
    stored: dict[int, list[Alert]] = defaultdict(list)
    # All organisations: the alerts of the recomputed definitions (a batch spans them),
    # resolved ones too (a crossing that comes back reopens its alert rather than another).
    alerts = Alert.all_orgs.all()
    for alert in alerts.filter(
        definition_id__in=[d.pk for d in definitions], granularity=ALERT_GRANULARITY
    ).order_by("period_start"):
        stored[alert.definition_id].append(alert)
    for definition in definitions:
        zone = ZoneInfo(definition.organisation.timezone or "UTC")
        crossings = crossings_of(
            definition,
            months.get(definition.pk, []),
            current_start=current_period_start(ALERT_GRANULARITY, zone, now),
        )
        transitions = _alerts_reconcile(
            alerts, definition, crossings, stored.get(definition.pk, []), now=now
        )
        if notify:
            for event_type, alert in transitions:
                alert_event_emit(event_type=event_type, alert=alert, definition=definition)


def _alerts_reconcile(
    batch: QuerySet[Alert],
    definition: MetricDefinition,
    crossings: list[Crossing],
    alerts: list[Alert],
    *,
    now: datetime,
) -> list[tuple[str, Alert]]:
    """Match each crossing to the alert that opened in its first month, else to one whose
    months overlap it (late data moved its start); update those that differ, resolve the open
    alerts no crossing is left for, and create the rest. Resolutions are written first, so
    the one open alert a definition may have is never two, even for a moment.

    Returns the transitions written, in that order, each with the alert as it now stands:
    (`alert.resolved`, alert) for an open alert resolved, (`alert.opened`, alert) for one
    reopened or created open. A continued alert (only its months or value moved) is none."""
    by_start = {alert.period_start: alert for alert in alerts}
    matched: dict[int, Alert] = {}  # crossing index → its alert
    taken: set[int] = set()
    for i, crossing in enumerate(crossings):
        alert = by_start.get(crossing.start)
        if alert is not None:
            matched[i] = alert
            taken.add(alert.pk)
    for i, crossing in enumerate(crossings):
        if i in matched:
            continue
        for alert in alerts:
            if alert.pk not in taken and (
                alert.period_start <= crossing.last and crossing.start <= alert.last_period_start
            ):
                matched[i] = alert
                taken.add(alert.pk)
                break
    closing: list[tuple[Alert, dict]] = []
    others: list[tuple[Alert, dict]] = []
    for alert in alerts:
        if alert.pk not in taken and alert.resolved_at is None:
            closing.append((alert, _numbers_side(alert, resolved_at=now, now=now)))
    for i, alert in matched.items():
        crossing = crossings[i]
        wanted = {
            "period_start": crossing.start,
            "last_period_start": crossing.last,
            "value": crossing.value,
            "threshold": definition.alert_threshold,
        } | _numbers_side(
            alert, resolved_at=(alert.resolved_at or now) if crossing.resolved else None, now=now
        )
        changes = {f: v for f, v in wanted.items() if getattr(alert, f) != v}
        if changes:
            (closing if changes.get("resolved_at") else others).append((alert, changes))
    transitions: list[tuple[str, Alert]] = []
    for alert, changes in closing + others:
        batch.filter(pk=alert.pk).update(**changes)
        for field, value in changes.items():
            setattr(alert, field, value)
        # The people's side moved (a person's resolution is final, so theirs never does):
        # resolved when the value came back, open again when late data reopened it.
        if "status" in changes:
            opened = changes["status"] == AlertStatus.OPEN
            transitions.append(
                (EventType.ALERT_OPENED if opened else EventType.ALERT_RESOLVED, alert)
            )
    new = [
        Alert(
            organisation_id=definition.organisation_id,
            audience_id=definition.audience_id,
            definition_id=definition.pk,
            granularity=ALERT_GRANULARITY,
            period_start=crossing.start,
            last_period_start=crossing.last,
            value=crossing.value,
            threshold=definition.alert_threshold,
            resolved_at=now if crossing.resolved else None,
            status=AlertStatus.RESOLVED if crossing.resolved else AlertStatus.OPEN,
            closed_at=now if crossing.resolved else None,
        )
        for i, crossing in enumerate(crossings)
        if i not in matched
    ]
    if new:
        Alert.objects.bulk_create(new)
        opened = [alert for alert in new if alert.resolved_at is None]
        if any(alert.pk is None for alert in opened):
            # A backend that returns no ids from a bulk insert: read them by opening month.
            ids = dict(
                Alert.objects.for_org(definition.organisation_id)
                .filter(definition_id=definition.pk, granularity=ALERT_GRANULARITY)
                .values_list("period_start", "pk")
            )
            for alert in opened:
                alert.pk = ids[alert.period_start]
        transitions += [(EventType.ALERT_OPENED, alert) for alert in opened]
    return transitions


def _numbers_side(alert: Alert, *, resolved_at: datetime | None, now: datetime) -> dict:
    """The fields a recompute wants for the alert's numbers' side: `resolved_at`, and the
    status that follows it unless a person resolved the alert. A person's resolution stands
    through later recomputes: the crossing it answered is not opened again, and its end
    (the value coming back) is recorded but is not news to anyone."""
    if alert_closed_by_person(alert):
        return {"resolved_at": resolved_at}
    if resolved_at is None:
        return {"resolved_at": None, "status": _reopened_status(alert), "closed_at": None}
    closed_at = alert.closed_at if alert.status == AlertStatus.RESOLVED else now
    return {"resolved_at": resolved_at, "status": AlertStatus.RESOLVED, "closed_at": closed_at}


def _reopened_status(alert: Alert) -> str:
    """An alert the numbers reopen (late data moved the month that closed it) asks for
    someone again; one still open keeps its status (acknowledged stays acknowledged)."""
    return AlertStatus.OPEN if alert.status == AlertStatus.RESOLVED else alert.status


def _alert_side(definition: MetricDefinition) -> str:
    """The wrong side of the threshold for the definition's kind."""
    return "below" if kind_of(definition.kind).higher_is_better else "above"


def alert_event_summary(*, event_type: str, alert: Alert, definition: MetricDefinition) -> str:
    """One line a person reads in a chat channel (the Slack body's text):
    "Teachers: eNPS -12.0 in Nov 2026, below its alert threshold of 0". Always in the default
    language: it goes to the organisation's channels and its audit trail, which no one
    person's language speaks for, and a delivery must not change with the request that caused
    it (an API call with Accept-Language: tr would otherwise write "%80,0")."""
    with translation.override(settings.LANGUAGE_CODE):
        return _event_summary(event_type=event_type, alert=alert, definition=definition)


def _event_summary(*, event_type: str, alert: Alert, definition: MetricDefinition) -> str:
    label = definition_label(definition)
    side = _alert_side(definition)
    unit = unit_of(definition)
    value = value_text(alert.value, unit)
    threshold = with_unit(alert.threshold, unit)
    last = f"{alert.last_period_start:%b %Y}"
    since = "" if alert.period_start == alert.last_period_start else f"{alert.period_start:%b %Y}"
    audience = definition.audience.name
    if event_type == EventType.ALERT_RESOLVED and alert_closed_by_person(alert):
        # Someone closed it while the value may still be on the wrong side: say who, not "no
        # longer below".
        by = _closer_name(alert) or "an API client"
        return (
            f"{audience}: {label} alert resolved by {by} ({value} in {last}, {side} its alert "
            f"threshold of {threshold})"
        )
    if event_type == EventType.ALERT_RESOLVED:
        was = f"{side} it from {since} to {last}, last {value}" if since else f"{value} in {last}"
        return f"{audience}: {label} no longer {side} its alert threshold of {threshold} ({was})"
    line = f"{audience}: {label} {value} in {last}, {side} its alert threshold of {threshold}"
    return line + (f" (since {since})" if since else "")


def alert_event_payload(
    *, event_type: str, alert: Alert, definition: MetricDefinition
) -> dict[str, object]:
    """The webhook payload of an alert's transition: the alert exactly as
    `GET /api/v1/alerts/{id}/` shows it (one function, `alert_representation`), and the line
    a person reads."""
    # The same rows the caller holds, so the representation reads no more from the database.
    alert.definition = definition
    alert.audience = definition.audience
    return {
        "alert": alert_representation(alert),
        "summary": alert_event_summary(event_type=event_type, alert=alert, definition=definition),
    }


def _closer_name(alert: Alert) -> str | None:
    """Who resolved the alert, or None when the value came back on its own."""
    user = alert.closed_by if alert.closed_by_id else None
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def alert_event_emit(*, event_type: str, alert: Alert, definition: MetricDefinition) -> None:
    """Send one alert transition to the organisation's endpoints subscribed to it."""
    webhook_emit(
        organisation=definition.organisation_id,
        event_type=event_type,
        payload=alert_event_payload(event_type=event_type, alert=alert, definition=definition),
    )


def alerts_notify_on_commit(*, organisation_id: int | None) -> None:
    """Queue the e-mails of the new alerts once the caller's transaction commits (at once
    outside a transaction), so the worker sees the alerts the flow just recorded."""
    # measurements.tasks imports the rollup engine (its tasks run it), so the task is looked
    # up when called rather than imported with this module.
    from measurements.tasks import enqueue_alert_emails

    transaction.on_commit(lambda: enqueue_alert_emails(organisation_id=organisation_id))


def _alerts_claim(organisation_id: int | None, *, send: bool) -> int:
    """Claim each pending alert with a conditional UPDATE (emailed_at still NULL), then e-mail
    its audience's owner if `send` (open alerts only); without `send`, resolved ones are
    marked too, so none of them is e-mailed should late data reopen it."""
    if organisation_id is not None:
        pending = Alert.objects.for_org(organisation_id)
    else:
        pending = Alert.all_orgs.all()  # All organisations: a stale batch or a run for all.
    pending = pending.filter(emailed_at=None, audience__owner__isnull=False)
    if send:
        # A crossing already over when it was found (history rolled up at once) is not news.
        # Nor is one a person has already resolved (its audience had no owner until now).
        pending = pending.filter(resolved_at=None).exclude(status=AlertStatus.RESOLVED)
    pending = pending.select_related("audience__owner__user", "definition__audience")
    claimed_count = 0
    for alert in pending:
        owner = alert.audience.owner
        claimed = (
            Alert.objects.for_org(alert.organisation_id)
            .filter(pk=alert.pk, emailed_at=None)
            .update(emailed_at=timezone.now(), notified_to=owner)
        )
        if not claimed:
            continue
        claimed_count += 1
        if send:
            _alert_email(alert, owner)
    return claimed_count


def _alert_email(alert: Alert, owner: Person) -> None:
    """The owner's e-mail, in the language they kept (outside any request: a task sends it)."""
    with translation.override(language_of(owner.user)):
        subject, message = _alert_email_text(alert)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[owner.email],
        fail_silently=True,
    )


def _alert_email_text(alert: Alert) -> tuple[str, str]:
    """The subject and body in the active language; the month (ALERT_GRANULARITY) is named by
    its first day."""
    below = kind_of(alert.definition.kind).higher_is_better
    unit = unit_of(alert.definition)
    words = {
        "audience": alert.audience.name,
        "label": definition_label(alert.definition),
        "metric": alert.definition.name,
        "value": value_text(alert.value, unit),
        "threshold": with_unit(alert.threshold, unit),
        "start": date_format(alert.last_period_start, "DATE_FORMAT"),
        "since": date_format(alert.period_start, "DATE_FORMAT"),
    }
    if below:
        subject = _("[AX Registry] %(audience)s: %(label)s below its alert threshold")
        body = _(
            "%(metric)s for %(audience)s was %(value)s in the month starting %(start)s, below "
            "the alert threshold of %(threshold)s."
        )
        since = _("It has been below it since the month starting %(since)s.")
    else:
        subject = _("[AX Registry] %(audience)s: %(label)s above its alert threshold")
        body = _(
            "%(metric)s for %(audience)s was %(value)s in the month starting %(start)s, above "
            "the alert threshold of %(threshold)s."
        )
        since = _("It has been above it since the month starting %(since)s.")
    message = body % words
    if alert.last_period_start != alert.period_start:
        message += " " + since % words
    return subject % words, message + "\n"


def alerts_email_pending(*, organisation_id: int | None = None) -> int:
    """E-mail each new alert to its audience's owner, exactly once.

    The conditional UPDATE (emailed_at still NULL) claims the alert before sending, so two
    beats or workers running this at once, or the same task delivered twice, never send the
    same e-mail twice.
    """
    return _alerts_claim(organisation_id, send=True)


def alerts_mark_notified(*, organisation_id: int) -> int:
    """Mark the organisation's pending alerts as notified without e-mailing anyone.

    For seeding a year of demo history: it crosses thresholds in many months, and those
    alerts are recorded but must not print dozens of e-mails to the console of `./ax up`, now
    or on the next run (the marks are the same as a sent e-mail's).
    """
    return _alerts_claim(organisation_id, send=False)
