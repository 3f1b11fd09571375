"""Recomputing definitions: the full rollup, the time-based refresh and their shared core.

Every recompute of a definition holds a transaction-scoped advisory lock on it (PostgreSQL),
taken in id order, so two runs never interleave on one definition and never deadlock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audiences.models import Audience, Organisation
from measurements.alerts import alerts_email_pending
from measurements.models import (
    MEMBER_KINDS,
    SCORED_KINDS,
    Granularity,
    MetricDefinition,
    MetricKind,
    StaleMark,
)
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


def _time_based_values(
    definitions: list[MetricDefinition], *, now: datetime, from_days: dict[int, date | None]
) -> tuple[list[RollupValue], list[RollupScope]]:
    """TTR and member-kind values of the definitions, from each one's `from_days` entry, and
    the periods they cover (a stored row there that is not recomputed has lost its data)."""
    values: list[RollupValue] = []
    scopes: list[RollupScope] = []
    member_groups: dict[tuple[int, date | None], list[MetricDefinition]] = defaultdict(list)
    for definition in definitions:
        if definition.kind in MEMBER_KINDS:
            member_groups[(definition.audience_id, from_days.get(definition.pk))].append(definition)
    for definition in definitions:
        zone = zone_of(definition.organisation)
        if definition.kind == MetricKind.TTR:
            from_day = from_days.get(definition.pk)
            for granularity in GRANULARITIES:
                values += ttr_rollups_compute(
                    definition, granularity=granularity, zone=zone, now=now, from_day=from_day
                )
                scopes.append(
                    RollupScope(
                        definition.pk,
                        granularity,
                        from_start=ttr_first_start(granularity, from_day),
                    )
                )
    for (_, from_day), group in member_groups.items():
        zone = zone_of(group[0].organisation)
        for granularity in GRANULARITIES:
            values += member_rollups_compute(
                group, granularity=granularity, zone=zone, now=now, from_day=from_day
            )
            first = member_first_start(granularity, from_day)
            scopes += [RollupScope(d.pk, granularity, from_start=first) for d in group]
    return values, scopes


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


def definitions_recompute(
    definitions: list[MetricDefinition],
    *,
    days: dict[int, set[date]] | None = None,
    now: datetime | None = None,
) -> int:
    """Recompute rollups of the definitions: all periods, or only those touched by `days`.

    Scored kinds: the touched days' histograms, then the periods containing them. TTR and
    member kinds: from the earliest touched day's periods to the current period, because
    later periods' open counts and S depend on earlier data. Call inside a transaction.
    """
    now = now or timezone.now()
    lock_definitions(d.pk for d in definitions)
    commit_without_waiting()
    scored = [d for d in definitions if d.kind in SCORED_KINDS]
    others = [d for d in definitions if d.kind not in SCORED_KINDS]
    values: list[RollupValue] = []
    if days is None:
        values += scored_full_compute(scored)
        time_values, _ = _time_based_values(others, now=now, from_days={})
        values += time_values
        # Every period of these definitions was recomputed: a row no value came for is gone.
        rollups_delete_missing(values, [RollupScope(d.pk) for d in definitions])
        # A full recompute rewrites mostly unchanged values: send only those that changed.
        return rollups_write(values, now=now, skip_unchanged=True)
    scopes: list[RollupScope] = []
    scored_days = {d.pk: days[d.pk] for d in scored if days.get(d.pk)}
    histograms_rebuild(definition_days=scored_days)
    for granularity in GRANULARITIES:
        starts = {
            pk: {period_start(granularity, day) for day in day_set}
            for pk, day_set in scored_days.items()
        }
        values += scored_rollups_compute(scored, granularity=granularity, period_starts=starts)
        scopes += [
            RollupScope(pk, granularity, starts=frozenset(period_set))
            for pk, period_set in starts.items()
        ]
    time_values, time_scopes = _time_based_values(
        [d for d in others if days.get(d.pk)],
        now=now,
        from_days={pk: min(day_set) for pk, day_set in days.items() if day_set},
    )
    values += time_values
    rollups_delete_missing(values, scopes + time_scopes)
    return rollups_write(values, now=now)


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
) -> int:
    """Recompute every rollup of an organisation, an audience, a definition or everything,
    from raw data.

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
        written = definitions_recompute(chosen)
        stale_marks_delete(ids)
    logger.info("Full rollup of %d definitions wrote %d rollups", len(chosen), written)
    alerts_email_pending(organisation_id=organisation.pk if organisation else None)
    return written


def time_based_refresh(
    *, organisation: Organisation | None = None, now: datetime | None = None
) -> int:
    """Refresh the periods that change with time alone: TTR and member kinds, current and
    previous periods of every granularity (a new day moves S, E and open counts)."""
    now = now or timezone.now()
    definitions = _definitions(organisation).filter(kind__in=[MetricKind.TTR, *MEMBER_KINDS])
    written = 0
    with transaction.atomic():
        chosen = definitions_of(definitions.values_list("pk", flat=True))
        lock_definitions(d.pk for d in chosen)
        from_days = {}
        for definition in chosen:
            zone = zone_of(definition.organisation)
            # The previous quarter's start precedes every granularity's previous period.
            from_days[definition.pk] = previous_start(
                Granularity.QUARTER, current_period_start(Granularity.QUARTER, zone, now)
            )
        values, scopes = _time_based_values(chosen, now=now, from_days=from_days)
        rollups_delete_missing(values, scopes)
        written = rollups_write(values, now=now)
    alerts_email_pending(organisation_id=organisation.pk if organisation else None)
    return written
