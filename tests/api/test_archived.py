"""An archived audience: readable at its URL, restored by a lead, and closed to new data.

Pushes and metric definitions for it are refused (400, field `audience`) until it is
restored, through the API and in the browser alike.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from measurements.models import MetricDefinition
from measurements.models import Response as SurveyResponse
from tests.api.conftest import response_item

ARCHIVED = "Audience 'customers' is archived: restore it first."


@pytest.fixture
def archived(customers, nps):
    customers.archived = True
    customers.save()
    return customers


def test_it_reads_an_archived_audience_at_its_own_url(api, archived):
    answer = api.get("/api/v1/audiences/customers/")
    assert answer.status_code == 200
    assert answer.json()["archived"] is True


def test_it_lists_archived_audiences_only_when_asked(api, archived, unowned_audience):
    def slugs(**params):
        return [a["slug"] for a in api.get("/api/v1/audiences/", params).json()["results"]]

    assert slugs() == ["teachers"]
    assert sorted(slugs(archived="include")) == ["customers", "teachers"]
    assert slugs(archived="only") == ["customers"]


def test_a_key_restores_an_archived_audience_with_patch(api, archived):
    answer = api.patch("/api/v1/audiences/customers/", {"archived": False}, format="json")
    assert answer.status_code == 200
    assert answer.json()["archived"] is False
    archived.refresh_from_db()
    assert archived.archived is False
    assert AuditEntry.all_orgs.filter(action="restored", object_repr="Customers").exists()


def test_only_a_lead_restores_an_audience_in_a_session(owner, owned_audience, lead):
    owned_audience.archived = True
    owned_audience.save()
    client = APIClient()
    client.force_login(owner)
    refused = client.patch("/api/v1/audiences/parents/", {"archived": False}, format="json")
    assert refused.status_code == 403
    client.force_login(lead)
    restored = client.patch("/api/v1/audiences/parents/", {"archived": False}, format="json")
    assert restored.status_code == 200
    assert restored.json()["archived"] is False


def test_it_refuses_results_for_an_archived_audience_naming_the_item(api, archived):
    answer = api.post(
        "/api/v1/responses/",
        [response_item(), response_item(external_id="r-2")],
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"index": 0, "field": "audience", "code": "archived", "message": ARCHIVED},
        {"index": 1, "field": "audience", "code": "archived", "message": ARCHIVED},
    ]
    assert not SurveyResponse.all_orgs.exists()
    case = {"external_id": "c-1", "audience": "customers", "opened_at": "2025-03-01T09:00:00Z"}
    assert api.post("/api/v1/cases/", case, format="json").json()["errors"] == [
        {"field": "audience", "code": "archived", "message": ARCHIVED}
    ]


def test_it_refuses_new_and_changed_definitions_for_an_archived_audience(api, archived):
    new = api.post(
        "/api/v1/metric-definitions/",
        {"audience": "customers", "kind": "csat", "slug": "csat"},
        format="json",
    )
    assert new.status_code == 400
    assert new.json()["errors"] == [{"field": "audience", "code": "invalid", "message": ARCHIVED}]
    changed = api.patch(
        "/api/v1/metric-definitions/customers/nps/", {"name": "Renamed"}, format="json"
    )
    assert changed.status_code == 400
    assert changed.json()["errors"] == [
        {"field": "audience", "code": "invalid", "message": ARCHIVED}
    ]
    stored = MetricDefinition.all_orgs.values_list("slug", "name")
    assert list(stored) == [("nps", "Relationship NPS")]


def test_the_browser_refuses_a_definition_for_an_archived_audience_too(lead_client, archived):
    answer = lead_client.post(
        reverse("measurements:definition_create", kwargs={"slug": "customers"}),
        {
            "kind": "csat",
            "name": "CSAT",
            "slug": "csat",
            "margin_percent": "100",
            "min_group_size": "5",
            "active": "on",
        },
    )
    assert answer.status_code == 200
    assert "is archived: restore it first" in answer.content.decode()
    assert not MetricDefinition.all_orgs.filter(slug="csat").exists()


def test_a_restored_audience_takes_results_again(api, archived):
    api.patch("/api/v1/audiences/customers/", {"archived": False}, format="json")
    answer = api.post("/api/v1/responses/", response_item(), format="json")
    assert answer.status_code == 201


def test_the_measurement_tab_of_an_archived_audience_offers_no_write_it_would_refuse(
    lead_client, archived
):
    html = lead_client.get(reverse("measurements:plan", kwargs={"slug": "customers"})).content
    html = html.decode()
    assert "is archived: it takes no new results or metric changes" in html
    assert reverse("measurements:import", kwargs={"slug": "customers"}) not in html
    assert reverse("measurements:definition_create", kwargs={"slug": "customers"}) not in html
