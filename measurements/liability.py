"""Operational liability: the four-step exercise's missing pieces, computed in one place.

An audience is a liability when any check fails:
- owner named;
- measurement plan recorded: a process in words (not just blanks) AND at least one method;
- the plan's review not overdue, when it has a review cadence (`measurements.reviews`);
- journey mapped: at least one stage with a touchpoint;
- at least one active metric definition;
- data flowing in the last 90 days for one of its definitions: a survey response to any of
  them; a support case opened or resolved, when it has a time-to-resolution definition;
  a revenue event, when it has a CLV definition; a membership joined, left or re-sent, when it
  has a retention, churn or CLV definition. Data nobody defined a metric for does not count:
  it is not measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience
from journeys.models import Touchpoint
from measurements.kinds import CASE_KINDS, KINDS, MEMBER_KINDS
from measurements.models import (
    AudienceMember,
    MeasurementPlan,
    MetricDefinition,
    Response,
    RevenueEvent,
    SupportCase,
)
from measurements.reviews import plans_overdue

DATA_FLOWING_DAYS = 90
REVENUE_KINDS = tuple(kind for kind, spec in KINDS.items() if spec.uses_revenue)

# (check key, what the registry shows when it fails, what to do next)
# The texts are lazy: every page that shows a check gets it in the reader's language.
CHECKS: list[tuple[str, Promise, Promise]] = [
    ("owner_named", _("No owner"), _("Name the person who owns this audience's experience.")),
    (
        "plan_recorded",
        _("No measurement plan"),
        _("Describe the process and at least one method."),
    ),
    (
        "plan_reviewed",
        _("Plan review overdue"),
        _("Review the measurement plan and mark it reviewed."),
    ),
    ("journey_mapped", _("No journey map"), _("Map at least one stage with a touchpoint.")),
    ("metric_defined", _("No active metric"), _("Define at least one active metric.")),
    (
        "data_flowing",
        _("No data in 90 days"),
        _("Push results for one of its metrics (API or CSV)."),
    ),
]

# What a passing check reads as, for checklists that show every check.
CHECK_DONE_LABELS: dict[str, Promise] = {
    "owner_named": _("Owner named"),
    "plan_recorded": _("Measurement plan recorded"),
    # True with no plan or no cadence too, so it says what passed, not that a review happened.
    "plan_reviewed": _("No plan review overdue"),
    "journey_mapped": _("Journey mapped"),
    "metric_defined": _("Active metric defined"),
    "data_flowing": _("Data received in the last 90 days"),
}


@dataclass(frozen=True)
class Liability:
    """Which of the checks an audience passes; it is a liability when any fails."""

    passed: dict[str, bool] = field(default_factory=dict)

    @property
    def failures(self) -> list[tuple[str, Promise, Promise]]:
        return [check for check in CHECKS if not self.passed.get(check[0], False)]

    @property
    def is_liability(self) -> bool:
        return bool(self.failures)

    @property
    def score(self) -> int:
        return sum(1 for key, _, _ in CHECKS if self.passed.get(key))

    @property
    def check_count(self) -> int:
        return len(CHECKS)

    @property
    def checklist(self) -> list[tuple[str, Promise, Promise, Promise, bool]]:
        """Every check as (key, label when done, label when missing, what to do, passed)."""
        return [
            (key, CHECK_DONE_LABELS[key], label, todo, bool(self.passed.get(key)))
            for key, label, todo in CHECKS
        ]


def _has_definition(*kinds: str) -> Exists:
    return Exists(MetricDefinition.objects.filter(audience=OuterRef("pk"), kind__in=kinds))


def audiences_with_liability_flags(
    queryset: QuerySet[Audience], *, today: date | None = None
) -> QuerySet[Audience]:
    """Annotate an audience queryset with one boolean per check, in a single query.

    A plan's review is overdue by `today`, by default the day in the current time zone: the
    organisation's on its pages (`audiences.middleware` activates it), UTC in the API."""
    since = timezone.now() - timedelta(days=DATA_FLOWING_DAYS)
    zone = timezone.get_current_timezone()
    overdue_plans = plans_overdue(
        MeasurementPlan.objects.filter(audience=OuterRef("pk")),
        today=today or timezone.localdate(timezone=zone),
        zone=zone,
    )
    # Subqueries of the audience query: it is the one that runs, and it is narrowed to an
    # organisation (OrgQuerySet refuses to run it otherwise), so these need no for_org().
    plans = MeasurementPlan.objects.filter(audience=OuterRef("pk"), process__regex=r"\S").exclude(
        methods=[]
    )
    touchpoints = Touchpoint.objects.filter(audience=OuterRef("pk"), stage__audience=OuterRef("pk"))
    active_definitions = MetricDefinition.objects.filter(audience=OuterRef("pk"), active=True)
    # `local_date` is the response's day in its organisation's zone (UTC offsets lie within
    # ±14 h), so a response since `since` is dated on or after the UTC day before it: a bound
    # the (definition, local_date) index answers at once, where `responded_at` alone has no
    # index and a dormant audience read every response it ever had (7 s at 10M). The
    # organisation filter keeps the read on one shard of a distributed table.
    recent_responses = Response.objects.filter(
        organisation=OuterRef("organisation"),
        definition__audience=OuterRef("pk"),
        local_date__gte=(since - timedelta(days=1)).date(),
        responded_at__gte=since,
    )
    recent_cases = SupportCase.objects.filter(audience=OuterRef("pk")).filter(
        Q(opened_at__gte=since) | Q(resolved_at__gte=since)
    )
    recent_revenue = RevenueEvent.objects.filter(audience=OuterRef("pk"), occurred_at__gte=since)
    recent_members = AudienceMember.objects.filter(audience=OuterRef("pk")).filter(
        Q(joined_at__gte=since) | Q(left_at__gte=since) | Q(updated_at__gte=since)
    )
    return queryset.annotate(
        plan_recorded=Exists(plans),
        plan_reviewed=~Exists(overdue_plans),
        journey_mapped=Exists(touchpoints),
        metric_defined=Exists(active_definitions),
        data_flowing=Exists(recent_responses)
        | (_has_definition(*CASE_KINDS) & Exists(recent_cases))
        | (_has_definition(*REVENUE_KINDS) & Exists(recent_revenue))
        | (_has_definition(*MEMBER_KINDS) & Exists(recent_members)),
    )


