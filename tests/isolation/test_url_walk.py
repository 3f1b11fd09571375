"""Every URL of the app and the API, asked for organisation B's objects by people of A.

The list of URLs comes from the URL resolver, so a new view is walked without anyone
remembering to add it; a view whose URL kwargs this file cannot fill from B's objects fails
with its name until `PK_BY_VIEW` (or `WorldB.kwargs_for`) learns it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from axreg.api.errors import api_not_found
from tests.isolation.conftest import SECRET, login_in, org_snapshot

# Never walked, each for a reason:
SKIPPED_NAMES = {
    "login": "the sign-in form holds no organisation data (tests/audiences/test_sign_in.py)",
    "logout": "signs out; holds no organisation data",
    "healthz": "liveness probe: answers {'status': 'ok'} and nothing else",
    "api-schema": "the OpenAPI schema describes endpoints, not any organisation's data",
    "api-docs": "Swagger UI page for the schema; no organisation data",
}
SKIPPED_PREFIXES = {
    "admin/": "Django admin is for staff: a superuser sees every organisation by design "
    "(tests/audiences/test_admin.py); members are not staff",
    "static/": "static files hold no organisation data",
}
SKIPPED_CALLBACKS = {
    api_not_found: "the catch-all JSON 404 for unmatched API paths: it reads nothing",
}
# Views whose `pk` means different things: which of B's objects the walker sends.
PK_BY_VIEW = {
    "audiences:person_edit": "person",
    "audiences:api_key_revoke": "key",
    "webhooks:detail": "webhook",
    "webhooks:edit": "webhook",
    "webhooks:rotate": "webhook",
    "webhooks:delete": "webhook",
    "webhooks:redeliver": "webhook",
    "api-webhook-detail": "webhook",
    "api-alert-detail": "alert",
    "api-opportunity-detail": "opportunity",
    "api-stage-detail": "stage",
    "api-touchpoint-detail": "touchpoint",
    "measurements:followup_detail": "followup",
    "api-followup-detail": "followup",
}
# Views whose `slug` is not the audience's: which of B's objects' slug the walker sends.
SLUG_BY_VIEW = {
    "api-definition-detail": "definition",
}


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    callback: Any

    @property
    def label(self) -> str:
        return self.name or self.route or "/"

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _kwarg_names(pattern: Any) -> tuple[str, ...]:
    # Both kinds compile to a regex whose named groups are the view's kwargs.
    return tuple(pattern.regex.groupindex)


def _walk(patterns: list, prefix: str = "", namespace: str | None = None, kwargs=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                joined,
                kwargs + _kwarg_names(entry.pattern),
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(
                name,
                prefix + str(entry.pattern),
                kwargs + _kwarg_names(entry.pattern),
                entry.callback,
            )


def _walked(route: Route) -> bool:
    return (
        route.name not in SKIPPED_NAMES
        and not any(route.route.lstrip("^").startswith(p) for p in SKIPPED_PREFIXES)
        and route.callback not in SKIPPED_CALLBACKS
    )


ROUTES = [route for route in _walk(get_resolver().url_patterns) if _walked(route)]
WITH_KWARGS = [route for route in ROUTES if route.kwargs]
WITHOUT_KWARGS = [route for route in ROUTES if not route.kwargs]


def test_it_walks_the_views_of_every_app():
    names = {route.name for route in ROUTES}
    # A sanity floor, so a broken walk cannot pass by walking nothing.
    for expected in (
        "audiences:detail",
        "journeys:stage_edit",
        "measurements:dashboard",
        "api-audience-detail",
        "api-definition-detail",
        "api-response-list",
    ):
        assert expected in names
    assert len(WITH_KWARGS) >= 25


def _fill(route: Route, world: Any, *, slug: str | None = None) -> dict[str, Any]:
    values = world.kwargs_for(route.name)
    if route.name in PK_BY_VIEW:
        target = getattr(world, PK_BY_VIEW[route.name])
        values["pk"] = getattr(target, "api_key", target).pk
    if route.name in SLUG_BY_VIEW:
        values["slug"] = getattr(world, SLUG_BY_VIEW[route.name]).slug
    missing = [name for name in route.kwargs if name not in values]
    if missing:
        pytest.fail(
            f"URL pattern {route.label} ({route.route}) has kwargs {missing} that the isolation "
            "walker cannot fill from organisation B: add them to PK_BY_VIEW or "
            "WorldB.kwargs_for in tests/isolation/."
        )
    filled = {name: values[name] for name in route.kwargs}
    if slug is not None:
        filled[next(n for n in ("audience", "slug") if n in filled)] = slug
    return filled


def _path(route: Route, kwargs: dict[str, Any]) -> str:
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    return "/" + route.route


HTML_BODY = {
    "name": "Injected",
    "phase": "during",
    "direction": "up",
    "active": "0",
    "process": "Injected",
    "kind": "csat",
    "token": "guess",
    "quotes-TOTAL_FORMS": "0",
    "quotes-INITIAL_FORMS": "0",
}
API_BODY = {"name": "Injected", "archived": True, "rank": 1, "target": 1}


def _ask(client: Any, method: str, path: str, *, api: bool) -> Any:
    if method == "get":
        return client.get(path)
    if api:
        return getattr(client, method)(path, json.dumps(API_BODY), content_type="application/json")
    return client.post(path, HTML_BODY)


def _text(answer: Any) -> str:
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return content.decode("utf-8", errors="replace").lower()


def _check_refused(who: str, answer: Any, allowed: set[int], problems: list[str], where: str):
    status = answer.status_code
    if status == 302:
        # Only a non-member may be sent to sign in; never to a page of B.
        ok = 302 in allowed and answer["Location"].startswith("/login/")
    else:
        ok = status in allowed
    if not ok:
        problems.append(f"{who} {where}: answered {status}")
    if SECRET in _text(answer):
        problems.append(f"{who} {where}: the body shows organisation B's data")


@pytest.mark.parametrize("route", WITH_KWARGS, ids=lambda r: r.label)
def test_it_refuses_every_object_of_another_organisation(
    route, world_b, org, lead, owned_audience, dual_user, key_a
):
    b_before = org_snapshot(world_b.organisation)
    variants = [_fill(route, world_b)]
    if len(route.kwargs) > 1 and {"slug", "audience"} & set(route.kwargs):
        # A's own audience in the path, B's object ids after it: the classic id swap.
        variants.append(_fill(route, world_b, slug=owned_audience.slug))
    methods = ["get", "post", "patch"] if route.is_api else ["get", "post"]
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_a.raw_key}")
    actors: list[tuple[str, Any, set[int]]] = [
        ("lead of A", login_in(Client(), lead, org), {403, 404, 405}),
        ("lead of A and B, in A", login_in(Client(), dual_user, org), {403, 404, 405}),
        ("anonymous", Client(), {302, 401, 403, 405}),
    ]
    if route.is_api:
        actors.append(("API key of A", key_client, {403, 404, 405}))
    problems: list[str] = []
    for kwargs in variants:
        path = _path(route, kwargs)
        for who, client, allowed in actors:
            for method in methods:
                answer = _ask(client, method, path, api=route.is_api)
                _check_refused(who, answer, allowed, problems, f"{method.upper()} {path}")
    assert problems == []
    assert org_snapshot(world_b.organisation) == b_before, "a refused request changed B's data"

    # The control: the same path answers organisation B's own lead, so the walker really
    # pointed at B's objects (a wrong id would pass the checks above without proving a thing).
    own = _path(route, variants[0])
    if route.is_api and not route.name.startswith("api-webhook"):  # webhooks: leads, no keys
        b_client = APIClient()
        b_client.credentials(HTTP_AUTHORIZATION=f"Bearer {world_b.key.raw_key}")
    else:
        b_client = login_in(Client(), world_b.lead, world_b.organisation)
    answer = b_client.get(own)
    if answer.status_code == 405:
        answer = _ask(b_client, "post", own, api=route.is_api)
    assert answer.status_code not in (403, 404), f"B's lead cannot reach {own} either"


def _b_query(world: Any) -> str:
    definition = world.definition
    return (
        f"?audience={world.audience.slug}&metric={definition.slug}&first={definition.pk}"
        f"&second={definition.pk}&slug={world.audience.slug}&object_type=audience"
        f"&actor=user:{world.lead.pk}&owner={world.person.pk}&kind=customer"
        f"&from=2000-01-01&to=2100-01-01"
    )


def _b_body(route: Route, world: Any) -> tuple[Any, bool]:
    """A plausible write naming B's objects, for views without kwargs; (body, is_json)."""
    now = dt.datetime.now(dt.UTC).isoformat()
    slug = world.audience.slug
    items = {
        "api-response-list": {"audience": slug, "metric": "nps", "score": 9, "responded_at": now},
        "api-case-list": {"audience": slug, "external_id": "x", "opened_at": now},
        "api-revenue-event-list": {
            "audience": slug,
            "member": "m",
            "amount": "1",
            "currency": "EUR",
            "occurred_at": now,
        },
        "api-member-list": {"audience": slug, "member": "m", "joined_at": now},
        "api-definition-list": {"audience": slug, "kind": "csat", "slug": "injected"},
        "api-audience-list": {"name": "Injected", "slug": slug, "kind": "customer"},
        "audiences:rank": {"order": [slug]},
    }
    if route.name in items:
        return items[route.name], True
    return {
        "name": "Injected",
        "slug": slug,
        "kind": "customer",
        "stage": "current",
        "owner": world.person.pk,
        "user": world.lead.pk,
        "email": "injected@example.org",
        "move": "remove",
        "organisation": world.organisation.slug,
    }, False


