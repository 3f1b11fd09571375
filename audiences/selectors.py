"""Reads for the registry pages: each returns a queryset or a small value, never writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy

from audiences.models import TOP_TEN, Audience, AuditEntry, Membership, Organisation, Person
from measurements.liability import audiences_with_liability_flags, liability_of
from measurements.models import Alert


def ranked_first(prefix: str = "") -> tuple[OrderBy, str]:
    """order_by() arguments: the top ten in rank order, then the unranked by name.

    Spelled out because databases disagree on where NULL goes (first on SQLite, last on
    PostgreSQL); `prefix` is the path to the audience, e.g. "audience__".
    """
    return F(f"{prefix}rank").asc(nulls_last=True), f"{prefix}name"


def audience_list(*, organisation: Organisation) -> QuerySet[Audience]:
    """Every audience of the organisation with its owner and liability flags, in one query."""
    return audiences_with_liability_flags(
        Audience.objects.for_org(organisation).select_related("owner")
    ).order_by(*ranked_first())


def top_ten(*, organisation: Organisation) -> list[Audience]:
    """The ranked audiences in order, each with `.liability` set."""
    audiences = list(audience_list(organisation=organisation).filter(rank__isnull=False))
    for audience in audiences:
        audience.liability = liability_of(audience)
    return audiences


def unranked_audiences(*, organisation: Organisation) -> QuerySet[Audience]:
    return (
        Audience.objects.for_org(organisation)
        .filter(rank__isnull=True, archived=False)
        .select_related("owner")
        .order_by("name")
    )


@dataclass(frozen=True)
class ChecklistStep:
    number: int
    title: str
    done_count: int
    detail: str

    @property
    def done(self) -> bool:
        return self.done_count >= TOP_TEN


@dataclass(frozen=True)
class RegistryProgress:
    """How far the organisation is along the brief's four-step exercise, each step out of ten."""

    steps: list[ChecklistStep]
    top_ten: list[Audience]
    liability_count: int

    @property
    def total(self) -> int:
        return sum(min(step.done_count, TOP_TEN) for step in self.steps)

    @property
    def maximum(self) -> int:
        return TOP_TEN * len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.total / self.maximum)


def registry_progress(*, organisation: Organisation) -> RegistryProgress:
    listed = Audience.objects.for_org(organisation).filter(archived=False).count()
    ranked = top_ten(organisation=organisation)
    owned = sum(1 for a in ranked if a.liability.passed["owner_named"])
    measured = sum(1 for a in ranked if a.liability.passed["plan_recorded"])
    steps = [
        ChecklistStep(1, "List the ten audiences you interact with most", min(listed, TOP_TEN),
                      f"{listed} audiences listed"),
        ChecklistStep(2, "Rank them from most to least essential", len(ranked),
                      f"{len(ranked)} of 10 top-ten places filled"),
        ChecklistStep(3, "Name the person who owns each one's experience", owned,
                      f"{owned} of 10 ranked audiences have an owner"),
        ChecklistStep(4, "Each owner describes their process and measurement", measured,
                      f"{measured} of 10 ranked audiences have a measurement plan"),
    ]  # fmt: skip
    liability_count = sum(1 for a in ranked if a.liability.is_liability)
    return RegistryProgress(steps=steps, top_ten=ranked, liability_count=liability_count)


@dataclass(frozen=True)
class OwnerHome:
    """What an owner's home shows: the audiences they own and the open alerts on them."""

    audiences: list[Audience]
    alerts: list[Alert]

    @property
    def gap_count(self) -> int:
        return sum(len(a.liability.failures) for a in self.audiences)


def owner_home(*, organisation: Organisation, user: Any, alert_limit: int = 20) -> OwnerHome:
    """The audiences whose owner is linked to `user`, each with `.liability`, in rank order,
    and their unresolved alerts, newest period first. Two queries."""
    audiences = list(
        audience_list(organisation=organisation).filter(owner__user=user, archived=False)
    )
    for audience in audiences:
        audience.liability = liability_of(audience)
    alerts = list(
        Alert.objects.for_org(organisation)
        .filter(audience__in=audiences, resolved_at=None)
        .select_related("audience", "definition")
        .order_by("-period_start", "-created_at")[:alert_limit]
    )
    return OwnerHome(audiences=audiences, alerts=alerts)


def audience_history(*, audience: Audience, limit: int = 15) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("actor_user", "actor_key")[:limit]
    )


def people_list(*, organisation: Organisation) -> QuerySet[Person]:
    """People with the number of (non-archived) audiences they own and their linked user."""
    return (
        Person.objects.for_org(organisation)
        .select_related("user")
        .annotate(audiences_owned=Count("audiences", filter=Q(audiences__archived=False)))
        .order_by("name")
    )


def member_users(*, organisation: Organisation) -> QuerySet:
    """Users who are members of the organisation (the only ones a person may be linked to)."""
    user_ids = Membership.objects.for_org(organisation).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids).order_by("email")
