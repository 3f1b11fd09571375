"""Rows as ingestion would write them, created directly with the ORM for rollup tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from measurements.models import (
    AudienceMember,
    MetricDefinition,
    Response,
    RevenueEvent,
    Rollup,
    StaleMark,
    SupportCase,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def respond(
    definition: MetricDefinition, score: int, at: datetime, *, mark: bool = False, **extra
) -> Response:
    """A response with its local day fixed in the organisation's zone, as ingestion does."""
    zone = ZoneInfo(definition.organisation.timezone)
    response = Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=score,
        responded_at=at,
        local_date=at.astimezone(zone).date(),
        **extra,
    )
    if mark:
        StaleMark.all_orgs.get_or_create(
            organisation=definition.organisation, definition=definition, day=response.local_date
        )
    return response


def case(definition: MetricDefinition, ref: str, opened: datetime, resolved: datetime | None):
    return SupportCase.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        external_id=ref,
        opened_at=opened,
        resolved_at=resolved,
    )


def member(audience, name: str, joined: datetime, left: datetime | None = None):
    return AudienceMember.objects.create(
        organisation=audience.organisation,
        audience=audience,
        member=name,
        joined_at=joined,
        left_at=left,
    )


def revenue(audience, name: str, amount: str, at: datetime):
    return RevenueEvent.objects.create(
        organisation=audience.organisation,
        audience=audience,
        member=name,
        amount=Decimal(amount),
        currency="EUR",
        occurred_at=at,
    )


def rollup_of(definition: MetricDefinition, granularity: str, start: date) -> Rollup:
    return Rollup.all_orgs.get(definition=definition, granularity=granularity, period_start=start)
