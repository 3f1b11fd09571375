"""What the language tests share: a function run in a language, an API client with the
organisation's key, and a CSAT with two months of results read by the dashboard tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond


def in_language(language: str, function, *args, **kwargs):
    with translation.override(language):
        return function(*args, **kwargs)


@pytest.fixture
def key_client(org) -> APIClient:
    """An integration's client: it signs with an API key of `org`, no session, no cookie."""
    client = APIClient()
    key = api_key_create(organisation=org, name="Survey tool")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


@pytest.fixture
def csat_with_results(owned_audience):
    """A CSAT of the latest complete month: 3 of 4 in the top box → 75.0 %, Wilson 95 %
    interval (0.75 + 1.96²/8 ∓ 1.96·√(0.75·0.25/4 + 1.96²/64)) / (1 + 1.96²/4) → 30.1 … 95.4 %;
    the month before 2 of 4. Target 80."""
    definition = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Parent CSAT",
        target=80,
        scale_min=1,
        scale_max=5,
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    for month, scores in ((before, (5, 4, 2, 1)), (latest, (5, 5, 4, 1))):
        for score in scores:
            respond(definition, score, datetime(month.year, month.month, 10, 12, tzinfo=UTC))
    rollup_full(organisation=definition.organisation)
    return definition


def dashboard_html(client, audience, language: str) -> str:
    response = client.get(
        reverse("measurements:dashboard", args=[audience.slug]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()
