"""A year of demo results for the demo organisations' active metric definitions.

Deterministic (random.Random seeded per organisation and definition) with realistic trends:
each scored definition drifts up or down over the year, cases take a skewed number of hours,
members join and leave and pay monthly. Idempotent: every row carries an external id (or, for
members, its natural key), and a definition that already has its demo rows is skipped. Rows
are written with bulk_create, then one full rollup computes every period.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from audiences.models import Audience, Organisation
from audiences.services import audit_record
from journeys.models import Touchpoint
from measurements.alerts import alerts_mark_notified
from measurements.kinds import Source, kind_of
from measurements.models import (
    AudienceMember,
    MetricDefinition,
    MetricKind,
    Response,
    RevenueEvent,
    SupportCase,
)
from measurements.rollups import rollup_full
from measurements.scales import scale_of

DAYS = 365
COMMENTS = {
    "high": [
        "Quick and friendly, thank you.",
        "Everything was clear from the start.",
        "The team went out of their way to help.",
        "Easy to find what I needed.",
    ],
    "low": [
        "I had to ask three times before anyone answered.",
        "The information on the website was out of date.",
        "Nobody told me what would happen next.",
        "Long wait and no update.",
    ],
}


def _instant(day: date, rng: random.Random, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(hour=rng.randint(7, 21), minute=rng.randint(0, 59)))
    return local.replace(tzinfo=zone).astimezone(UTC)


def _score(kind: str, scale: tuple[int, int], quality: float, rng: random.Random) -> int:
    """A score whose expected satisfaction rises with `quality` (0–1)."""
    lo, hi = scale
    if kind == MetricKind.NPS:
        u = rng.random()
        if u < 0.25 + 0.45 * quality:
            return rng.choice((9, 10, 10))
        if u < 0.55 + 0.25 * quality:
            return rng.choice((7, 8))
        return rng.choice((2, 4, 5, 6, 6))
    mean = lo + (hi - lo) * (0.35 + 0.55 * quality)
    return max(lo, min(hi, round(rng.gauss(mean, (hi - lo) / 4))))


def _responses(
    definition: MetricDefinition, touchpoints: list[Touchpoint], start: date, zone: ZoneInfo
) -> list[Response]:
    rng = random.Random(
        f"{definition.organisation.slug}:{definition.audience.slug}:{definition.slug}"
    )
    scale = scale_of(
        kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
    )
    begin, drift = rng.uniform(0.3, 0.7), rng.uniform(-0.25, 0.3)
    volume = rng.choice((2, 3, 5, 8))
    rows = []
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        quality = min(1.0, max(0.0, begin + drift * offset / DAYS + rng.uniform(-0.08, 0.08)))
        for _ in range(rng.randint(0, volume)):
            score = _score(definition.kind, scale, quality, rng)
            responded_at = _instant(day, rng, zone)
            comment = ""
            if rng.random() < 0.12:
                top = scale[1] - (scale[1] - scale[0]) // 3
                comment = rng.choice(COMMENTS["high" if score >= top else "low"])
            rows.append(
                Response(
                    organisation_id=definition.organisation_id,
                    audience_id=definition.audience_id,
                    definition=definition,
                    external_id=f"demo-{definition.audience.slug}-{definition.slug}-{len(rows)}",
                    score=score,
                    responded_at=responded_at,
                    local_date=responded_at.astimezone(zone).date(),
                    touchpoint=rng.choice(touchpoints)
                    if touchpoints and rng.random() < 0.8
                    else None,
                    respondent=f"r{rng.randint(1, 400)}",
                    comment=comment,
                )
            )
    return rows


def _cases(audience: Audience, touchpoint_ids: list[int | None], start: date, zone: ZoneInfo):
    rng = random.Random(f"{audience.organisation.slug}:{audience.slug}:cases")
    now = timezone.now()
    rows = []
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        # Resolution gets faster over the year: the median falls from ~30 h to ~15 h.
        scale = 30 - 15 * offset / DAYS
        for _ in range(rng.randint(0, 4)):
            opened = _instant(day, rng, zone)
            resolved = opened + timedelta(hours=rng.lognormvariate(0, 0.9) * scale)
            rows.append(
                SupportCase(
                    organisation_id=audience.organisation_id,
                    audience=audience,
                    external_id=f"demo-case-{audience.slug}-{len(rows)}",
                    opened_at=opened,
                    resolved_at=None if resolved > now or rng.random() < 0.03 else resolved,
                    touchpoint_id=rng.choice(touchpoint_ids),
                    channel=rng.choice(("email", "phone", "live_chat")),
                )
            )
    return rows


def _members_and_revenue(audience: Audience, start: date, zone: ZoneInfo):
    rng = random.Random(f"{audience.organisation.slug}:{audience.slug}:members")
    now = timezone.now()
    members, revenue = [], []
    first = datetime.combine(start, time(9), tzinfo=zone).astimezone(UTC)
    for i in range(rng.randint(120, 260)):
        joined = first - timedelta(days=rng.randint(30, 900))
        members.append(_member(audience, f"m{i}", joined, rng, now))
    for offset in range(DAYS):
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            joined = _instant(start + timedelta(days=offset), rng, zone)
            members.append(_member(audience, f"m{len(members)}", joined, rng, now))
    monthly = Decimal(rng.choice((25, 40, 90, 250)))
    for m in members:
        paid = max(m.joined_at, first)
        until = m.left_at or now
        while paid < until:
            revenue.append(
                RevenueEvent(
                    organisation_id=audience.organisation_id,
                    audience=audience,
                    external_id=f"demo-rev-{audience.slug}-{len(revenue)}",
                    member=m.member,
                    amount=monthly,
                    currency="EUR",
                    occurred_at=paid,
                )
            )
            paid += timedelta(days=30)
    return members, revenue


def _member(audience: Audience, name: str, joined: datetime, rng: random.Random, now: datetime):
    stays = timedelta(days=rng.expovariate(1 / 700))
    left = joined + stays
    return AudienceMember(
        organisation_id=audience.organisation_id,
        audience=audience,
        member=name,
        joined_at=joined,
        left_at=left if left < now else None,
    )


@transaction.atomic
def seed_results(organisation: Organisation, *, today: date | None = None) -> dict[str, Any]:
    """Write a year of results for the organisation's active definitions, then roll them up."""
    zone = ZoneInfo(organisation.timezone or "UTC")
    today = today or timezone.now().astimezone(zone).date()
    start = today - timedelta(days=DAYS)
    definitions = list(
        MetricDefinition.objects.for_org(organisation)
        .filter(active=True)
        .select_related("organisation", "audience")
    )
    touchpoints: dict[int, list[Touchpoint]] = {}
    for touchpoint in Touchpoint.objects.for_org(organisation):
        touchpoints.setdefault(touchpoint.audience_id, []).append(touchpoint)
    seeded_external = set(
        Response.objects.for_org(organisation)
        .filter(external_id__startswith="demo-", external_id__endswith="-0")
        .values_list("external_id", flat=True)
    )
    responses: list[Response] = []
    cases: list[SupportCase] = []
    members: list[AudienceMember] = []
    revenue: list[RevenueEvent] = []
    audiences_done: set[tuple[int, str]] = set()
    for definition in definitions:
        audience = definition.audience
        source = kind_of(definition.kind).source
        if source == Source.SCORES:
            if f"demo-{audience.slug}-{definition.slug}-0" not in seeded_external:
                responses += _responses(definition, touchpoints.get(audience.pk, []), start, zone)
        elif source == Source.CASES and (audience.pk, "cases") not in audiences_done:
            audiences_done.add((audience.pk, "cases"))
            if not SupportCase.objects.for_org(organisation).filter(audience=audience).exists():
                ids = [None, *(t.pk for t in touchpoints.get(audience.pk, []))]
                if definition.touchpoint_id:
                    ids += [definition.touchpoint_id] * len(ids)
                cases += _cases(audience, ids, start, zone)
        elif source == Source.MEMBERS and (audience.pk, "members") not in audiences_done:
            audiences_done.add((audience.pk, "members"))
            if not AudienceMember.objects.for_org(organisation).filter(audience=audience).exists():
                new_members, new_revenue = _members_and_revenue(audience, start, zone)
                members += new_members
                revenue += new_revenue
    Response.objects.bulk_create(responses, batch_size=5000)
    SupportCase.objects.bulk_create(cases, batch_size=5000)
    AudienceMember.objects.bulk_create(members, batch_size=5000)
    RevenueEvent.objects.bulk_create(revenue, batch_size=5000)
    if responses or cases or members or revenue:
        # bulk_create skips every per-row hook: record the seeded batch in the audit trail.
        audit_record(
            organisation=organisation,
            action="seeded",
            object_type="demo results",
            object_repr=f"{len(responses)} responses, {len(cases)} cases, "
            f"{len(members)} members, {len(revenue)} revenue events",
            changes={
                "responses": len(responses),
                "cases": len(cases),
                "members": len(members),
                "revenue_events": len(revenue),
            },
        )
    # A year of history crosses thresholds in many months: record those alerts, but keep the
    # demo from printing dozens of e-mails to the console of `./ax up`, now or on a later run.
    rollups = rollup_full(organisation=organisation, notify=False)
    alerts_mark_notified(organisation_id=organisation.pk)
    return {
        "responses": len(responses),
        "cases": len(cases),
        "members": len(members),
        "revenue_events": len(revenue),
        "rollups": rollups,
    }


def seed_demo_results(demo: dict[str, Any]) -> None:
    """The seed_demo step: results for every demo organisation."""
    for organisation in demo["organisations"].values():
        seed_results(organisation)
