"""Scoping fails closed: an organisation-owned query without an organisation raises.

Every model whose `objects` is an OrgQuerySet is found at run time, so a new model is covered
the day it is added (and fails here until it has rows below). The escape hatch, `all_orgs`,
is allowed only on the reviewed lines listed at the end.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import io
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Count
from django.utils import timezone

from audiences.models import (
    ApiKey,
    Audience,
    AuditEntry,
    Membership,
    Organisation,
    OrgQuerySet,
    Person,
    Role,
    UnscopedQueryError,
)
from journeys.models import Persona, Stage, Touchpoint
from measurements.models import (
    Alert,
    AudienceMember,
    DailyScoreCount,
    DigestSent,
    FollowUp,
    MeasurementPlan,
    MetricDefinition,
    Opportunity,
    Response,
    RevenueEvent,
    Rollup,
    StaleMark,
    SupportCase,
)
from tests.factories import UserFactory
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ORG_MODELS = [
    model
    for model in apps.get_models()
    if isinstance(getattr(model, "objects", None), models.Manager)
    and isinstance(model.objects.all(), OrgQuerySet)
]


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _one_of_everything(organisation: Organisation, tag: str) -> None:
    """One row of every organisation-owned model for `organisation`."""
    now = timezone.now()
    month = now.date().replace(day=1)
    user = UserFactory(email=f"{tag}@example.org", username=f"{tag}@example.org")
    Membership.objects.create(user=user, organisation=organisation, role=Role.LEAD)
    person = Person.objects.create(
        organisation=organisation, name=f"{tag} person", email=f"{tag}-person@example.org"
    )
    audience = Audience.objects.create(
        organisation=organisation, name=f"{tag} customers", slug="customers", kind="customer"
    )
    audience.owner = person
    audience.save()
    key = ApiKey.objects.create(organisation=organisation, name=tag, prefix=tag, hashed_key="x")
    AuditEntry.objects.create(
        organisation=organisation, audience=audience, action="created", object_type="audience"
    )
    stage = Stage.objects.create(organisation=organisation, audience=audience, name="Buy")
    Touchpoint.objects.create(
        organisation=organisation, audience=audience, stage=stage, name="Checkout", slug="co"
    )
    Persona.objects.create(organisation=organisation, audience=audience, name=f"{tag} persona")
    MeasurementPlan.objects.create(organisation=organisation, audience=audience, process="Ask")
    definition = MetricDefinition.objects.create(
        organisation=organisation, audience=audience, kind="nps", name="NPS", slug="nps"
    )
    response = Response.objects.create(
        organisation=organisation,
        audience=audience,
        definition=definition,
        score=9,
        responded_at=now,
        local_date=now.date(),
        api_key=key,
    )
    SupportCase.objects.create(
        organisation=organisation,
        audience=audience,
        external_id=f"{tag}-case",
        opened_at=now,
        api_key=key,
    )
    RevenueEvent.objects.create(
        organisation=organisation,
        audience=audience,
        member="m1",
        amount=10,
        currency="EUR",
        occurred_at=now,
        api_key=key,
    )
    AudienceMember.objects.create(
        organisation=organisation, audience=audience, member="m1", joined_at=now, api_key=key
    )
    StaleMark.objects.create(organisation=organisation, definition=definition, day=now.date())
    DailyScoreCount.objects.create(
        organisation=organisation, definition=definition, day=now.date(), score=9, count=1
    )
    Rollup.objects.create(
        organisation=organisation,
        audience=audience,
        definition=definition,
        granularity="month",
        period_start=month,
        value=100.0,
        n=1,
    )
    Alert.objects.create(
        organisation=organisation,
        audience=audience,
        definition=definition,
        granularity="month",
        period_start=month - dt.timedelta(days=1),
        value=1.0,
        threshold=2.0,
    )
    FollowUp.objects.create(
        organisation=organisation,
        audience=audience,
        definition=definition,
        response=response,
        assignee=person,
    )
    DigestSent.objects.create(organisation=organisation, person=person, week_start=month)
    Opportunity.objects.create(
        organisation=organisation, audience=audience, problem="Slow", value=3, effort=2
    )
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation, url="https://93.184.215.14/hook", secret="whsec_eA=="
    )
    delivery = WebhookDelivery.objects.create(
        organisation=organisation, endpoint=endpoint, event_type="alert.opened", message_id=tag
    )
    WebhookAttempt.objects.create(organisation=organisation, delivery=delivery, number=1)


@pytest.fixture
def two_orgs(org, other_org) -> tuple[Organisation, Organisation]:
    _one_of_everything(org, "alpha")
    _one_of_everything(other_org, "bravo")
    return org, other_org


def _stored(model: type[models.Model]) -> list[dict[str, Any]]:
    return list(model.all_orgs.order_by("pk").values())


async def _first_async(queryset: Any) -> Any:
    async for row in queryset.aiterator():
        return row
    return None


UNSCOPED: dict[str, Callable[[type[models.Model], Organisation], Any]] = {
    "list": lambda model, org: list(model.objects.all()),
    "count": lambda model, org: model.objects.count(),
    "exists": lambda model, org: model.objects.exists(),
    "filter first": lambda model, org: model.objects.filter(pk__gt=0).first(),
    "get": lambda model, org: model.objects.get(pk=model.all_orgs.first().pk),
    "values_list": lambda model, org: list(model.objects.values_list("pk", flat=True)),
    "in_bulk": lambda model, org: model.objects.in_bulk(),
    "contains": lambda model, org: model.objects.contains(model.all_orgs.first()),
    "aggregate": lambda model, org: model.objects.aggregate(n=Count("pk")),
    "iterator": lambda model, org: list(model.objects.iterator()),
    "aiterator": lambda model, org: asyncio.run(_first_async(model.objects.all())),
    "explain": lambda model, org: model.objects.explain(),
    # The writes would move every organisation's rows into one, or delete them all.
    "update": lambda model, org: model.objects.update(organisation_id=org.pk),
    "bulk_update": lambda model, org: model.objects.bulk_update(
        list(model.all_orgs.all()), ["organisation"]
    ),
    "delete": lambda model, org: model.objects.all().delete(),
    "raw delete": lambda model, org: model.objects.all()._raw_delete(model.objects.db),
    "get_or_create": lambda model, org: model.objects.get_or_create(pk=-1),
    "update_or_create": lambda model, org: model.objects.update_or_create(pk=-1),
}


def test_it_discovers_every_organisation_owned_model():
    assert {_label(m) for m in ORG_MODELS} == {
        _label(m)
        for m in (
            Membership, Person, Audience, ApiKey, AuditEntry,
            Stage, Touchpoint, Persona,
            MeasurementPlan, MetricDefinition, Response, SupportCase, RevenueEvent,
            AudienceMember, StaleMark, DailyScoreCount, Rollup, Alert,
            FollowUp, DigestSent, Opportunity,
            WebhookEndpoint, WebhookDelivery, WebhookAttempt,
        )
    }  # fmt: skip


@pytest.mark.parametrize("model", ORG_MODELS, ids=_label)
def test_it_gives_django_internals_the_plain_all_orgs_manager(model):
    # validate_unique, ModelForm, admin, DRF validators and related managers use the default
    # manager; they must keep working, so the guarded `objects` is never the default.
    assert model._default_manager is model.all_orgs
    assert not isinstance(model.all_orgs.all(), OrgQuerySet)


@pytest.mark.parametrize("model", ORG_MODELS, ids=_label)
def test_it_refuses_every_unscoped_query_and_changes_nothing(two_orgs, model):
    org_a, org_b = two_orgs
    before = _stored(model)
    assert {row["organisation_id"] for row in before} == {org_a.pk, org_b.pk}
    for name, operation in UNSCOPED.items():
        with pytest.raises(UnscopedQueryError, match=rf"{model.__name__}.*for_org"):
            operation(model, org_a)
            pytest.fail(f"{name} ran without an organisation")
        assert _stored(model) == before, name


@pytest.mark.parametrize("model", ORG_MODELS, ids=_label)
def test_it_returns_only_the_organisations_rows_for_org(two_orgs, model):
    org_a, org_b = two_orgs
    rows = list(model.objects.for_org(org_a))
    assert rows and {row.organisation_id for row in rows} == {org_a.pk}
    assert (
        model.objects.for_org(org_b.pk).count() == model.all_orgs.filter(organisation=org_b).count()
    )
    assert model.objects.for_org(org_a).filter(pk__gt=0).exists()


@pytest.mark.parametrize("model", ORG_MODELS, ids=_label)
def test_it_scopes_related_managers_by_the_loaded_object(two_orgs, model):
    org_a, _ = two_orgs
    visible = [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and not field.remote_field.hidden
    ]
    checked = 0
    for field in visible:
        row = model.all_orgs.filter(organisation=org_a).exclude(**{field.name: None}).first()
        if row is None:
            continue
        parent = getattr(row, field.name)  # e.g. the audience of a stage
        rows = list(getattr(parent, field.remote_field.get_accessor_name()).all())
        assert {r.organisation_id for r in rows} == {org_a.pk}, field.name
        assert set(rows) == set(model.objects.for_org(org_a).filter(**{field.name: parent}))
        checked += 1
    assert checked or not visible


def test_it_keeps_combined_querysets_scoped_only_when_every_part_is(two_orgs):
    org_a, _ = two_orgs
    scoped, unscoped = Audience.objects.for_org(org_a), Audience.objects.all()
    assert {a.organisation_id for a in scoped & unscoped} == {org_a.pk}
    assert {a.organisation_id for a in scoped | scoped.filter(pk__gt=0)} == {org_a.pk}
    for combined in (
        scoped | unscoped,
        unscoped | scoped,
        scoped ^ unscoped,
        scoped[:1] | unscoped,
        scoped.union(unscoped),
        unscoped.union(scoped),
    ):
        with pytest.raises(UnscopedQueryError):
            list(combined)
    assert list(Audience.objects.none()) == []


def test_it_lets_a_subquery_through_because_the_outer_query_is_guarded(two_orgs):
    org_a, _ = two_orgs
    inner = MetricDefinition.objects.filter(kind="nps").values("audience_id")
    assert Audience.objects.for_org(org_a).filter(pk__in=inner).count() == 1
    with pytest.raises(UnscopedQueryError):
        Audience.objects.filter(pk__in=inner).count()


def test_it_names_the_model_and_both_ways_out_in_the_error(two_orgs):
    with pytest.raises(UnscopedQueryError) as raised:
        list(Audience.objects.filter(slug="customers"))
    assert isinstance(raised.value, RuntimeError)
    assert "Audience.objects.for_org(organisation)" in str(raised.value)
    assert "Audience.all_orgs" in str(raised.value)


# --- the escape hatch -----------------------------------------------------------------------

# Every use of `Model.all_orgs` in the application: (file, code on the line, why it must see
# every organisation). A new one fails the test below until it is reviewed and listed here;
# each also carries a comment in the code (on its line or just above its statement).
ALL_ORGS = [
    (
        "axreg/api/authentication.py",
        'api_key = ApiKey.all_orgs.select_related("organisation").filter(prefix=parts[1]).first()',
        "an API key is found by its prefix before anyone knows its organisation",
    ),
    (
        "measurements/alerts.py",
        "alerts = Alert.all_orgs.all()",
        "the alerts of a rollup batch's values, which span organisations",
    ),
    (
        "measurements/alerts.py",
        "covered = MetricDefinition.all_orgs.filter(pk__in=missing)",
        "a rollup batch's definitions left without values (their crossings are re-derived)",
    ),
    (
        "measurements/alerts.py",
        "rows = Rollup.all_orgs.filter(definition_id__in=alerting, granularity=ALERT_GRANULARITY)",
        "the stored months of a rollup batch's definitions, which span organisations",
    ),
    (
        "measurements/alerts.py",
        "pending = Alert.all_orgs.all()",
        "e-mails new alerts after a stale batch or a run for every organisation",
    ),
    (
        "measurements/rollups/events.py",
        "endpoints = WebhookEndpoint.all_orgs.filter("
        "organisation_id__in=list(by_org), active=True)",
        "which organisations of a rollup batch subscribed to rollup.updated",
    ),
    (
        "measurements/rollups/events.py",
        "for definition_id, granularity, start, value, n in Rollup.all_orgs.filter(scope_q)",
        "the stored rows a rollup batch is about to change, of any organisation in it",
    ),
    (
        "measurements/rollups/histograms.py",
        "Response.all_orgs.filter(source)",
        "the responses of a stale batch's definitions, compiled into INSERT … SELECT",
    ),
    (
        "measurements/rollups/histograms.py",
        "replaced = DailyScoreCount.all_orgs.filter(target)",
        "the same definitions' histograms, replaced",
    ),
    (
        "measurements/rollups/recompute.py",
        "definitions = MetricDefinition.all_orgs.filter(pk__in=list(ids))",
        "loads the definitions the caller chose (a stale batch spans organisations)",
    ),
    (
        "measurements/rollups/recompute.py",
        "marks = StaleMark.all_orgs.filter(pk__in=ids)",
        "deletes the stale marks just claimed, of any organisation",
    ),
    (
        "measurements/rollups/recompute.py",
        "return MetricDefinition.all_orgs.all()",
        "a full rollup without an organisation (`manage.py rollup --full`) covers all",
    ),
    (
        "measurements/rollups/recompute.py",
        "marks = StaleMark.all_orgs.filter(definition_id__in=[d.pk for d in chosen])",
        "a full rollup consumes the stale marks of the definitions it recomputed",
    ),
    (
        "measurements/rollups/scores.py",
        "DailyScoreCount.all_orgs.filter(scope)",
        "the histograms of a stale batch's definitions, in one grouped query",
    ),
    (
        "measurements/rollups/stale.py",
        'claim = StaleMark.all_orgs.order_by("id")',
        "beat: one worker claims every organisation's stale marks, oldest first",
    ),
    (
        "measurements/rollups/writing.py",
        "Rollup.all_orgs.filter(definition_id__in=ids)",
        "the stored rollups of a batch's definitions (SQLite; PostgreSQL reads them in SQL)",
    ),
    (
        "measurements/rollups/writing.py",
        "stored = Rollup.all_orgs.filter(scopes_q(scopes)).order_by()",
        "the stored rows of the definitions just recomputed, of any organisation in the batch",
    ),
    (
        "measurements/rollups/writing.py",
        "Rollup.all_orgs.filter(pk__in=gone[first : first + 1000]).delete()",
        "deletes those of them that the recompute no longer produced",
    ),
    (
        "webhooks/selectors.py",
        "due = WebhookDelivery.all_orgs.filter(",
        "beat's sweep finds the due deliveries of every organisation (each is then claimed by id)",
    ),
]

APP_DIRS = ("audiences", "journeys", "measurements", "axreg", "webhooks")


def _all_orgs_uses(root: Path) -> list[tuple[str, str, bool]]:
    """(file, code on the line, whether a comment explains it) for each `X.all_orgs` in the
    application; comments and strings that mention it do not count."""
    found = []
    for app in APP_DIRS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative:
                continue
            source = path.read_text()
            lines = source.splitlines()
            comments = {
                token.start[0]: token.start[1]
                for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT
            }
            tree = ast.parse(source)
            statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Attribute) and node.attr == "all_orgs"):
                    continue
                statement = min(
                    (s for s in statements if s.lineno <= node.lineno <= (s.end_lineno or 0)),
                    key=lambda s: (s.end_lineno or 0) - s.lineno,
                )
                line = lines[node.lineno - 1]
                code = line[: comments.get(node.lineno, len(line))].strip()
                explained = any(n in comments for n in range(statement.lineno - 1, node.lineno + 1))
                found.append((relative, code, explained))
    return found


def test_it_allows_the_all_orgs_escape_hatch_only_where_reviewed():
    uses = _all_orgs_uses(Path(__file__).resolve().parents[2])
    assert sorted((path, code) for path, code, _ in uses) == sorted(
        (path, code) for path, code, _ in ALL_ORGS
    )
    assert [(path, code) for path, code, explained in uses if not explained] == []
