"""A walk of every page reachable from the app's own links, as lead, owner and viewer, on the demo
data and again after an API push, a CSV import, an archive and an alert: no 5xx, no page
without the layout.

Generic: nothing here lists pages. The walk starts at /app/ (and /api/docs/) and follows each
same-origin `<a href>` under them, so a new page is walked as soon as something links to it.
To stay fast on 22 audiences × their tabs, pages are grouped by view name and query keys and
at most `PER_KIND` of each group are fetched (the first ones the breadth-first walk meets).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.models import Audience, Organisation
from audiences.services import api_key_create
from journeys.models import Stage
from measurements.models import Alert, MetricDefinition
from measurements.periods import latest_complete_start

ROLES = {
    "lead": "avery.johnson@riverside.example",
    "owner": "maya.chen@riverside.example",
    "viewer": "sam.patel@riverside.example",
}
START = ["/app/", "/api/docs/"]
WALKED_PREFIXES = ("/app/", "/api/docs/")
# Pages not rendered from base.html by design: their own layout is checked elsewhere.
OWN_LAYOUT_PREFIXES = ("/api/docs/",)
# The app's layout: its top bar with the main navigation (templates/base.html, _nav.html).
LAYOUT_MARKERS = ('<header class="topbar">', 'id="mainnav"')  # the same in every language
# Links a GET must not follow: signing out ends the walk's session.
SKIPPED_VIEWS = {"logout"}
PER_KIND = 3
MAX_PAGES = 400  # per walk; a walk that reaches it fails, so the bound is never silent


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another origin, mailto:, javascript:
        if parts.path.startswith(WALKED_PREFIXES):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def kind_of(url: str) -> tuple[str, tuple[str, ...]] | None:
    """The group a URL is capped in: its view name and its query's keys; None: not an app URL."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("<unresolved>", ())
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return (match.view_name, keys)


