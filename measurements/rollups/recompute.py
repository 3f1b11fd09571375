"""Recomputing definitions: the full rollup, the time-based refresh and their shared core.

One flow for every run: claim (stale marks, or the definitions' advisory locks) → compute
(dispatched on each kind's data source in `measurements.kinds`) → write (upsert the values,
delete the rows whose data is gone) → alerts (open and close) → notify (the e-mails, a task
queued once the alerts are committed).

Every recompute of a definition holds a transaction-scoped advisory lock on it (PostgreSQL),
taken in id order, so two runs never interleave on one definition and never deadlock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audiences.models import Audience, Organisation
from measurements.alerts import alerts_evaluate, alerts_notify_on_commit
from measurements.kinds import KINDS, Source, kind_of
from measurements.models import Granularity, MetricDefinition, StaleMark
from measurements.periods import (
    GRANULARITIES,
    current_period_start,
    period_start,
    previous_start,
)
from measurements.rollups.common import (
    commit_without_waiting,
    is_postgres,
    lock_definitions,
    zone_of,
)
from measurements.rollups.events import rollup_changes, rollup_events_emit, rollup_subscribers
from measurements.rollups.full import scored_full_compute_postgres
from measurements.rollups.histograms import histograms_rebuild
from measurements.rollups.members import member_first_start, member_rollups_compute
from measurements.rollups.scores import scored_rollups_compute
from measurements.rollups.ttr import ttr_first_start, ttr_rollups_compute
from measurements.rollups.writing import (
    RollupScope,
    RollupValue,
    rollups_delete_missing,
    rollups_write,
)

logger = logging.getLogger(__name__)

# Touched days per definition id; None: every period of the definitions.
Days = dict[int, set[date]] | None
Computed = tuple[list[RollupValue], list[RollupScope]]
# The sources whose periods change with time alone (S, E and open counts move each day).
TIME_BASED_SOURCES = (Source.CASES, Source.MEMBERS)


def scored_full_compute(scored: list[MetricDefinition]) -> list[RollupValue]:
    """Every period of the scored definitions, histograms rebuilt from the raw responses."""
    if is_postgres():
        values = scored_full_compute_postgres(scored)
        if values is not None:
            return values
    histograms_rebuild(definition_ids=[d.pk for d in scored])
    values = []
    for granularity in GRANULARITIES:
        values += scored_rollups_compute(scored, granularity=granularity)
    return values


def _from_day(days: Days, definition: MetricDefinition) -> date | None:
    return None if days is None else min(days[definition.pk])


def _scores_compute(definitions: list[MetricDefinition], *, days: Days, now: datetime) -> Computed:
    """Scores: the touched days' histograms, then the periods containing them (or all)."""
    if days is None:
        return scored_full_compute(definitions), [RollupScope(d.pk) for d in definitions]
    values: list[RollupValue] = []
    scopes: list[RollupScope] = []
    scored_days = {d.pk: days[d.pk] for d in definitions}
    histograms_rebuild(
        definition_days=scored_days,
        organisations={d.pk: d.organisation_id for d in definitions},
    )
    for granularity in GRANULARITIES:
        starts = {
            pk: {period_start(granularity, day) for day in day_set}
            for pk, day_set in scored_days.items()
        }
        values += scored_rollups_compute(definitions, granularity=granularity, period_starts=starts)
        scopes += [
            RollupScope(pk, granularity, starts=frozenset(period_set))
            for pk, period_set in starts.items()
        ]
    return values, scopes


def _cases_compute(definitions: list[MetricDefinition], *, days: Days, now: datetime) -> Computed:
    """Cases: each definition from its earliest touched day's periods to the current one,
    because later periods' open counts depend on earlier cases."""
    values: list[RollupValue] = []
    scopes: list[RollupScope] = []
    for definition in definitions:
        zone = zone_of(definition.organisation)
        from_day = _from_day(days, definition)
        for granularity in GRANULARITIES:
            values += ttr_rollups_compute(
                definition, granularity=granularity, zone=zone, now=now, from_day=from_day
            )
            scopes.append(
                RollupScope(
                    definition.pk, granularity, from_start=ttr_first_start(granularity, from_day)
                )
            )
    return values, scopes


def _members_compute(definitions: list[MetricDefinition], *, days: Days, now: datetime) -> Computed:
    """Members: one pass per audience (and start day) for all its member kinds, from the
    earliest touched day's periods to the current one, because S carries over."""
    values: list[RollupValue] = []
    scopes: list[RollupScope] = []
    groups: dict[tuple[int, date | None], list[MetricDefinition]] = defaultdict(list)
    for definition in definitions:
        groups[(definition.audience_id, _from_day(days, definition))].append(definition)
    for (_, from_day), group in groups.items():
        zone = zone_of(group[0].organisation)
        for granularity in GRANULARITIES:
            values += member_rollups_compute(
                group, granularity=granularity, zone=zone, now=now, from_day=from_day
            )
            first = member_first_start(granularity, from_day)
            scopes += [RollupScope(d.pk, granularity, from_start=first) for d in group]
    return values, scopes


# How each data source's definitions are computed; adding a kind of an existing source is an
# entry in measurements.kinds only.
COMPUTE: dict[Source, Callable[..., Computed]] = {
    Source.SCORES: _scores_compute,
    Source.CASES: _cases_compute,
    Source.MEMBERS: _members_compute,
}


