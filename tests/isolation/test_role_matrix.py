"""Who may write what: every write view and endpoint × lead / owner of this audience / owner of
another / viewer / anonymous / API key, with the expected outcome, and proof that a refused
write changed nothing.

`WRITES` is the table. `test_it_lists_every_view_that_accepts_a_write` fails when a URL whose
view accepts POST or PATCH is in neither `WRITES` nor `READ_ONLY`, so a new write view cannot
ship without a row here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audiences.models import Role
from audiences.services import api_key_create
from journeys.models import Persona
from measurements.models import Alert, FollowUp, MeasurementPlan, Response
from measurements.opportunity_services import opportunity_create
from tests.factories import (
    MembershipFactory,
    MetricDefinitionFactory,
    PersonFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.isolation.conftest import login_in, org_snapshot
from tests.isolation.test_url_walk import ROUTES
from webhooks.services import endpoint_create, webhook_emit

ROLES = ("lead", "owner_this", "owner_other", "viewer", "anonymous", "key")

OK, FORBIDDEN, LOGIN, UNAUTH = "ok", "forbidden", "login", "unauthenticated"

# Who may do it: org-wide changes are the leads'; an audience's contents also its owner's.
LEAD_ONLY = {
    "lead": OK,
    "owner_this": FORBIDDEN,
    "owner_other": FORBIDDEN,
    "viewer": FORBIDDEN,
    "anonymous": LOGIN,
    "key": LOGIN,
}
AUDIENCE_EDITORS = {**LEAD_ONLY, "owner_this": OK}
API_LEAD_ONLY = {**LEAD_ONLY, "anonymous": UNAUTH, "key": OK}
API_AUDIENCE_EDITORS = {**AUDIENCE_EDITORS, "anonymous": UNAUTH, "key": OK}
# Webhooks send the organisation's events out: a signed-in lead only, never an API key (#14).
API_SIGNED_IN_LEAD_ONLY = {**API_LEAD_ONLY, "key": FORBIDDEN}
ANY_MEMBER = {role: OK for role in ROLES} | {"anonymous": LOGIN, "key": LOGIN}

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()

# name: (method, who may, body, whether success must write to the database)
WRITES: dict[str, tuple[str, dict[str, str], Any, bool]] = {
    "audiences:create": (
        "post",
        LEAD_ONLY,
        {"name": "Alumni", "slug": "alumni", "kind": "alumni", "stage": "current"},
        True,
    ),
    "audiences:edit": (
        "post",
        AUDIENCE_EDITORS,
        {"name": "Parents!", "slug": "parents", "kind": "parent", "stage": "current"},
        True,
    ),
    "audiences:archive": ("post", LEAD_ONLY, {}, True),
    "audiences:restore": ("post", LEAD_ONLY, "archived", True),
    "audiences:rank": ("json", LEAD_ONLY, {"order": ["parents", "teachers"]}, True),
    "audiences:rank_move": ("post", LEAD_ONLY, {"slug": "teachers", "move": "add"}, True),
    "audiences:person_create": (
        "post",
        LEAD_ONLY,
        {"name": "New Person", "email": "new@example.org"},
        True,
    ),
    "audiences:person_edit": (
        "post",
        LEAD_ONLY,
        {"name": "Renamed", "email": "owner@example.org"},
        True,
    ),
    "audiences:switch_organisation": ("post", ANY_MEMBER, {"organisation": "riverside"}, False),
    "audiences:api_keys": ("post", LEAD_ONLY, {"name": "New key"}, True),
    "audiences:api_key_revoke": ("post", LEAD_ONLY, {}, True),
    "journeys:stage_create": ("post", AUDIENCE_EDITORS, {"name": "New", "phase": "after"}, True),
    "journeys:stage_edit": ("post", AUDIENCE_EDITORS, {"name": "Edited", "phase": "after"}, True),
    "journeys:stage_delete": ("post", AUDIENCE_EDITORS, {}, True),
    "journeys:stage_move": ("post", AUDIENCE_EDITORS, {"direction": "right"}, True),
    "journeys:touchpoint_create": ("post", AUDIENCE_EDITORS, "touchpoint", True),
    "journeys:touchpoint_edit": ("post", AUDIENCE_EDITORS, "touchpoint", True),
    "journeys:touchpoint_delete": ("post", AUDIENCE_EDITORS, {}, True),
    "journeys:touchpoint_move": ("post", AUDIENCE_EDITORS, {"direction": "down"}, True),
    # Drag and drop on the map: the new order of the ids, as journey.js posts it.
    "journeys:stage_reorder": ("json", AUDIENCE_EDITORS, "stage_order", True),
    "journeys:touchpoint_reorder": ("json", AUDIENCE_EDITORS, "touchpoint_order", True),
    "api-stage-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        {"audience": "parents", "name": "Api stage", "phase": "after"},
        True,
    ),
    "api-stage-detail": ("api-patch", API_AUDIENCE_EDITORS, {"name": "Renamed"}, True),
    "api-touchpoint-list": ("api-post", API_AUDIENCE_EDITORS, "touchpoint", True),
    "api-touchpoint-detail": ("api-patch", API_AUDIENCE_EDITORS, {"name": "Renamed"}, True),
    "journeys:persona_create": ("post", AUDIENCE_EDITORS, "persona", True),
    "journeys:persona_edit": ("post", AUDIENCE_EDITORS, "persona", True),
    "journeys:persona_delete": ("post", AUDIENCE_EDITORS, {}, True),
    "measurements:plan_edit": (
        "post",
        AUDIENCE_EDITORS,
        {"process": "Quarterly survey", "methods": ["interviews"]},
        True,
    ),
    "measurements:definition_create": (
        "post",
        AUDIENCE_EDITORS,
        {"kind": "csat", "slug": "csat", "margin_percent": "100", "active": "on"},
        True,
    ),
    "measurements:definition_edit": (
        "post",
        AUDIENCE_EDITORS,
        {"kind": "nps", "slug": "nps", "name": "Renamed", "margin_percent": "100"},
        True,
    ),
    # The plan of the world's audience, marked reviewed today (it never was).
    "measurements:plan_reviewed": ("post", AUDIENCE_EDITORS, {}, True),
    "measurements:definition_active": ("post", AUDIENCE_EDITORS, {"active": "0"}, True),
    # Upload shows a preview (nothing stored yet); confirm stores what the session holds.
    "measurements:import": ("post", AUDIENCE_EDITORS, "csv", False),
    "measurements:import_confirm": ("post", AUDIENCE_EDITORS, {"token": "none"}, False),
    "webhooks:create": (
        "post",
        LEAD_ONLY,
        {"url": "https://93.184.215.14/new", "events": ["alert.opened"], "format": "standard"},
        True,
    ),
    "webhooks:edit": (
        "post",
        LEAD_ONLY,
        {"url": "https://93.184.215.14/hook", "events": ["rollup.updated"], "format": "slack"},
        True,
    ),
    "webhooks:rotate": ("post", LEAD_ONLY, {}, True),
    "webhooks:delete": ("post", LEAD_ONLY, {}, True),
    "webhooks:redeliver": ("post", LEAD_ONLY, {}, True),
    "api-audience-list": (
        "api-post",
        API_LEAD_ONLY,
        {"name": "Api", "slug": "api-made", "kind": "customer"},
        True,
    ),
    "api-audience-detail": ("api-patch", API_AUDIENCE_EDITORS, {"description": "New"}, True),
    "api-definition-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        {"audience": "parents", "kind": "csat", "slug": "csat"},
        True,
    ),
    "api-definition-detail": ("api-patch", API_AUDIENCE_EDITORS, {"name": "Renamed"}, True),
    "api-response-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        [{"audience": "parents", "metric": "nps", "score": 9, "responded_at": NOW}],
        True,
    ),
    "api-case-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        [{"audience": "parents", "external_id": "T-1", "opened_at": NOW}],
        True,
    ),
    "api-revenue-event-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        [
            {
                "audience": "parents",
                "member": "m-1",
                "amount": "10",
                "currency": "EUR",
                "occurred_at": NOW,
            }
        ],
        True,
    ),
    "api-member-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        [{"audience": "parents", "member": "m-1", "joined_at": NOW}],
        True,
    ),
    "api-webhook-list": (
        "api-post",
        API_SIGNED_IN_LEAD_ONLY,
        {"url": "https://93.184.215.14/new", "events": ["alert.opened"]},
        True,
    ),
    "api-webhook-detail": ("api-patch", API_SIGNED_IN_LEAD_ONLY, {"active": False}, True),
    "measurements:opportunity_create": (
        "post",
        AUDIENCE_EDITORS,
        {"problem": "Queue at the door", "value": "3", "effort": "2"},
        True,
    ),
    "measurements:opportunity_edit": (
        "post",
        AUDIENCE_EDITORS,
        {"problem": "Edited", "value": "4", "effort": "2", "status": "planned"},
        True,
    ),
    "measurements:opportunity_status": ("post", AUDIENCE_EDITORS, {"status": "done"}, True),
    "measurements:opportunity_delete": ("post", AUDIENCE_EDITORS, {}, True),
    "api-opportunity-list": (
        "api-post",
        API_AUDIENCE_EDITORS,
        {"audience": "parents", "problem": "Api", "value": 3, "effort": 1},
        True,
    ),
    "api-opportunity-detail": ("api-patch", API_AUDIENCE_EDITORS, {"status": "planned"}, True),
    # A follow-up on the owner's audience, assigned to nobody: its owner and leads act on it.
    "measurements:followup_detail": (
        "post",
        AUDIENCE_EDITORS,
        {"status": "closed", "note": "Called back"},
        True,
    ),
    "measurements:followup_target": ("post", LEAD_ONLY, {"followup_target_days": "5"}, True),
    "api-followup-detail": ("api-patch", API_AUDIENCE_EDITORS, {"status": "closed"}, True),
}

# An open alert on the owner's audience: its owner and leads acknowledge and resolve it.
WRITES |= {
    "measurements:alert_acknowledge": ("post", AUDIENCE_EDITORS, {"note": "On it"}, True),
    "measurements:alert_resolve": ("post", AUDIENCE_EDITORS, {"note": "Done"}, True),
    "measurements:alert_note": ("post", AUDIENCE_EDITORS, {"note": "Called the vendor"}, True),
    "api-alert-detail": ("api-patch", API_AUDIENCE_EDITORS, {"status": "resolved"}, True),
}

# Views that answer POST (a form page rendering on any method) but write nothing: a lead's
# POST to them must leave the database as it was.
# Writes that touch no organisation's data, each checked elsewhere.
OWN_WRITES = {
    "set_language": "a person's own interface language, signed in or out "
    "(tests/i18n/test_language_choice.py)",
}

READ_ONLY = {
    "audiences:home",
    "audiences:list",
    "audiences:detail",
    "audiences:ranking",
    "audiences:people",
    "audiences:audit",
    "journeys:map",
    "journeys:personas",
    "measurements:plan",
    "measurements:dashboard",
    "measurements:dashboard_csv",
    "measurements:overview",
    "measurements:overview_csv",
    "measurements:health",
    "measurements:compare",
    "measurements:opportunities",
    "measurements:opportunity_list",
    "measurements:opportunity_detail",
    "measurements:alerts",
    "measurements:alert_detail",
    "webhooks:list",
    "webhooks:detail",
    None,  # "/" redirects to the home page
}


@pytest.fixture
def world_a(org, lead, owner, viewer, owned_audience, unowned_audience, owner_person):
    """Organisation A with something of every kind on the owner's audience."""
    other_owner = MembershipFactory(
        organisation=org, role=Role.OWNER, user__email="other-owner@example.org"
    ).user
    unowned_audience.owner = PersonFactory(
        organisation=org, name="Oscar Other", email="other-owner@example.org", user=other_owner
    )
    unowned_audience.save()
    first = StageFactory(audience=owned_audience, name="Discover", position=0)
    StageFactory(audience=owned_audience, name="Join", position=1)
    touchpoint = TouchpointFactory(stage=first, name="Open day", slug="open-day", position=0)
    TouchpointFactory(stage=first, name="Website", slug="website", position=1)
    persona = Persona.objects.create(organisation=org, audience=owned_audience, name="Pat")
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    MeasurementPlan.objects.create(organisation=org, audience=owned_audience, process="Survey")
    key = api_key_create(organisation=org, name="Survey tool")
    webhook = endpoint_create(
        organisation=org, url="https://93.184.215.14/hook", events=["alert.opened"]
    ).endpoint
    [delivery] = webhook_emit(organisation=org, event_type="alert.opened", payload={})
    opportunity = opportunity_create(
        audience=owned_audience,
        data={"problem": "Long queue", "value": 3, "effort": 3, "touchpoints": [touchpoint]},
    )
    answer = Response.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=definition,
        score=2,
        responded_at=dt.datetime.now(dt.UTC),
        local_date=dt.date.today(),
        comment="The bus was late",
    )
    followup = FollowUp.objects.create(
        organisation=org, audience=owned_audience, definition=definition, response=answer
    )
    alert = Alert.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=definition,
        granularity="month",
        period_start=dt.date(2026, 10, 1),
        value=-40,
        threshold=0,
    )
    return {
        "alert": alert,
        "org": org,
        "users": {"lead": lead, "owner_this": owner, "owner_other": other_owner, "viewer": viewer},
        "audience": owned_audience,
        "stage": first,
        "touchpoint": touchpoint,
        "persona": persona,
        "definition": definition,
        "person": owner_person,
        "key": key,
        "webhook": webhook,
        "delivery": delivery,
        "opportunity": opportunity,
        "followup": followup,
    }


