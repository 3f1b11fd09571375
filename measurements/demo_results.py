"""A year of demo results for the demo organisations' active metric definitions.

The year is the twelve complete months before the current one plus the current month up to
now (`timezone.now()`), so the demo never goes stale. Each definition follows a profile (below):
a level that drifts a little over the year, a seasonal volume (a school district is quiet in
July) and, for a few definitions, one planned crossing of its alert threshold. Riverside is a
district of 14,000 students: about 1,000 teachers, a few hundred parent NPS answers a month,
recurring foundation donors paying in USD.

Deterministic: random.Random seeded per organisation, audience and definition, and each
month's scores are apportioned from the month's planned value (largest remainder), then laid
out in time so that every prefix of the month has about the month's mix (better answers a
little earlier): a half-finished month reads like the whole one, and no month crosses its
threshold by sampling luck. Planned values of the other months are kept a margin inside the
threshold, so the alerts are the ones planned, on any day the demo is seeded.

Idempotent: every row carries an external id (members: a name) with the year's first month
in it (`demo-202512-…`). A definition or audience whose rows of this year are there is
skipped (their comments are put into the language of the run); the demo's rows of another year
(or of the older generator) are deleted first and written again, so `./ax up` a month later
moves the year on. Rows are written with
bulk_create, then one full rollup computes every period.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from audiences.demo import in_every_language
from audiences.models import Organisation
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
from measurements.scales import scale_of, top_box

MONTHS = 12  # complete months before the current one
# The free-text comments of the demo's answers, written in the language of the seeding.
COMMENTS = {
    "high": [
        pgettext_lazy("demo", "Quick and friendly, thank you."),
        pgettext_lazy("demo", "Everything was clear from the start."),
        pgettext_lazy("demo", "The team went out of their way to help."),
        pgettext_lazy("demo", "Easy to find what I needed."),
    ],
    "low": [
        pgettext_lazy("demo", "I had to ask three times before anyone answered."),
        pgettext_lazy("demo", "The information on the website was out of date."),
        pgettext_lazy("demo", "Nobody told me what would happen next."),
        pgettext_lazy("demo", "Long wait and no update."),
    ],
}

# Calendar-month volume factors of a school year (July: summer school only).
SCHOOL_YEAR = {1: 1.0, 2: 1.0, 3: 1.0, 4: 0.95, 5: 1.0, 6: 0.8, 7: 0.2, 8: 0.6, 9: 1.2,
               10: 1.0, 11: 0.95, 12: 0.75}  # fmt: skip
LATEST = "latest"  # a dip in the latest complete month, whichever month that is


@dataclass(frozen=True)
class Scores:
    """A scored definition: its typical value, responses in a typical month, how it moves."""

    level: float  # NPS points, CSAT %, or the CES mean
    volume: int
    season: Mapping[int, float] = field(default_factory=lambda: SCHOOL_YEAR)
    drift: float = 0.0  # change from the first month to the last
    wobble: float = 2.0  # sd of the month-to-month noise, in the value's units
    dips: Mapping[int | str, float] = field(default_factory=dict)  # {month or LATEST: value}
    # The planned crossings: {month or LATEST: how far below the definition's threshold}.
    crossings: Mapping[int | str, float] = field(default_factory=dict)
    respondents: int = 5000  # size of the pool the respondent ids come from


@dataclass(frozen=True)
class Cases:
    """Support cases: median hours to resolve, cases opened in a typical month."""

    median_hours: float
    volume: int
    season: Mapping[int, float] = field(default_factory=lambda: SCHOOL_YEAR)
    dips: Mapping[int | str, float] = field(default_factory=dict)  # median hours that month


@dataclass(frozen=True)
class Members:
    """A stable cohort: members present at the year's start, monthly leave and join rates
    (shares of that start), and a monthly amount each pays if the audience has revenue."""

    start: int
    leave: Mapping[int, float]
    join: Mapping[int, float]
    name: str = "member"
    amounts: tuple[int, ...] = ()
    currency: str = ""


TEACHERS = Members(
    start=1010,
    # Resignations and retirements take effect at the end of the school year: the summer dip.
    leave={1: 0.009, 2: 0.008, 3: 0.008, 4: 0.009, 5: 0.011, 6: 0.055, 7: 0.014, 8: 0.018,
           9: 0.009, 10: 0.008, 11: 0.008, 12: 0.011},
    join={1: 0.01, 2: 0.006, 3: 0.006, 4: 0.005, 5: 0.004, 6: 0.004, 7: 0.02, 8: 0.07,
          9: 0.01, 10: 0.006, 11: 0.005, 12: 0.004},
    name="teacher",
)  # fmt: skip
DONORS = Members(
    start=640,
    leave={m: 0.014 for m in range(1, 13)} | {1: 0.018, 7: 0.017},
    # Giving Tuesday and the year-end appeal, the spring gala, back to school.
    join={m: 0.01 for m in range(1, 13)} | {11: 0.03, 12: 0.075, 4: 0.035, 9: 0.025},
    name="donor",
    amounts=(10, 20, 25, 25, 35, 50, 50, 100),
    currency="USD",
)
CUSTOMERS = Members(
    start=300,
    leave={m: 0.02 for m in range(1, 13)},
    join={m: 0.03 for m in range(1, 13)},
    name="customer",
    amounts=(390, 790, 790, 1490),
    currency="EUR",
)
EVEN = {m: 1.0 for m in range(1, 13)}

# (organisation slug, audience slug, definition slug) -> profile.
PROFILES: dict[tuple[str, str, str], Scores | Cases | Members] = {
    ("riverside", "students", "csat"): Scores(76, 650, drift=3, wobble=1.5, respondents=9000),
    # September: three back-to-school e-mails with conflicting dates and late buses.
    ("riverside", "parents", "nps"): Scores(
        30, 320, season=SCHOOL_YEAR | {7: 0.4, 9: 1.3}, drift=4, wobble=3, crossings={9: 6},
        respondents=9000,
    ),
    ("riverside", "parents", "csat"): Scores(
        84, 260, season=SCHOOL_YEAR | {9: 1.4}, wobble=1.5, dips={9: 74}, respondents=9000
    ),
    # A third of the teachers asked each month, so each teacher once a quarter.
    ("riverside", "teachers", "nps"): Scores(8, 230, drift=5, wobble=3, respondents=1000),
    ("riverside", "teachers", "retention"): TEACHERS,
    # A case manager left: the latest month's cases wait a week.
    ("riverside", "special-education-families", "ttr"): Cases(
        40, 140, dips={LATEST: 175}
    ),
    ("riverside", "special-education-families", "csat"): Scores(
        77, 60, wobble=2, dips={LATEST: 72}, respondents=1800
    ),
    ("riverside", "teacher-candidates", "nps"): Scores(
        28, 40, season={m: 2.5 if 2 <= m <= 7 else 1.0 for m in range(1, 13)}, wobble=4,
        respondents=900,
    ),
    ("riverside", "prospective-families", "ces"): Scores(
        5.3, 80, season={m: 2.6 if m <= 8 else 1.0 for m in range(1, 13)} | {3: 3.5},
        drift=0.3, wobble=0.08, respondents=2500,
    ),
    ("riverside", "donors", "retention"): DONORS,
    ("riverside", "donors", "clv"): DONORS,
    ("northwind", "customers", "nps"): Scores(36, 90, season=EVEN, wobble=3, respondents=300),
    ("northwind", "customers", "csat"): Scores(84, 140, season=EVEN, wobble=1.5),
    ("northwind", "customers", "ttr"): Cases(7, 180, season=EVEN),
    ("northwind", "customers", "churn"): CUSTOMERS,
    ("northwind", "customers", "clv"): CUSTOMERS,
    ("northwind", "employees", "nps"): Scores(22, 55, season=EVEN, wobble=4, respondents=80),
    ("northwind", "prospects", "ces"): Scores(5.2, 45, season=EVEN, wobble=0.1),
}  # fmt: skip

# A definition without a profile (one a user added) gets its kind's.
DEFAULT_PROFILES: dict[str, Scores | Cases | Members] = {
    MetricKind.NPS: Scores(25, 150, season=EVEN, wobble=4),
    MetricKind.CSAT: Scores(80, 150, season=EVEN),
    MetricKind.CES: Scores(5.2, 100, season=EVEN, wobble=0.1),
    MetricKind.TTR: Cases(24, 100, season=EVEN),
    MetricKind.RETENTION: CUSTOMERS,
}
# How far inside its threshold an unplanned month's value is kept, in the kind's units.
MARGIN = {MetricKind.NPS: 8.0, MetricKind.CSAT: 4.0, MetricKind.CES: 0.3}


@dataclass(frozen=True)
class Year:
    """The demo's months: `months[0]` the first complete month, `months[-1]` the current one."""

    zone: ZoneInfo
    now: datetime
    months: list[date]

    @property
    def tag(self) -> str:
        return f"{self.months[0]:%Y%m}"

    @property
    def latest(self) -> date:
        return self.months[-2]

    def bounds(self, month: date) -> tuple[datetime, datetime]:
        """[start, end) of a local month as UTC instants, the end capped at now."""
        nxt = _next_month(month)
        start = datetime.combine(month, time(), tzinfo=self.zone).astimezone(UTC)
        end = datetime.combine(nxt, time(), tzinfo=self.zone).astimezone(UTC)
        return start, min(end, self.now)

    def month_end(self, month: date) -> datetime:
        nxt = _next_month(month)
        return datetime.combine(nxt, time(), tzinfo=self.zone).astimezone(UTC)

    def planned(self, dips: Mapping[int | str, float], month: date) -> float | None:
        """The planned value of `month`: dips apply to complete months only (the latest one,
        or the most recent complete month of that calendar month)."""
        if month == self.months[-1]:
            return None
        if month == self.latest and LATEST in dips:
            return dips[LATEST]
        recent = {m.month: m for m in self.months[:-1]}  # later months overwrite earlier
        if recent.get(month.month) == month and month.month in dips:
            return dips[month.month]
        return None


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def demo_year(organisation: Organisation, *, today: date | None = None) -> Year:
    """The year the demo covers for `organisation`, ending now (or at the end of `today`)."""
    zone = ZoneInfo(organisation.timezone or "UTC")
    now = timezone.now()
    if today is not None:
        end_of_day = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone)
        now = min(now, end_of_day.astimezone(UTC))
    current = now.astimezone(zone).date().replace(day=1)
    months = [current]
    for _ in range(MONTHS):
        previous = months[0] - timedelta(days=1)
        months.insert(0, previous.replace(day=1))
    return Year(zone=zone, now=now, months=months)