def rollups_compute(
    definitions: list[MetricDefinition], *, days: Days = None, now: datetime
) -> Computed:
    """The values of the definitions and the periods they cover (a stored row there that no
    value came for has lost its data). With `days`, only the definitions it names."""
    by_source: dict[Source, list[MetricDefinition]] = {source: [] for source in Source}
    for definition in definitions:
        if days is None or days.get(definition.pk):
            by_source[kind_of(definition.kind).source].append(definition)
    values: list[RollupValue] = []
    scopes: list[RollupScope] = []
    for source, group in by_source.items():
        if group:
            source_values, source_scopes = COMPUTE[source](group, days=days, now=now)
            values += source_values
            scopes += source_scopes
    return values, scopes


def definitions_recompute(
    definitions: list[MetricDefinition],
    *,
    days: dict[int, set[date]] | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> int:
    """Recompute rollups of the definitions: all periods, or only those touched by `days`;
    then open and close their alerts (a period left without a value closes its alert), each
    transition sent to the organisation's webhooks unless `notify` is False, and so is each
    definition's `rollup.updated` when its stored periods changed (`rollups.events`).
    Returns the number of values written.

    Call inside a transaction (the claim: marks claimed or definitions chosen by the caller).
    """
    now = now or timezone.now()
    lock_definitions(d.pk for d in definitions)
    commit_without_waiting()
    values, scopes = rollups_compute(definitions, days=days, now=now)
    # Read before the write what it will change, for `rollup.updated` (subscribers only).
    subscribed = rollup_subscribers(definitions) if notify else set()
    changes = rollup_changes(values, scopes, definition_ids=subscribed) if subscribed else {}
    rollups_delete_missing(values, scopes)
    # A full recompute rewrites mostly unchanged values: send only those that changed.
    written = rollups_write(values, now=now, skip_unchanged=days is None)
    alerts_evaluate(values, scopes, now=now, notify=notify)
    rollup_events_emit(changes, definitions, at=now)
    return written


def definitions_of(ids: Iterable[int]) -> list[MetricDefinition]:
    # All organisations: the caller chose the ids (one stale batch spans organisations).
    definitions = MetricDefinition.all_orgs.filter(pk__in=list(ids))
    return list(definitions.select_related("organisation", "audience__owner"))


def stale_marks_delete(ids: list[int]) -> None:
    """Delete claimed marks in one statement: they have no signals or cascades to collect."""
    marks = StaleMark.all_orgs.filter(pk__in=ids)  # All organisations: marks already claimed.
    marks._raw_delete(marks.db)


def _definitions(organisation: Organisation | None) -> QuerySet[MetricDefinition]:
    if organisation is not None:
        return MetricDefinition.objects.for_org(organisation)
    return MetricDefinition.all_orgs.all()  # All organisations: a run without an organisation.


def rollup_full(
    *,
    organisation: Organisation | None = None,
    audience: Audience | None = None,
    definition: MetricDefinition | None = None,
    notify: bool = True,
) -> int:
    """Recompute every rollup of an organisation, an audience, a definition or everything,
    from raw data; then queue the e-mails of new alerts (unless `notify` is False: seeding,
    which sends no webhook events either).

    Safe to run twice at once: the per-definition advisory locks serialise the runs. Stale
    marks of these definitions are consumed, since the full recompute covers them.
    """
    definitions = _definitions(organisation)
    if audience is not None:
        definitions = definitions.filter(audience=audience)
    if definition is not None:
        definitions = definitions.filter(pk=definition.pk)
    with transaction.atomic():
        chosen = definitions_of(definitions.values_list("pk", flat=True))
        # Claim the pending marks before reading any data: their rows are committed, so the
        # recompute sees them; a mark committed later survives for the next stale run.
        # All organisations: the marks of the chosen definitions, whichever organisations.
        marks = StaleMark.all_orgs.filter(definition_id__in=[d.pk for d in chosen])
        if is_postgres():
            marks = marks.select_for_update(skip_locked=True)
        ids = list(marks.values_list("id", flat=True))
        written = definitions_recompute(chosen, notify=notify)
        stale_marks_delete(ids)
    logger.info("Full rollup of %d definitions wrote %d rollups", len(chosen), written)
    if notify:
        alerts_notify_on_commit(organisation_id=organisation.pk if organisation else None)
    return written


def time_based_refresh(
    *, organisation: Organisation | None = None, now: datetime | None = None, notify: bool = True
) -> int:
    """Refresh the periods that change with time alone: TTR and member kinds, current and
    previous periods of every granularity (a new day moves S, E and open counts)."""
    now = now or timezone.now()
    kinds = [kind for kind, spec in KINDS.items() if spec.source in TIME_BASED_SOURCES]
    definitions = _definitions(organisation).filter(kind__in=kinds)
    with transaction.atomic():
        chosen = definitions_of(definitions.values_list("pk", flat=True))
        days = {}
        for definition in chosen:
            zone = zone_of(definition.organisation)
            # The previous quarter's start precedes every granularity's previous period.
            days[definition.pk] = {
                previous_start(
                    Granularity.QUARTER, current_period_start(Granularity.QUARTER, zone, now)
                )
            }
        written = definitions_recompute(chosen, days=days, now=now, notify=notify)
    if notify:
        alerts_notify_on_commit(organisation_id=organisation.pk if organisation else None)
    return written
