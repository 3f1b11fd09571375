"""GET /api/v1/audiences/{slug}/metrics/: pushed results come back rolled up, org-scoped."""

import pytest
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import MetricKind
from tests.factories import MetricDefinitionFactory

URL = "/api/v1/audiences/{}/metrics/"


@pytest.fixture
def api(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    return client


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")


def _push(api, items, capture):
    with capture(execute=True):
        answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.content


def test_it_returns_values_rolled_up_after_a_push(api, nps, django_capture_on_commit_callbacks):
    # January 2025: 10, 9, 8, 2 → P 2, Pa 1, D 1 → NPS 25, n 4.
    # March: one 0 → −100. February has no data → null, n 0 (never 0 as a value).
    scores = [(10, "2025-01-05"), (9, "2025-01-06"), (8, "2025-01-07"), (2, "2025-01-31")]
    items = [
        {"audience": "parents", "metric": "nps", "score": s, "responded_at": f"{d}T12:00:00Z"}
        for s, d in scores
    ]
    items.append(
        {"audience": "parents", "metric": "nps", "score": 0, "responded_at": "2025-03-02T12:00:00Z"}
    )
    _push(api, items, django_capture_on_commit_callbacks)

    answer = api.get(
        URL.format("parents"), {"metric": "nps", "from": "2025-01-01", "to": "2025-03-31"}
    )

    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [(r["period_start"], r["value"], r["n"]) for r in results] == [
        ("2025-01-01", 25.0, 4),
        ("2025-02-01", None, 0),
        ("2025-03-01", -100.0, 1),
    ]
    january = results[0]
    assert (january["metric"], january["kind"], january["granularity"]) == ("nps", "nps", "month")
    assert january["details"]["promoters"] == 2
    # No "± margin" detail (it said ± 0 at n = 1): how sure a value is, is its interval.
    assert "margin_of_error" not in january["details"]
    low, high = january["interval"]
    assert low < 25.0 < high


def test_it_serves_weeks_starting_monday(api, nps, django_capture_on_commit_callbacks):
    # Sunday 5 Jan 2025 belongs to the week of Monday 30 Dec 2024; Monday 6 Jan starts the next.
    items = [
        {
            "audience": "parents",
            "metric": "nps",
            "score": 10,
            "responded_at": "2025-01-05T12:00:00Z",
        },
        {
            "audience": "parents",
            "metric": "nps",
            "score": 0,
            "responded_at": "2025-01-06T12:00:00Z",
        },
    ]
    _push(api, items, django_capture_on_commit_callbacks)
    results = api.get(URL.format("parents"), {"granularity": "week"}).json()["results"]
    assert [(r["period_start"], r["value"]) for r in results] == [
        ("2024-12-30", 100.0),
        ("2025-01-06", -100.0),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"granularity": "year"}, "granularity"),
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-03-01", "to": "2025-01-01"}, "from"),
        ({"metric": "nope"}, "metric"),
    ],
)
def test_it_refuses_bad_query_parameters_with_the_field_named(api, nps, query, field):
    answer = api.get(URL.format("parents"), query)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == field


def test_it_answers_404_for_another_organisations_audience(api, foreign_audience):
    assert api.get(URL.format("customers")).status_code == 404


def test_it_lets_a_signed_in_member_read(viewer_client, nps):
    answer = viewer_client.get(URL.format("parents"))
    assert answer.status_code == 200
    assert answer.json() == {"results": []}


def test_it_needs_credentials(client, nps):
    assert client.get(URL.format("parents")).status_code == 401
