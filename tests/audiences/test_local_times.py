"""Pages show times in the organisation's time zone; the API keeps answering in UTC."""

import datetime

import pytest

from audiences.models import ApiKey
from audiences.services import api_key_create
from tests.factories import MetricDefinitionFactory


@pytest.mark.django_db
def test_the_key_list_shows_when_a_key_was_made_in_the_organisations_time_zone(lead_client, org):
    org.timezone = "America/New_York"
    org.save()
    api_key_create(organisation=org, name="Survey tool")
    made = datetime.datetime(2026, 12, 1, 11, 24, tzinfo=datetime.UTC)
    ApiKey.objects.for_org(org).update(created_at=made)
    html = lead_client.get("/app/api-keys/").content.decode()
    assert "1 Dec 2026 06:24" in html  # 11:24 UTC is 06:24 in New York in December
    assert "11:24" not in html


@pytest.mark.django_db
def test_the_api_answers_in_utc_for_a_signed_in_browser_too(lead_client, org, owned_audience):
    org.timezone = "America/New_York"
    org.save()
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    item = {"audience": "parents", "metric": "nps", "score": 9}
    pushed = lead_client.post(
        "/api/v1/responses/",
        [{**item, "responded_at": "2025-03-01T09:30:00+01:00"}],
        content_type="application/json",
    )
    assert pushed.status_code == 201
    listed = lead_client.get("/api/v1/responses/").json()["results"]
    assert listed[0]["responded_at"] in ("2025-03-01T08:30:00Z", "2025-03-01T08:30:00+00:00")
