"""Reads for the registry pages that show liability and alerts (measurements/views/registry.py).

They read all three apps, so they live here rather than in `audiences.selectors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audiences.models import TOP_TEN, Audience, Organisation
from audiences.selectors import ranked_first
from measurements.alert_selectors import open_alerts
from measurements.liability import audiences_with_liability_flags, liability_of
from measurements.models import Alert
from measurements.periods import latest_complete_start
from measurements.selectors import series_window, zone_of

# The months a dashboard card and the overview's trend show: an open alert whose last month
# is older is not presented as needing anyone now.
ALERT_MONTHS_SHOWN = 12


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
        ChecklistStep(1, gettext("List the ten audiences you interact with most"),
                      min(listed, TOP_TEN),
                      ngettext("%(count)s audience listed", "%(count)s audiences listed",
                               listed) % {"count": listed}),
        ChecklistStep(2, gettext("Rank them from most to least essential"), len(ranked),
                      gettext("%(count)s of 10 top-ten places filled")
                      % {"count": len(ranked)}),
        ChecklistStep(3, gettext("Name the person who owns each one's experience"), owned,
                      gettext("%(count)s of 10 ranked audiences have an owner")
                      % {"count": owned}),
        ChecklistStep(4, gettext("Each owner describes their process and measurement"), measured,
                      gettext("%(count)s of 10 ranked audiences have a measurement plan")
                      % {"count": measured}),
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


def owner_home(
    *,
    organisation: Organisation,
    user: Any,
    alert_limit: int = 20,
    now: datetime | None = None,
) -> OwnerHome:
    """The audiences whose owner is linked to `user`, each with `.liability`, in rank order,
    and their open alerts still on the wrong side within the dashboards' 12 months, newest
    first. Two queries."""
    audiences = list(
        audience_list(organisation=organisation).filter(owner__user=user, archived=False)
    )
    for audience in audiences:
        audience.liability = liability_of(audience)
    latest = latest_complete_start("month", zone_of(organisation), now or timezone.now())
    shown_from = series_window("month", latest, ALERT_MONTHS_SHOWN)[0]
    alerts = list(
        open_alerts(organisation)
        .filter(audience__in=audiences, last_period_start__gte=shown_from)
        .select_related("audience", "definition")
        .order_by("-last_period_start", "-created_at")[:alert_limit]
    )
    return OwnerHome(audiences=audiences, alerts=alerts)