def _kwargs(name: str, world: dict[str, Any], wanted: tuple[str, ...]) -> dict[str, Any]:
    values = {
        "slug": world["audience"].slug,
        "audience": world["audience"].slug,
        "stage_id": world["stage"].pk,
        "touchpoint_id": world["touchpoint"].pk,
        "persona_id": world["persona"].pk,
        "definition_id": world["definition"].pk,
        "pk": world["key"].api_key.pk if "key" in name else world["person"].pk,
        "delivery_id": world["delivery"].pk,
        "alert_id": world["alert"].pk,
        "opportunity_id": world["opportunity"].pk,
    }
    if "webhook" in name:
        values["pk"] = world["webhook"].pk
    if "alert" in name:
        values["pk"] = world["alert"].pk
    if "followup" in name:
        values["pk"] = world["followup"].pk
    if "opportunity" in name:
        values["pk"] = world["opportunity"].pk
    if name == "api-definition-detail":
        values["slug"] = world["definition"].slug
    if name == "api-stage-detail":
        values["pk"] = world["stage"].pk
    if name == "api-touchpoint-detail":
        values["pk"] = world["touchpoint"].pk
    return {k: values[k] for k in wanted}


def _body(spec: Any, world: dict[str, Any]) -> Any:
    if spec == "touchpoint":
        return {
            "stage": world["stage"].pk,
            "name": "Phone call",
            "slug": "call",
            "channel": "phone",
        }
    if spec == "stage_order":
        stages = world["audience"].stages.order_by("-position")
        return {"order": list(stages.values_list("pk", flat=True))}
    if spec == "touchpoint_order":
        cards = world["stage"].touchpoints.order_by("-position")
        return {"order": list(cards.values_list("pk", flat=True))}
    if spec == "persona":
        return {"name": "Sam", "quotes-TOTAL_FORMS": "0", "quotes-INITIAL_FORMS": "0"}
    if spec == "csv":
        data = f"metric,score,responded_at\nnps,9,{NOW}\n".encode()
        return {"file": SimpleUploadedFile("r.csv", data, content_type="text/csv")}
    if spec == "archived":
        world["audience"].archived = True
        world["audience"].save()
        return {}
    return spec


