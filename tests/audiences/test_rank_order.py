"""Ranked audiences come first, in rank order, then the unranked by name — on every database.

SQLite sorts NULL first in ascending order and PostgreSQL last, so a plain order_by("rank")
put the unranked audiences above the top ten on SQLite.
"""

import re

import pytest
from django.urls import reverse

from measurements.models import MetricKind
from tests.factories import AudienceFactory, MetricDefinitionFactory


@pytest.fixture
def mixed(org):
    """Two ranked audiences and two unranked ones whose names sort before them."""
    return [
        AudienceFactory(organisation=org, name="Zebras", slug="zebras", rank=1),
        AudienceFactory(organisation=org, name="Yaks", slug="yaks", rank=2),
        AudienceFactory(organisation=org, name="Aardvarks", slug="aardvarks"),
        AudienceFactory(organisation=org, name="Badgers", slug="badgers"),
    ]


EXPECTED = ["zebras", "yaks", "aardvarks", "badgers"]


def _order_in(page: str, pattern: str) -> list[str]:
    return [slug for slug in re.findall(pattern, page) if slug in EXPECTED]


def test_the_registry_lists_the_top_ten_before_the_unranked(viewer_client, mixed):
    page = viewer_client.get(reverse("audiences:list")).content.decode()
    seen = _order_in(page, r'href="/app/audiences/([a-z-]+)/"')
    assert list(dict.fromkeys(seen)) == EXPECTED


def test_the_health_grid_lists_the_top_ten_before_the_unranked(viewer_client, mixed):
    page = viewer_client.get(reverse("measurements:health")).content.decode()
    assert _order_in(page, r'data-audience="([a-z-]+)"') == EXPECTED


def test_the_api_lists_the_top_ten_before_the_unranked(viewer_client, mixed):
    body = viewer_client.get("/api/v1/audiences/").json()
    assert [a["slug"] for a in body["results"]] == EXPECTED


def test_the_compare_picker_lists_the_top_ten_first(viewer_client, mixed):
    for audience in mixed:
        MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps")
    page = viewer_client.get(reverse("measurements:compare")).content.decode()
    first_picker = page.split("</select>")[0]
    names = re.findall(r"<option[^>]*>\s*([A-Za-z]+) ·", first_picker)
    assert [n.lower() for n in names] == EXPECTED