def audiences_by_liability(
    queryset: QuerySet[Audience], *, liable: bool = True
) -> QuerySet[Audience]:
    """Only the audiences that are (or, with liable=False, are not) a liability, annotated.

    The one SQL form of the rule: the registry filter (`measurements.filters`) calls it. A
    queryset already annotated (the registry list's) keeps its flags.
    """
    failing = (
        Q(owner__isnull=True)
        | Q(plan_recorded=False)
        | Q(plan_reviewed=False)
        | Q(journey_mapped=False)
        | Q(metric_defined=False)
        | Q(data_flowing=False)
    )
    annotated = (
        queryset
        if "plan_recorded" in queryset.query.annotations
        else audiences_with_liability_flags(queryset)
    )
    return annotated.filter(failing) if liable else annotated.exclude(failing)


def liability_of(audience: Audience) -> Liability:
    """The liability of one audience annotated by `audiences_with_liability_flags`."""
    return Liability(
        passed={
            "owner_named": audience.owner_id is not None,
            "plan_recorded": bool(audience.plan_recorded),
            "plan_reviewed": bool(audience.plan_reviewed),
            "journey_mapped": bool(audience.journey_mapped),
            "metric_defined": bool(audience.metric_defined),
            "data_flowing": bool(audience.data_flowing),
        }
    )


def liabilities_for(audiences: Iterable[Audience]) -> dict[int, Liability]:
    """Liability per audience id for already-fetched audiences (one extra query per
    organisation: callers pass one organisation's audiences)."""
    ids_by_org: dict[int, list[int]] = {}
    for audience in audiences:
        ids_by_org.setdefault(audience.organisation_id, []).append(audience.pk)
    liabilities = {}
    for org_id, ids in ids_by_org.items():
        queryset = Audience.objects.for_org(org_id).filter(pk__in=ids)
        liabilities.update(
            {a.pk: liability_of(a) for a in audiences_with_liability_flags(queryset)}
        )
    return liabilities