def _client(role: str, world: dict[str, Any]) -> Any:
    if role == "anonymous":
        return APIClient()
    if role == "key":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['key'].raw_key}")
        return client
    return login_in(APIClient(), world["users"][role], world["org"])


def _send(client: Any, method: str, path: str, body: Any) -> Any:
    if method == "post":
        return client.post(path, body)
    if method == "json":
        return client.post(path, json.dumps(body), content_type="application/json")
    verb = method.removeprefix("api-")
    return getattr(client, verb)(path, body, format="json")


ROUTE_KWARGS = {route.name: route.kwargs for route in ROUTES}
CASES = [(name, role) for name in WRITES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_it_lets_only_the_right_people_write(name, role, world_a):
    method, who_may, spec, writes = WRITES[name]
    expected = who_may[role]
    path = reverse(name, kwargs=_kwargs(name, world_a, ROUTE_KWARGS[name]))
    body = _body(spec, world_a)
    client = _client(role, world_a)
    before = org_snapshot(world_a["org"])
    answer = _send(client, method, path, body)
    status = answer.status_code
    if expected == OK:
        assert status in (200, 201, 302), (status, answer.content[:500])
        if status == 302:
            assert not answer["Location"].startswith("/login/")
        if writes:
            assert org_snapshot(world_a["org"]) != before, f"{role} {name}: nothing was written"
        return
    if expected == FORBIDDEN:
        assert status == 403, (status, answer.content[:300])
    elif expected == LOGIN:
        assert status == 302 and answer["Location"].startswith("/login/"), status
    else:
        assert status == 401, status
    assert _unused(org_snapshot(world_a["org"])) == _unused(before), (
        f"refused {role} {name} changed the data"
    )


def _unused(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The snapshot without the keys' last use: a refused key request still used the key."""
    return {
        label: [tuple(f for f in row if f[0] != "last_used_at") for row in rows]
        if label == "audiences.ApiKey"
        else rows
        for label, rows in snapshot.items()
    }


def _accepts_writes(route: Any, world: dict[str, Any], client: Any) -> bool:
    """Whether the view behind a URL takes POST or PATCH: DRF views say so; a Django view
    is asked (405 means no)."""
    cls = getattr(route.callback, "cls", None)
    if cls is not None:
        actions = getattr(route.callback, "actions", None) or {
            m: m for m in ("post", "patch", "put", "delete") if hasattr(cls, m)
        }
        return bool({"post", "patch", "put", "delete"} & set(actions))
    path = (
        reverse(route.name, kwargs=_kwargs(route.name, world, route.kwargs)) if route.name else "/"
    )
    return client.post(path, {}).status_code != 405


def test_it_lists_every_view_that_accepts_a_write(world_a):
    client = login_in(Client(), world_a["users"]["lead"], world_a["org"])
    unlisted = [
        route.name
        for route in ROUTES
        if route.name not in WRITES
        and route.name not in READ_ONLY
        and route.name not in OWN_WRITES
        and _accepts_writes(route, world_a, client)
    ]
    assert unlisted == [], "add these write views to WRITES (or READ_ONLY) in this file"


@pytest.mark.parametrize("name", sorted(READ_ONLY, key=str))
def test_it_writes_nothing_when_a_read_only_page_is_posted(name, world_a):
    client = login_in(Client(), world_a["users"]["lead"], world_a["org"])
    kwargs = _kwargs(name, world_a, ROUTE_KWARGS[name]) if name else {}
    before = org_snapshot(world_a["org"])
    client.post(reverse(name, kwargs=kwargs) if name else "/", {"name": "x", "slug": "y"})
    assert org_snapshot(world_a["org"]) == before
