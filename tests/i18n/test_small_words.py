"""Short words that mean two things in Turkish or Korean, and a range said in full."""

from __future__ import annotations

import pytest
from django.utils import translation

from journeys.models import Channel


def test_a_journey_channel_event_is_not_a_webhook_event():
    with translation.override("tr"):
        assert Channel.EVENT.label == "Etkinlik"
        assert translation.gettext("Event") == "Olay"  # the webhook deliveries' column
    with translation.override("ko"):
        assert Channel.EVENT.label == "행사"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en-gb", "Must be a whole number from 1 to 5."),
        ("tr", "1 ile 5 arasında bir tam sayı olmalıdır."),
    ],
)
def test_an_opportunity_value_out_of_range_names_the_range(key_client, language, message):
    """It said only "Ensure this value is less than or equal to 5." (a Turkish tester)."""
    response = key_client.post(
        "/api/v1/opportunities/",
        {"audience": "nobody", "problem": "Slow", "value": 9, "effort": 0},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["value"]["message"] == message and errors["value"]["code"] == "max_value"
    assert errors["effort"]["message"] == message and errors["effort"]["code"] == "min_value"