@pytest.mark.parametrize("route", WITHOUT_KWARGS, ids=lambda r: r.label)
def test_it_shows_no_other_organisations_data_on_pages_without_an_object(
    route, world_b, org, lead, owned_audience, dual_user, key_a
):
    b_before = org_snapshot(world_b.organisation)
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_a.raw_key}")
    actors: list[tuple[str, Any]] = [
        ("lead of A", login_in(Client(), lead, org)),
        ("lead of A and B, in A", login_in(Client(), dual_user, org)),
    ]
    if route.is_api:
        actors.append(("API key of A", key_client))
    path = _path(route, {})
    body, is_json = _b_body(route, world_b)
    problems = []
    for who, client in actors:
        answers = [("GET", client.get(path + _b_query(world_b)))]
        if not (route.name == "audiences:switch_organisation" and who.startswith("lead of A and")):
            # (The dual member may switch to B: that is what the switcher is for.)
            if is_json:
                answer = client.post(path, json.dumps(body), content_type="application/json")
            else:
                answer = client.post(path, body)
            answers.append(("POST", answer))
        for method, answer in answers:
            if answer.status_code >= 500:
                problems.append(f"{who} {method} {path}: server error {answer.status_code}")
            if SECRET in _text(answer):
                problems.append(f"{who} {method} {path}: the body shows organisation B's data")
    assert problems == []
    assert org_snapshot(world_b.organisation) == b_before, "a request in A changed B's data"
    assert cross_organisation_references(org) == []


def cross_organisation_references(organisation: Any) -> list[str]:
    """Rows of `organisation` whose foreign keys point at another organisation's rows."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {"audiences", "journeys", "measurements", "webhooks"}:
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "organisation" not in names:
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model
            if not field.is_relation or target is None or field.name == "organisation":
                continue
            if "organisation" not in {f.name for f in target._meta.get_fields()}:
                continue
            bad = (
                model.objects.for_org(organisation)
                .exclude(**{f"{field.name}__isnull": True})
                .exclude(**{f"{field.name}__organisation": organisation})
            )
            found += [f"{model._meta.label} {row.pk}.{field.name}" for row in bad]
    return found


def test_it_finds_a_cross_organisation_reference_when_there_is_one(org, world_b):
    # The check above must be able to fail: plant one bad reference and see it reported.
    from audiences.models import Audience

    planted = Audience.objects.create(
        organisation=org, name="Planted", slug="planted", kind="customer", owner=world_b.person
    )
    assert cross_organisation_references(org) == [f"audiences.Audience {planted.pk}.owner"]