def _profile(definition: MetricDefinition) -> Scores | Cases | Members:
    key = (definition.organisation.slug, definition.audience.slug, definition.slug)
    return PROFILES.get(key) or DEFAULT_PROFILES.get(definition.kind) or CUSTOMERS


def _apportion(probabilities: list[float], n: int) -> list[int]:
    """Counts summing to n in the given proportions (largest remainder)."""
    raw = [p * n for p in probabilities]
    counts = [math.floor(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _distribution(kind: str, scale: tuple[int, int], value: float) -> dict[int, float]:
    """Probabilities of each score whose NPS, CSAT or CES mean is `value`."""
    lo, hi = scale
    if kind == MetricKind.NPS:
        passives = 0.32
        promoters = min(1 - passives, max(0.0, (1 - passives + value / 100) / 2))
        detractors = max(0.0, 1 - passives - promoters)
        low = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 5, 6: 8}
        spread = sum(low.values())
        return {
            **{s: detractors * w / spread for s, w in low.items()},
            7: passives * 0.4,
            8: passives * 0.6,
            9: promoters * 0.45,
            10: promoters * 0.55,
        }
    if kind == MetricKind.CSAT:
        top_lo, _ = top_box(kind=kind, scale=scale)
        satisfied = min(1.0, max(0.0, value / 100))
        tops = list(range(top_lo, hi + 1))
        rest = list(range(lo, top_lo))
        weights = {s: 1 + i for i, s in enumerate(rest)}  # more 3s than 1s
        spread = sum(weights.values()) or 1
        top_weights = {s: 0.45 + 0.1 * i for i, s in enumerate(tops)}
        top_spread = sum(top_weights.values())
        return {
            **{s: (1 - satisfied) * w / spread for s, w in weights.items()},
            **{s: satisfied * w / top_spread for s, w in top_weights.items()},
        }
    # CES: a bell on the scale, its centre moved until the mean is the value.
    width = (hi - lo) / 4
    centre = value
    for _ in range(30):
        weights = {s: math.exp(-(((s - centre) / width) ** 2) / 2) for s in range(lo, hi + 1)}
        total = sum(weights.values())
        mean = sum(s * w for s, w in weights.items()) / total
        centre += value - mean
    return {s: w / total for s, w in weights.items()}


def _month_scores(kind: str, scale: tuple[int, int], value: float, n: int) -> list[int]:
    """n scores with the value's mix, in an order whose every prefix has about that mix:
    score s's k-th answer is due at (k + phase) / count, the best scores earliest."""
    distribution = _distribution(kind, scale, value)
    scores = sorted(distribution, reverse=True)
    counts = _apportion([distribution[s] for s in scores], n)
    due = []
    for rank, (score, count) in enumerate(zip(scores, counts, strict=True)):
        phase = 0.05 + 0.9 * rank / max(1, len(scores) - 1)
        due += [((k + phase) / count, score) for k in range(count)]
    return [score for _, score in sorted(due)]


def _instants(year: Year, month: date, n: int, rng: random.Random) -> list[datetime]:
    """n sorted instants in the month, in local day time (7:00–21:59), none after now; fewer
    at weekends. Drawn for the whole month, so the current month keeps only those before now."""
    days = []
    day = month
    while day.month == month.month:
        days.append(day)
        day += timedelta(days=1)
    weights = [0.35 if d.weekday() >= 5 else 1.0 for d in days]
    picked = rng.choices(days, weights=weights, k=n)
    instants = sorted(
        datetime.combine(d, time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=year.zone)
        .astimezone(UTC)
        .replace(second=rng.randint(0, 59))
        for d in picked
    )
    return instants


def _volume(profile: Scores | Cases, month: date, rng: random.Random) -> int:
    return max(0, round(profile.volume * profile.season.get(month.month, 1.0) * rng.gauss(1, 0.06)))


def _responses(
    definition: MetricDefinition, touchpoints: list[Touchpoint], year: Year
) -> list[Response]:
    profile = _profile(definition)
    assert isinstance(profile, Scores)
    rng = random.Random(
        f"{definition.organisation.slug}:{definition.audience.slug}:{definition.slug}"
    )
    kind = definition.kind
    scale = scale_of(kind=kind, scale_min=definition.scale_min, scale_max=definition.scale_max)
    low_value, high_value = {
        MetricKind.NPS: (-100.0, 100.0),
        MetricKind.CSAT: (0.0, 100.0),
    }.get(kind, (float(scale[0]), float(scale[1])))
    threshold = definition.alert_threshold
    top = scale[1] - (scale[1] - scale[0]) // 3
    prefix = f"demo-{year.tag}-{definition.audience.slug}-{definition.slug}-"
    rows: list[Response] = []
    last = len(year.months) - 1
    for index, month in enumerate(year.months):
        value = profile.level + profile.drift * (index / last - 0.5) + rng.gauss(0, profile.wobble)
        planned = year.planned(profile.dips, month)
        crossing = year.planned(profile.crossings, month)
        if crossing is not None and threshold is not None:
            value = threshold - crossing
        elif planned is not None:
            value = planned
        elif threshold is not None:
            value = max(value, threshold + MARGIN.get(kind, 0.0))  # only the planned cross
        value = min(high_value, max(low_value, value))
        n = _volume(profile, month, rng)
        scores = _month_scores(kind, scale, value, n)
        for score, responded_at in zip(scores, _instants(year, month, n, rng), strict=True):
            if responded_at > year.now:
                break
            comment = ""
            if rng.random() < 0.08:
                comment = str(rng.choice(COMMENTS["high" if score >= top else "low"]))
            if definition.touchpoint_id:
                touchpoint = definition.touchpoint
            elif touchpoints and rng.random() < 0.8:
                touchpoint = rng.choice(touchpoints)
            else:
                touchpoint = None
            rows.append(
                Response(
                    organisation_id=definition.organisation_id,
                    audience_id=definition.audience_id,
                    definition=definition,
                    external_id=f"{prefix}{len(rows)}",
                    score=score,
                    responded_at=responded_at,
                    local_date=responded_at.astimezone(year.zone).date(),
                    touchpoint=touchpoint,
                    respondent=f"r{rng.randint(1, profile.respondents)}",
                    comment=comment,
                )
            )
    return rows


def _cases(
    definition: MetricDefinition, touchpoint_ids: list[int | None], year: Year
) -> list[SupportCase]:
    """Cases whose resolution median follows the profile, by the month they are resolved in
    (the TTR's period): a planned slow month's cases resolve inside it, not after it."""
    profile = _profile(definition)
    assert isinstance(profile, Cases)
    audience = definition.audience
    rng = random.Random(f"{audience.organisation.slug}:{audience.slug}:cases")
    slow_month = next((m for m in year.months if year.planned(profile.dips, m)), None)
    rows: list[SupportCase] = []
    for month in year.months:
        opened_all = _instants(year, month, _volume(profile, month, rng), rng)
        for opened in opened_all:
            if opened > year.now:
                break
            hours = rng.lognormvariate(math.log(profile.median_hours), 0.8)
            resolved = opened + timedelta(hours=hours)
            if slow_month is not None:
                slow_start, _ = year.bounds(slow_month)
                slow_end = year.month_end(slow_month)
                slow = year.planned(profile.dips, slow_month) or profile.median_hours
                if slow_start - timedelta(days=10) <= opened < slow_end:
                    waited = opened + timedelta(hours=rng.lognormvariate(math.log(slow), 0.5))
                    if waited < slow_end:
                        resolved = waited
                    elif resolved < slow_end:
                        # Not resolved before the month's end: picked up by the new manager.
                        resolved = slow_end + timedelta(hours=rng.uniform(1, 30))
            unresolved = resolved > year.now or rng.random() < 0.01
            rows.append(
                SupportCase(
                    organisation_id=audience.organisation_id,
                    audience=audience,
                    external_id=f"demo-case-{year.tag}-{audience.slug}-{len(rows)}",
                    opened_at=opened,
                    resolved_at=None if unresolved else resolved,
                    touchpoint_id=rng.choice(touchpoint_ids),
                    channel=rng.choice(("email", "phone", "phone", "live_chat")),
                )
            )
    return rows


def _members_and_revenue(
    definition: MetricDefinition, year: Year
) -> tuple[list[AudienceMember], list[RevenueEvent]]:
    """A cohort present at the year's first instant (the records' start), leaving and joining
    at the profile's monthly rates; a few newcomers leave in their first month."""
    profile = _profile(definition)
    assert isinstance(profile, Members)
    audience = definition.audience
    rng = random.Random(f"{audience.organisation.slug}:{audience.slug}:members")
    first, _ = year.bounds(year.months[0])
    prefix = f"demo-{year.tag}-{profile.name}-"
    joined: dict[str, datetime] = {}
    left: dict[str, datetime] = {}
    present: list[str] = []

    def join(at: datetime) -> str:
        name = f"{prefix}{len(joined):05d}"
        joined[name] = at
        present.append(name)
        return name

    for _ in range(profile.start):
        join(first)
    for month in year.months:
        start, end = year.bounds(month)
        share = (end - start) / (year.month_end(month) - start)  # of the current month: so far
        jitter = rng.uniform(0.85, 1.15)
        leaves = round(len(present) * profile.leave.get(month.month, 0.0) * jitter * share)
        for name in rng.sample(present, min(leaves, len(present))):
            present.remove(name)
            left[name] = start + (end - start) * rng.uniform(0.02, 1.0)
        joins = round(profile.start * profile.join.get(month.month, 0.0) * jitter * share)
        for _ in range(joins):
            at = start + (end - start) * rng.uniform(0.0, 0.9)
            name = join(at)
            if rng.random() < 0.02:  # joined and left: a first-month drop-off
                present.remove(name)
                left[name] = at + (end - at) * rng.uniform(0.2, 1.0)
    members = [
        AudienceMember(
            organisation_id=audience.organisation_id,
            audience=audience,
            member=name,
            joined_at=at,
            left_at=left.get(name),
        )
        for name, at in joined.items()
    ]
    revenue: list[RevenueEvent] = []
    if profile.amounts:
        for name, at in joined.items():
            amount = Decimal(rng.choice(profile.amounts))
            day, hour = rng.randint(1, 28), rng.randint(8, 20)  # the gift's day each month
            until = min(left.get(name, year.now), year.now)
            for month in year.months:
                paid = datetime.combine(month.replace(day=day), time(hour), tzinfo=year.zone)
                paid = paid.astimezone(UTC)
                if at <= paid < until:
                    revenue.append(
                        RevenueEvent(
                            organisation_id=audience.organisation_id,
                            audience=audience,
                            external_id=f"demo-rev-{year.tag}-{audience.slug}-{len(revenue)}",
                            member=name,
                            amount=amount,
                            currency=profile.currency,
                            occurred_at=paid,
                        )
                    )
    return members, revenue


def _stale_demo_rows(organisation: Organisation, year: Year) -> dict[str, Any]:
    """The demo's own rows of another year (or of the generator before the year tags):
    external ids `demo-…` / member names `demo-…` without this year's tag, and the older
    generator's members (m0, m1, … written without a key or batch)."""
    tag = year.tag
    member_stale = Q(member__startswith="demo-") & ~Q(member__startswith=f"demo-{tag}-")
    legacy = Q(member__regex=r"^m[0-9]+$", api_key__isnull=True, batch_id__isnull=True)
    return {
        "responses": Response.objects.for_org(organisation)
        .filter(external_id__startswith="demo-")
        .exclude(external_id__startswith=f"demo-{tag}-"),
        "cases": SupportCase.objects.for_org(organisation)
        .filter(external_id__startswith="demo-case-")
        .exclude(external_id__startswith=f"demo-case-{tag}-"),
        "revenue_events": RevenueEvent.objects.for_org(organisation)
        .filter(external_id__startswith="demo-rev-")
        .exclude(external_id__startswith=f"demo-rev-{tag}-"),
        "members": AudienceMember.objects.for_org(organisation).filter(member_stale | legacy),
    }


@transaction.atomic
def demo_results_clear_stale(
    organisation: Organisation, *, today: date | None = None
) -> dict[str, int]:
    """Delete the demo's rows of another year, so the year follows the calendar (and a CLV's
    currency can change with them); the next `seed_results` writes this year's."""
    year = demo_year(organisation, today=today)
    removed = {}
    for name, rows in _stale_demo_rows(organisation, year).items():
        removed[name], _ = rows.delete()
    return removed


def _relabel_comments(organisation: Organisation) -> None:
    """The comments of this year's demo answers already there (a run in another language wrote
    them), in this run's language: the answers themselves are kept, as on any re-run."""
    demo_rows = Response.objects.for_org(organisation).filter(external_id__startswith="demo-")
    for comment in (*COMMENTS["high"], *COMMENTS["low"]):
        demo_rows.filter(comment__in=in_every_language(comment) - {str(comment)}).update(
            comment=str(comment)
        )


@transaction.atomic
def seed_results(organisation: Organisation, *, today: date | None = None) -> dict[str, Any]:
    """Write the year's results for the organisation's active definitions, then roll them up."""
    removed = demo_results_clear_stale(organisation, today=today)
    year = demo_year(organisation, today=today)
    definitions = list(
        MetricDefinition.objects.for_org(organisation)
        .filter(active=True)
        .select_related("organisation", "audience", "touchpoint")
        .order_by("audience__slug", "slug")
    )
    touchpoints: dict[int, list[Touchpoint]] = {}
    for touchpoint in Touchpoint.objects.for_org(organisation).order_by("pk"):
        touchpoints.setdefault(touchpoint.audience_id, []).append(touchpoint)
    seeded_external = set(
        Response.objects.for_org(organisation)
        .filter(external_id__startswith=f"demo-{year.tag}-", external_id__endswith="-0")
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
            if f"demo-{year.tag}-{audience.slug}-{definition.slug}-0" not in seeded_external:
                responses += _responses(definition, touchpoints.get(audience.pk, []), year)
        elif source == Source.CASES and (audience.pk, "cases") not in audiences_done:
            audiences_done.add((audience.pk, "cases"))
            if not SupportCase.objects.for_org(organisation).filter(audience=audience).exists():
                ids = [None, *(t.pk for t in touchpoints.get(audience.pk, []))]
                if definition.touchpoint_id:
                    ids += [definition.touchpoint_id] * len(ids)
                cases += _cases(definition, ids, year)
        elif source == Source.MEMBERS and (audience.pk, "members") not in audiences_done:
            audiences_done.add((audience.pk, "members"))
            if not AudienceMember.objects.for_org(organisation).filter(audience=audience).exists():
                new_members, new_revenue = _members_and_revenue(definition, year)
                members += new_members
                revenue += new_revenue
    _relabel_comments(organisation)
    Response.objects.bulk_create(responses, batch_size=5000)
    SupportCase.objects.bulk_create(cases, batch_size=5000)
    AudienceMember.objects.bulk_create(members, batch_size=5000)
    RevenueEvent.objects.bulk_create(revenue, batch_size=5000)
    written = {
        "responses": len(responses),
        "cases": len(cases),
        "members": len(members),
        "revenue_events": len(revenue),
    }
    if any(written.values()) or any(removed.values()):
        # bulk_create and delete skip every per-row hook: record the batch in the audit trail.
        audit_record(
            organisation=organisation,
            action="seeded",
            object_type="demo results",
            object_repr=f"{len(responses)} responses, {len(cases)} cases, "
            f"{len(members)} members, {len(revenue)} revenue events "
            f"({year.months[0]:%b %Y} to {year.months[-1]:%b %Y})",
            changes={**written, "removed": removed},
        )
    # The year's planned crossings are recorded as alerts, but the demo must not print
    # e-mails to the console of `./ax up`, now or on a later run.
    rollups = rollup_full(organisation=organisation, notify=False)
    alerts_mark_notified(organisation_id=organisation.pk)
    return {**written, "removed": removed, "rollups": rollups}


def seed_demo_results(demo: dict[str, Any]) -> None:
    """The seed_demo step: results for every demo organisation."""
    for organisation in demo["organisations"].values():
        seed_results(organisation)
