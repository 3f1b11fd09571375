"""The one entry point for pushed data: check the body, validate, write, audit, queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import ApiKey, Audience, Organisation
from audiences.services import audit_record
from measurements.followups import followups_create_for_batch
from measurements.ingest.fields import CASES, MEMBERS, RESPONSES, REVENUE, ItemError
from measurements.ingest.validate import validate_items
from measurements.ingest.write import WRITERS, Batch, IngestResult, stale_marks_write

BATCH_LABELS = {
    RESPONSES: "response batch",
    CASES: "case batch",
    REVENUE: "revenue event batch",
    MEMBERS: "member batch",
}


class IngestRejected(Exception):
    """The batch had invalid items (all listed); nothing was stored."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


class IngestForbidden(Exception):
    """The caller may not write to some audiences named in the batch."""


def _queue_recompute() -> None:
    from measurements.tasks import enqueue_stale_recompute

    enqueue_stale_recompute()


def _items_of(payload: Any) -> tuple[list[Any], bool]:
    """The body as a list of items, and whether it was a single object."""
    single = isinstance(payload, dict)
    items = [payload] if single else payload
    if not isinstance(items, list):
        message = gettext("Send a JSON object or a JSON array.")
        raise IngestRejected([ItemError(None, "body", message, "not_a_list")])
    limit = settings.API_MAX_BULK_ITEMS
    if len(items) > limit:
        message = gettext("At most %(limit)s items per request; got %(count)s.") % {
            "limit": limit,
            "count": len(items),
        }
        raise IngestRejected([ItemError(None, "body", message, "too_many_items")])
    if not items:
        raise IngestRejected([ItemError(None, "body", gettext("The list is empty."), "empty")])
    return items, single


def ingest(
    *,
    kind: str,
    organisation: Organisation,
    payload: Any,
    api_key: ApiKey | None = None,
    actor_user: Any = None,
    may_write: Callable[[Audience], bool] | None = None,
) -> IngestResult:
    """Validate a pushed body (one object or a list of up to API_MAX_BULK_ITEMS) and store it.

    All or nothing: any invalid item raises IngestRejected listing every invalid item, and
    nothing is written. In one transaction: the rows (INSERT … ON CONFLICT, so repeats are
    duplicates, cases and members upsert), the StaleMark rows for the rollups they change, and
    one audit entry; after commit the recompute is queued (never failing the write).
    """
    items, single = _items_of(payload)
    now = timezone.now()
    validation = validate_items(
        kind=kind, organisation=organisation, items=items, single=single, now=now
    )
    if validation.errors:
        raise IngestRejected(validation.errors)
    clean = validation.items
    if may_write is not None:
        refused = sorted(
            {i["audience_obj"].slug for i in clean if not may_write(i["audience_obj"])}
        )
        if refused:
            raise IngestForbidden(
                gettext("You can only push data for audiences you own; not for: %(audiences)s")
                % {"audiences": ", ".join(refused)}
            )
    result = IngestResult()
    batch = Batch(
        organisation=organisation,
        tz=ZoneInfo(organisation.timezone),
        lookups=validation.lookups,
        api_key=api_key,
        batch_id=result.batch_id,
        now=now,
    )
    with transaction.atomic():
        WRITERS[kind](batch, clean, result)
        stale_marks_write(organisation, batch.marks)
        if kind == RESPONSES:
            # In the same transaction, from the rows this batch inserted: a duplicate the
            # database skipped makes no second follow-up (measurements.followups).
            followups_create_for_batch(
                organisation=organisation,
                batch_id=result.batch_id,
                stored_ids=batch.stored_ids,
                definitions=[i["definition"] for i in clean],
            )
        audiences = {i["audience_obj"].pk: i["audience_obj"] for i in clean}
        audit_record(
            organisation=organisation,
            action="ingested",
            object_type=BATCH_LABELS[kind],
            object_repr=f"{len(items)} item(s), batch {result.batch_id}",
            audience=next(iter(audiences.values())) if len(audiences) == 1 else None,
            actor_user=actor_user,
            actor_key=api_key,
            changes={
                **result.as_dict(),
                "batch_id": str(result.batch_id),
                "items": len(items),
                "audiences": sorted(a.slug for a in audiences.values()),
            },
        )
        if batch.marks:
            transaction.on_commit(_queue_recompute)
    return result