@dataclass
class Walk:
    role: str
    visited: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def walk(
    client: Client,
    role: str,
    start: list[str],
    on_page: Callable[[str, str], None] | None = None,
    max_pages: int = MAX_PAGES,
) -> Walk:
    """The breadth-first walk; `on_page(url, html)` sees every HTML page it reads (the language
    walk of tests/i18n reads each page's words there)."""
    result = Walk(role)
    queue = deque(start)
    seen: set[str] = set()
    per_kind: dict[tuple, int] = {}
    referrer: dict[str, str] = {url: "(start)" for url in start}
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = kind_of(url)
        if kind[0] in SKIPPED_VIEWS or per_kind.get(kind, 0) >= PER_KIND:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        if len(result.visited) >= max_pages:
            result.problems.append(f"walk stopped at {max_pages} pages; raise MAX_PAGES")
            break
        response = client.get(url)
        result.visited.append((url, response.status_code))
        where = f"{role}: {url} (linked from {referrer.get(url)})"
        if response.status_code >= 500:
            result.problems.append(f"{where} answered {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            for link in links_of(f'<a href="{target}">', url):
                referrer.setdefault(link, url)
                queue.append(link)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue  # CSV exports and the like: the status is all there is to check
        html = response.content.decode()
        if on_page is not None:
            on_page(url, html)
        if not url.startswith(OWN_LAYOUT_PREFIXES):
            missing = [m for m in LAYOUT_MARKERS if m not in html]
            if missing:
                result.problems.append(f"{where} has no layout (missing {missing})")
        for link in links_of(html, url):
            referrer.setdefault(link, url)
            queue.append(link)
    return result


def _seed() -> Organisation:
    call_command("seed_demo", stdout=StringIO())
    return Organisation.objects.get(slug="riverside")


def _clients() -> dict[str, Client]:
    clients = {}
    for role, email in ROLES.items():
        # raise_request_exception=False: a crash is recorded as the 500 a user would get.
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(get_user_model().objects.get(email=email))
    return clients


def _walk_everyone(start: list[str]) -> list[Walk]:
    return [walk(client, role, start) for role, client in _clients().items()]


def _assert_clean(walks: list[Walk]) -> None:
    for w in walks:
        names = {kind_of(url)[0] for url, _ in w.visited}
        # The walk really went somewhere: past the home page, into audiences and dashboards.
        assert {"audiences:home", "audiences:detail", "measurements:dashboard"} <= names, (
            w.role,
            sorted(names),
        )
    problems = [p for w in walks for p in w.problems]
    assert not problems, "\n".join(problems)


def test_the_layout_marker_and_the_link_finder_work():
    """The walk's own parts: without them a walk could pass by seeing nothing."""
    html = (
        '<a href="/app/x/">x</a> <a href="https://elsewhere.example/app/">no</a>'
        '<a href="mailto:a@b.c">no</a> <a href="../y/?page=2">y</a>'
    )
    assert links_of(html, "/app/audiences/") == ["/app/x/", "/app/y/?page=2"]
    assert kind_of("/app/audiences/parents/?tab=1&b=2") == ("audiences:detail", ("b", "tab"))


@pytest.mark.django_db
def test_every_linked_page_answers_with_the_layout_on_the_demo_data():
    _seed()
    _assert_clean(_walk_everyone(START))


def _push_a_bad_month(organisation: Organisation) -> MetricDefinition:
    """An API push of detractors into the latest complete month of an audience the demo owner
    owns, enough to cross its alert threshold."""
    definition = MetricDefinition.objects.for_org(organisation).get(
        audience__slug="teachers", slug="nps"
    )
    start = latest_complete_start("month", organisation.timezone, timezone.now())
    day = datetime(start.year, start.month, 10, 15, tzinfo=UTC)
    items = [
        {
            "external_id": f"walk-{i}",
            "audience": "teachers",
            "metric": "nps",
            "score": 0,
            "responded_at": (day + timedelta(minutes=i)).isoformat(),
            "comment": "Nobody answered." if i % 10 == 0 else "",
        }
        for i in range(400)
    ]
    key = api_key_create(organisation=organisation, name="walk").raw_key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.content
    return definition


def _import_csv(lead: Client) -> str:
    day = (timezone.now() - timedelta(days=2)).isoformat()
    data = (
        "external_id,metric,score,responded_at,touchpoint,comment\n"
        f"walk-csv-1,nps,9,{day},parent-portal,Grades are up to date now\n"
        f"walk-csv-2,csat,2,{day},front-office-call,On hold for twenty minutes\n"
    ).encode()
    upload = lead.post(
        "/app/audiences/parents/import/", {"file": SimpleUploadedFile("results.csv", data)}
    )
    assert upload.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', upload.content.decode())
    assert token, "the preview offers no confirmation"
    confirmed = lead.post("/app/audiences/parents/import/confirm/", {"token": token.group(1)})
    assert confirmed.status_code == 302
    return confirmed["Location"]


@pytest.mark.django_db
def test_every_linked_page_answers_with_the_layout_after_the_writes_users_make(
    django_capture_on_commit_callbacks,
):
    organisation = _seed()
    lead = _clients()["lead"]
    with django_capture_on_commit_callbacks(execute=True):  # rollups and alerts run, as live
        definition = _push_a_bad_month(organisation)
        landed = [_import_csv(lead)]
    assert Alert.objects.for_org(organisation).filter(definition=definition, resolved_at=None)
    archived = lead.post("/app/audiences/teacher-candidates/archive/")
    assert archived.status_code == 302
    assert Audience.objects.for_org(organisation).get(slug="teacher-candidates").archived
    landed.append(archived["Location"])
    # A stage whose touchpoint stored responses carry stays (the CSV above tagged
    # front-office-call); the refusal is a page of its own.
    journey = "/app/audiences/parents/journey/"
    kept = Stage.objects.for_org(organisation).get(touchpoints__slug="front-office-call")
    refused = lead.post(f"{journey}stages/{kept.pk}/delete/")
    assert refused.status_code == 400
    assert Stage.objects.for_org(organisation).filter(pk=kept.pk).exists()
    # A removed stage takes its touchpoints with it (a new one nothing carries yet); its audit
    # entry names them.
    assert lead.post(f"{journey}stages/new/", {"name": "Walk", "phase": "after"}).status_code == 302
    stage = Stage.objects.for_org(organisation).get(audience__slug="parents", name="Walk")
    added = lead.post(
        f"{journey}stages/{stage.pk}/touchpoints/new/",
        {"stage": stage.pk, "name": "Walk-in", "channel": "in_person"},
    )
    assert added.status_code == 302 and stage.touchpoints.exists()
    removed = lead.post(f"{journey}stages/{stage.pk}/delete/")
    assert removed.status_code == 302
    assert not Stage.objects.for_org(organisation).filter(pk=stage.pk).exists()

    # Also start where each action landed: the archived audience is linked from nowhere else.
    _assert_clean(_walk_everyone(START + landed))
