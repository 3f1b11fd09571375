"""Two complete organisations for the isolation tests.

Organisation A is the shared `org` fixture (riverside: lead, owner, viewer). Organisation B
(`world_b`) holds one of everything, built through the same services and API a real tenant
uses, and every text it stores carries the marker `ZZ-SECRET-B`, so any page or answer that
contains the marker has leaked B's data. B's slugs and ids do NOT carry the marker: a 404
message may echo the slug the caller sent, and that is not a leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from audiences import services as registry
from audiences.access import SESSION_KEY
from audiences.models import Audience, Membership, Organisation, Person, Role
from audiences.services import NewApiKey, api_key_create
from journeys import services as journeys
from journeys.models import Persona, Stage, Touchpoint
from measurements import services as measurements
from measurements.models import Alert, FollowUp, MeasurementPlan, MetricDefinition, Rollup
from measurements.opportunity_services import opportunity_create
from measurements.rollups import rollup_full
from tests.factories import MembershipFactory
from webhooks import services as webhooks
from webhooks.models import WebhookDelivery, WebhookEndpoint

SECRET = "zz-secret-b"  # compared with the lower-cased body

B_SLUG = "bravo"


@dataclass
class WorldB:
    """Organisation B and one object of every kind it owns."""

    organisation: Organisation
    lead: Any
    person: Person
    audience: Audience
    stage: Stage
    touchpoint: Touchpoint
    persona: Persona
    plan: MeasurementPlan
    definition: MetricDefinition
    key: NewApiKey
    alert: Alert
    webhook: WebhookEndpoint
    delivery: WebhookDelivery
    opportunity: Any = None  # an Opportunity at B's touchpoint
    followup: FollowUp | None = None  # made by the push of B's detractors with comments

    def kwargs_for(self, name: str) -> dict[str, Any]:
        """Values for a URL kwarg, by kwarg name (the view name picks among several pks)."""
        return {
            "slug": self.audience.slug,
            "audience": self.audience.slug,
            "stage_id": self.stage.pk,
            "touchpoint_id": self.touchpoint.pk,
            "persona_id": self.persona.pk,
            "definition_id": self.definition.pk,
            "delivery_id": self.delivery.pk,
            "alert_id": self.alert.pk,
            "opportunity_id": self.opportunity.pk if self.opportunity else None,
        }


def _secret(text: str) -> str:
    return f"ZZ-SECRET-B-{text}"


def _push(client: APIClient, path: str, items: list[dict[str, Any]]) -> None:
    answer = client.post(path, items, format="json")
    assert answer.status_code == 201, answer.content


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # These tests make many users; the production hasher would spend most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world_b(other_org) -> WorldB:
    """Organisation B ('acme') with one of everything, each text marked ZZ-SECRET-B."""
    lead = MembershipFactory(
        organisation=other_org,
        role=Role.LEAD,
        user__email="zz-secret-b-lead@acme.example",
        user__username="zz-secret-b-lead@acme.example",
        user__first_name="ZZ-SECRET-B-Lead",
    ).user
    person = registry.person_create(
        organisation=other_org,
        actor=lead,
        name=_secret("Person"),
        email="zz-secret-b-person@acme.example",
        title=_secret("Title"),
        user=lead,
    )
    audience = registry.audience_save(
        organisation=other_org,
        actor=lead,
        name=_secret("Audience"),
        slug=B_SLUG,
        kind="customer",
        description=_secret("Description"),
        why_it_matters=_secret("Why"),
        owner=person,
    )
    registry.audience_ranking_set(organisation=other_org, ordered_slugs=[B_SLUG], actor=lead)
    stage = journeys.stage_create(
        audience=audience, actor_user=lead, data={"name": _secret("Stage"), "phase": "during"}
    )
    touchpoint = journeys.touchpoint_create(
        stage=stage,
        actor_user=lead,
        data={"name": _secret("Touchpoint"), "slug": "bravo-checkout", "owner": person},
    )
    persona = journeys.persona_save(
        audience=audience,
        actor_user=lead,
        data={"name": _secret("Persona"), "goals": _secret("Goals")},
        quotes=[{"text": _secret("Quote"), "source": "interview"}],
    )
    plan = measurements.plan_save(
        audience=audience,
        actor_user=lead,
        data={"process": _secret("Process"), "methods": ["interviews"], "run_by": _secret("RunBy")},
    )
    definition = measurements.definition_create(
        audience=audience,
        actor_user=lead,
        data={"kind": "nps", "name": _secret("NPS"), "slug": "nps", "alert_threshold": 90},
    )
    measurements.definition_create(
        audience=audience,
        actor_user=lead,
        data={"kind": "ttr", "name": _secret("TTR"), "slug": "ttr"},
    )
    measurements.definition_create(
        audience=audience,
        actor_user=lead,
        data={"kind": "retention", "name": _secret("Retention"), "slug": "retention"},
    )
    key = api_key_create(organisation=other_org, name=_secret("Key"), created_by=lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    day = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)
    at = day.isoformat()
    _push(
        client,
        "/api/v1/responses/",
        [
            {
                "external_id": f"zz-secret-b-r{i}",
                "audience": B_SLUG,
                "metric": "nps",
                "score": score,
                "responded_at": at,
                "touchpoint": "bravo-checkout",
                "respondent": "zz-secret-b-respondent",
                "comment": _secret(f"Comment{i}"),
            }
            for i, score in enumerate([0, 3, 9, 10, 10])
        ],
    )
    _push(
        client,
        "/api/v1/cases/",
        [
            {
                "external_id": "zz-secret-b-case",
                "audience": B_SLUG,
                "opened_at": at,
                "resolved_at": (day + dt.timedelta(hours=5)).isoformat(),
                "channel": "email",
            }
        ],
    )
    _push(
        client,
        "/api/v1/members/",
        [{"audience": B_SLUG, "member": "zz-secret-b-member", "joined_at": "2024-01-01T00:00:00Z"}],
    )
    _push(
        client,
        "/api/v1/revenue-events/",
        [
            {
                "external_id": "zz-secret-b-invoice",
                "audience": B_SLUG,
                "member": "zz-secret-b-member",
                "amount": "1234.56",
                "currency": "EUR",
                "occurred_at": at,
            }
        ],
    )
    rollup_full(organisation=other_org)
    rollup = Rollup.objects.for_org(other_org).filter(definition=definition).first()
    assert rollup is not None
    # A rollup's details are shown and exported as text: mark them too.
    Rollup.all_orgs.filter(pk=rollup.pk).update(details={**rollup.details, "note": _secret("Roll")})
    alert, _ = Alert.all_orgs.get_or_create(
        organisation=other_org,
        audience=audience,
        definition=definition,
        granularity=rollup.granularity,
        period_start=rollup.period_start,
        defaults={"value": -12.0, "threshold": 90.0},
    )
    webhook = webhooks.endpoint_create(
        organisation=other_org,
        url="https://93.184.215.14/zz-secret-b-hook",
        events=["alert.opened"],
        description=_secret("Webhook"),
        actor=lead,
    ).endpoint
    # Stored with the test's transaction, never sent: its on-commit enqueue does not run.
    [delivery] = webhooks.webhook_emit(
        organisation=other_org, event_type="alert.opened", payload={"summary": _secret("Event")}
    )
    opportunity = opportunity_create(
        audience=audience,
        actor_user=lead,
        data={
            "problem": _secret("Problem"),
            "idea": _secret("Idea"),
            "value": 4,
            "effort": 2,
            "touchpoints": [touchpoint],
            "definition": definition,
            "status": "done",
        },
    )
    return WorldB(
        organisation=other_org,
        lead=lead,
        person=person,
        audience=audience,
        stage=stage,
        touchpoint=touchpoint,
        persona=persona,
        plan=plan,
        definition=definition,
        key=key,
        alert=alert,
        webhook=webhook,
        delivery=delivery,
        opportunity=opportunity,
        followup=FollowUp.objects.for_org(other_org).order_by("pk").first(),
    )


@pytest.fixture
def key_a(org) -> NewApiKey:
    return api_key_create(organisation=org, name="Survey tool A")


@pytest.fixture
def api_a(key_a) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_a.raw_key}")
    return client


@pytest.fixture
def dual_user(org, world_b):
    """A lead of BOTH organisations whose session has A as the current one."""
    user = MembershipFactory(organisation=org, role=Role.LEAD, user__email="both@example.org").user
    Membership.objects.create(user=user, organisation=world_b.organisation, role=Role.LEAD)
    return user


def login_in(client, user, organisation: Organisation) -> Any:
    """Sign `user` in with `organisation` as the current one (as the switcher would)."""
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = organisation.pk
    session.save()
    return client


def org_snapshot(organisation: Organisation) -> dict[str, list[tuple]]:
    """Every row of every organisation-owned model the organisation holds, field by field, so
    a test can prove a refused request changed nothing of it."""
    from django.apps import apps

    snapshot: dict[str, list[tuple]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"audiences", "journeys", "measurements", "webhooks"}:
            continue
        if "organisation" not in {f.name for f in model._meta.get_fields()}:
            continue
        rows = model.objects.for_org(organisation).order_by("pk").values()
        snapshot[model._meta.label] = [tuple(sorted(row.items())) for row in rows]
    return snapshot
