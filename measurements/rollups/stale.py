"""Consuming the stale marks that ingestion leaves: only the touched periods are recomputed.

The flow of `recompute`: claim the marks → compute → write → alerts, per batch; then one
notification for every batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction

from measurements.alerts import alerts_notify_on_commit
from measurements.models import StaleMark
from measurements.rollups.common import is_postgres
from measurements.rollups.recompute import (
    definitions_of,
    definitions_recompute,
    stale_marks_delete,
)

STALE_BATCH_SIZE = 5000


def stale_rollups_recompute(
    *, batch_size: int = STALE_BATCH_SIZE, max_batches: int = 100, notify: bool = True
) -> int:
    """Recompute the rollups that ingestion marked stale; returns the number of marks consumed.

    Each batch claims marks with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), recomputes and
    deletes them in the same transaction: a worker killed mid-way leaves its marks for the next
    run, and two runs never claim the same mark.
    """
    consumed = 0
    for _ in range(max_batches):
        with transaction.atomic():
            # All organisations: one worker drains every organisation's marks, oldest first.
            claim = StaleMark.all_orgs.order_by("id")
            if is_postgres():
                claim = claim.select_for_update(skip_locked=True)
            marks = list(claim.values_list("id", "definition_id", "day")[:batch_size])
            if not marks:
                break
            days: dict[int, set[date]] = defaultdict(set)
            for _, definition_id, day in marks:
                days[definition_id].add(day)
            definitions_recompute(definitions_of(days), days=days, notify=notify)
            stale_marks_delete([m[0] for m in marks])
            consumed += len(marks)
        if len(marks) < batch_size:
            break
    if consumed and notify:
        alerts_notify_on_commit(organisation_id=None)
    return consumed
