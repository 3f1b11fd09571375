"""Issue 11's invariant as a stateful property: after any sequence of API writes, the
incremental rollups equal a full rollup, and both equal a rebuild from nothing.

The machine drives the real API with small bounded writes — cases created, resolved,
reopened and moved between audiences, touchpoints and days; members created and their join
and leave moved; late responses and revenue — on two audiences, each with TTR and member
definitions (the customers also NPS, CSAT, CLV and a touchpoint-bound TTR). After every step
it runs the stale recompute the worker runs, then compares every Rollup row (value, n,
details) with a full rollup over the same tables and with a full rollup into emptied tables.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from measurements.models import MetricKind, Rollup
from measurements.rollups import rollup_full, stale_rollups_recompute
from tests.factories import AudienceFactory, MetricDefinitionFactory

# Data lies in the two months before today (no future times: ingestion refuses them), so a
# day-granularity series stays short and each full rollup cheap.
BASE = (datetime.now(UTC) - timedelta(days=70)).replace(hour=0, minute=0, second=0, microsecond=0)
DAYS = st.integers(0, 60)
HOURS = st.sampled_from([0, 1, 9, 23])
REFS = st.sampled_from(["c-1", "c-2", "c-3"])
MEMBERS = st.sampled_from(["m-1", "m-2", "m-3"])
AUDIENCES = st.sampled_from(["customers", "partners"])


def at(day: int, hour: int) -> str:
    return (BASE + timedelta(days=day, hours=hour)).isoformat().replace("+00:00", "Z")


def snapshot(org) -> dict:
    return {
        (r.definition_id, r.granularity, r.period_start): (r.value, r.n, r.details)
        for r in Rollup.all_orgs.filter(organisation=org)
    }


@pytest.mark.django_db
def test_incremental_rollups_equal_a_full_rollup_and_a_rebuild_after_any_writes(
    api, org, every_kind, touchpoint
):
    partners = AudienceFactory(organisation=org, name="Partners", slug="partners")
    for kind in (MetricKind.TTR, MetricKind.RETENTION):
        MetricDefinitionFactory(
            audience=partners, kind=kind, slug=kind, scale_min=None, scale_max=None
        )
    MetricDefinitionFactory(
        audience=every_kind,
        kind=MetricKind.TTR,
        slug="ttr-checkout",
        scale_min=None,
        scale_max=None,
        touchpoint=touchpoint,
    )

    class Writes(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            cache.clear()  # throttle counters
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def push(self, path: str, item: dict) -> None:
            response = api.post(f"/api/v1/{path}/", [item], format="json")
            assert response.status_code in (200, 201), response.content

        @rule(
            ref=REFS,
            audience=AUDIENCES,
            checkout=st.booleans(),
            opened=DAYS,
            hour=HOURS,
            hours_to_resolve=st.none() | st.sampled_from([1, 5, 30, 200]),
        )
        def send_case(self, ref, audience, checkout, opened, hour, hours_to_resolve):
            """Create, resolve, reopen (resolved_at null again) or move a case."""
            opened_at = BASE + timedelta(days=opened, hours=hour)
            resolved = None
            if hours_to_resolve is not None:
                resolved_at = min(
                    opened_at + timedelta(hours=hours_to_resolve), BASE + timedelta(days=69)
                )
                resolved = resolved_at.isoformat().replace("+00:00", "Z")
            self.push(
                "cases",
                {
                    "external_id": ref,
                    "audience": audience,
                    "touchpoint": "checkout" if checkout and audience == "customers" else None,
                    "opened_at": at(opened, hour),
                    "resolved_at": resolved,
                },
            )

        @rule(
            name=MEMBERS,
            audience=AUDIENCES,
            joined=DAYS,
            hour=HOURS,
            stay=st.none() | st.integers(0, 30),
        )
        def send_member(self, name, audience, joined, hour, stay):
            """Create a member, or move its join and leave (a correction, a return)."""
            left = None if stay is None else at(min(joined + stay, 69), hour)
            self.push(
                "members",
                {
                    "audience": audience,
                    "member": name,
                    "joined_at": at(joined, hour),
                    "left_at": left,
                },
            )

        @rule(
            day=DAYS, hour=HOURS, score=st.integers(1, 5), metric=st.sampled_from(["nps", "csat"])
        )
        def send_late_response(self, day, hour, score, metric):
            self.push(
                "responses",
                {
                    "audience": "customers",
                    "metric": metric,
                    "score": score,
                    "responded_at": at(day, hour),
                },
            )

        @rule(name=MEMBERS, day=DAYS, amount=st.sampled_from(["10.00", "0.00"]))
        def send_late_revenue(self, name, day, amount):
            self.push(
                "revenue-events",
                {
                    "audience": "customers",
                    "member": name,
                    "amount": amount,
                    "currency": "EUR",
                    "occurred_at": at(day, 12),
                },
            )

        @invariant()
        def incremental_equals_full_and_rebuild(self):
            stale_rollups_recompute()
            incremental = snapshot(org)
            rollup_full(organisation=org)
            assert snapshot(org) == incremental
            Rollup.all_orgs.filter(organisation=org).delete()
            rollup_full(organisation=org)
            assert snapshot(org) == incremental

    run_state_machine_as_test(
        Writes,
        settings=settings(
            max_examples=25,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
