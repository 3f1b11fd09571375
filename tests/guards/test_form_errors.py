"""Issue #9 item 19: form errors tied to their fields, an error summary, a skip link."""

import re

from django.urls import reverse


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _described_by(html: str) -> list[str]:
    return [i for attr in re.findall(r'aria-describedby="([^"]+)"', html) for i in attr.split()]


def test_every_aria_describedby_points_at_an_element_of_the_page(owner_client, owned_audience):
    response = owner_client.post(
        reverse("journeys:stage_create", args=[owned_audience.slug]), {"name": "", "phase": ""}
    )
    html = response.content.decode()
    referenced = _described_by(html)
    assert "id_name_error" in referenced
    assert set(referenced) <= _ids(html), set(referenced) - _ids(html)


def test_the_error_summary_lists_each_field_with_a_link(owner_client, owned_audience):
    response = owner_client.post(
        reverse("journeys:stage_create", args=[owned_audience.slug]), {"name": "", "phase": ""}
    )
    html = response.content.decode()
    summary = re.search(r'<div[^>]*class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    assert "{#" not in html and "{%" not in html, "template syntax leaked into the page"
    assert 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert 'href="#id_name"' in summary.group(1) and 'href="#id_phase"' in summary.group(1)


def test_the_plan_methods_fieldset_is_described_by_its_help(owner_client, owned_audience):
    html = owner_client.get(
        reverse("measurements:plan_edit", args=[owned_audience.slug])
    ).content.decode()
    fieldset = re.search(r"<fieldset[^>]*>", html).group(0)
    assert 'id="id_methods"' in fieldset and "id_methods_helptext" in fieldset
    assert set(_described_by(html)) <= _ids(html)


def test_every_page_starts_with_a_skip_link_to_the_content(owner_client):
    html = owner_client.get("/app/").content.decode()
    body = html[html.index("<body") :]
    first_link = re.search(r"<a [^>]*>[^<]*</a>", body).group(0)
    assert 'href="#content"' in first_link and "Skip to content" in first_link
    assert re.search(r'<main[^>]*id="content"', html)
