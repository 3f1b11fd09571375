"""`definition_validate` runs once per save: once per browser POST of the definition form, and
still once per API write (the service validates every write, whoever calls it)."""

import contextlib
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements import admin, forms, services
from measurements.models import MetricDefinition
from tests.factories import MetricDefinitionFactory


@pytest.fixture
def calls():
    # One spy under every name the rules can be called by (a module that imported the function
    # itself holds its own reference), so no call goes uncounted.
    spy = mock.Mock(wraps=services.definition_validate)
    with contextlib.ExitStack() as stack:
        for module in (services, forms, admin):
            if hasattr(module, "definition_validate"):
                stack.enter_context(mock.patch.object(module, "definition_validate", spy))
        yield spy


def _form(**overrides):
    data = {"kind": "nps", "name": "", "slug": "", "margin_percent": "100", "active": "on"}
    data.update(overrides)
    return data


def _create_url(audience):
    return reverse("measurements:definition_create", args=[audience.slug])


def test_a_browser_create_validates_once(owner_client, owned_audience, calls):
    response = owner_client.post(_create_url(owned_audience), _form(target="35"))
    assert response.status_code == 302
    assert calls.call_count == 1


def test_a_browser_edit_validates_once(owner_client, owned_audience, calls):
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    url = reverse("measurements:definition_edit", args=[owned_audience.slug, definition.pk])
    response = owner_client.post(url, _form(slug="nps", target="10"))
    assert response.status_code == 302
    assert calls.call_count == 1
    definition.refresh_from_db()
    assert definition.target == 10


def test_a_browser_save_the_rules_refuse_validates_once(owner_client, owned_audience, calls):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    response = owner_client.post(_create_url(owned_audience), _form(min_group_size="0"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "already has a metric with the slug" in errors["slug"][0]
    assert "min_group_size" in errors
    assert calls.call_count == 1


def test_a_browser_save_with_a_bad_field_still_shows_every_rule_once(
    owner_client, owned_audience, calls
):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    response = owner_client.post(_create_url(owned_audience), _form(target="nan"))
    errors = response.context["form"].errors
    assert errors["target"] == ["Enter a number."]
    assert "already has a metric with the slug" in errors["slug"][0]
    assert calls.call_count == 1
    assert MetricDefinition.all_orgs.filter(audience=owned_audience).count() == 1


def test_an_api_write_is_still_validated_once(org, owned_audience, calls):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='Tool').raw_key}"
    )
    body = {"audience": owned_audience.slug, "kind": "ttr", "target": -1}
    refused = client.post("/api/v1/metric-definitions/", body, format="json")
    assert refused.status_code == 400
    assert "out of range" in refused.json()["errors"][0]["message"]
    assert calls.call_count == 1
    body["target"] = 48
    assert client.post("/api/v1/metric-definitions/", body, format="json").status_code == 201
    assert calls.call_count == 2
