"""API fixtures: a key for the organisation (and one for the other), a client that uses it,
and one NPS definition on an audience, so most tests can push at once."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from audiences.services import api_key_create
from tests.factories import MetricDefinitionFactory, TouchpointFactory


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # Throttle counters live in the cache; ids can repeat across tests on SQLite.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(org):
    return api_key_create(organisation=org, name="Survey tool")


@pytest.fixture
def other_key(other_org):
    return api_key_create(organisation=other_org, name="Acme CRM")


@pytest.fixture
def api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


@pytest.fixture
def other_api(other_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {other_key.raw_key}")
    return client


@pytest.fixture
def customers(org):
    from tests.factories import AudienceFactory

    return AudienceFactory(organisation=org, name="Customers", slug="customers")


@pytest.fixture
def nps(customers):
    return MetricDefinitionFactory(audience=customers, kind="nps", slug="nps")


@pytest.fixture
def touchpoint(customers):
    return TouchpointFactory(stage__audience=customers, slug="checkout")


def response_item(**overrides):
    item = {
        "external_id": "r-1",
        "audience": "customers",
        "metric": "nps",
        "score": 9,
        "responded_at": "2025-03-01T09:30:00+01:00",
    }
    item.update(overrides)
    return item
