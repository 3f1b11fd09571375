"""Guard: every edit form survives a no-op round trip through a real browser.

A lead opens each edit page of the demo organisation in Chromium and submits it unchanged.
The browser applies HTML's value sanitisation itself (a `type=date` input drops a value that
is not `YYYY-MM-DD`, a `type=number` input one that is not a valid float…), so a form that
renders a value the browser cannot hold silently loses it here. Nothing may change: no model
row of the organisation, no audit entry.

The pages are discovered, not listed: a crawl from the home page collects every link whose
URL name ends in `edit`, and every such URL name in the app's URLconf must be reached, so a
new edit form is covered (or fails this test) without anyone adding it here.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from audiences.demo import seed_registry
from audiences.models import AuditEntry, Organisation
from measurements.demo import seed_measurement

pytestmark = pytest.mark.e2e

APP_NAMESPACES = ("audiences", "journeys", "measurements")
PER_URL_NAME = 4  # instances of each edit page to round-trip; enough to vary the data
CRAWL_LIMIT = 400


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _edit_url_names() -> set[str]:
    """Every `namespace:name` of the app whose name ends in `edit`."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif (
                isinstance(entry, URLPattern)
                and namespace in APP_NAMESPACES
                and (entry.name or "").endswith("edit")
            ):
                names.add(f"{namespace}:{entry.name}")

    walk(get_resolver().url_patterns, None)
    return names


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _crawl_edit_pages(client: Client, start: str) -> dict[str, list[str]]:
    """{view name: [paths]} of the edit pages linked from the app's pages (GET only)."""
    wanted = _edit_url_names()
    found: dict[str, list[str]] = {name: [] for name in wanted}
    seen = {start}
    queue = deque([start])
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/app/") or parts.query:
                continue
            link = parts.path
            if link in seen or link.endswith(".csv"):
                continue
            seen.add(link)
            name = _view_name(link)
            if name in found:
                if len(found[name]) < PER_URL_NAME:
                    found[name].append(link)
                continue  # an edit page's own links lead nowhere new
            queue.append(link)
    return found


def _org_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if any(f.name == "organisation" and f.is_relation for f in model._meta.fields)
    ]


def _snapshot(organisation: Organisation) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every organisation-owned row as the form layer sees it (model_to_dict)."""
    snap: dict[str, dict[Any, dict[str, Any]]] = {
        "organisation": {organisation.pk: model_to_dict(organisation)}
    }
    for model in _org_models():
        rows = model._default_manager.filter(organisation=organisation)
        snap[model._meta.label] = {obj.pk: model_to_dict(obj) for obj in rows}
    return snap


def _diff(before: dict, after: dict) -> list[str]:
    out = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        for pk in sorted(set(old) | set(new), key=str):
            if old.get(pk) != new.get(pk):
                a, b = old.get(pk, {}), new.get(pk, {})
                fields = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
                out.append(f"{label} #{pk}: {fields}")
    return out


# The one form on the page that posts back to the page itself: the edit form.
SUBMIT_EDIT_FORM = """() => {
  const here = new URL(location.href).pathname;
  const forms = [...document.querySelectorAll('main form[method=post]')].filter(
    (f) => new URL(f.action, location.href).pathname === here);
  if (forms.length !== 1) return `expected one edit form, found ${forms.length}`;
  if (!forms[0].checkValidity()) {
    const bad = [...forms[0].elements].filter((e) => e.willValidate && !e.validity.valid);
    return 'the browser refuses the form: ' + bad.map((e) => e.name).join(', ');
  }
  forms[0].requestSubmit();
  return '';
}"""


def test_every_edit_form_submitted_unchanged_changes_nothing(page, sign_in):
    demo = seed_registry()
    seed_measurement(demo)
    organisation = demo["organisations"]["riverside"]
    lead_row = next(
        row
        for row in demo["sign_ins"]
        if row["role"] == "lead" and row["organisation"] == organisation.name
    )
    lead = get_user_model()._default_manager.get(email=lead_row["email"])

    client = Client()
    client.force_login(lead)
    pages = _crawl_edit_pages(client, "/app/")
    unreached = sorted(name for name, paths in pages.items() if not paths)
    assert not unreached, f"edit pages no link leads to on the demo data: {unreached}"

    page.goto("/login/")
    page.fill("#id_username", lead_row["email"])
    page.fill("#id_password", lead_row["password"])
    page.click("#content button[type=submit]")
    page.wait_for_url("**/app/**")

    problems = []
    for name, paths in sorted(pages.items()):
        for path in paths:
            before = _snapshot(organisation)
            audit_before = AuditEntry.all_orgs.filter(organisation=organisation).count()
            page.goto(path)
            with page.expect_navigation():
                refused = page.evaluate(SUBMIT_EDIT_FORM)
                if refused:
                    problems.append(f"{path} ({name}): {refused}")
                    page.reload()  # satisfies expect_navigation; nothing was submitted
                    continue
            if urlsplit(page.url).path == path:
                errors = page.locator(".error, .form-errors").all_inner_texts()
                problems.append(f"{path} ({name}): the form came back with errors {errors}")
            changed = _diff(before, _snapshot(organisation))
            if changed:
                problems.append(f"{path} ({name}) changed: {changed}")
            audit_after = AuditEntry.all_orgs.filter(organisation=organisation).count()
            if audit_after != audit_before:
                problems.append(f"{path} ({name}) wrote {audit_after - audit_before} audit entries")
    assert not problems, "\n".join(problems)
    assert sum(len(paths) for paths in pages.values()) >= len(pages)
