"""An acknowledged alert takes a progress note without being closed (walk1 #16); a note over
2,000 characters is refused naming the field, in the browser and in the API (walk1 #10)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from audiences.models import AuditEntry
from measurements.models import Alert
from tests.factories import MetricDefinitionFactory
from tests.isolation.conftest import login_in


@pytest.fixture
def alert(owned_audience):
    nps = MetricDefinitionFactory(
        audience=owned_audience, name="Parent NPS", slug="nps", alert_threshold=0
    )
    return Alert.objects.create(
        organisation=nps.organisation,
        audience=owned_audience,
        definition=nps,
        granularity="month",
        period_start=date(2026, 10, 1),
        last_period_start=date(2026, 10, 1),
        value=-40.0,
        threshold=0,
    )


def _as(user, org) -> Client:
    return login_in(Client(), user, org)


def test_an_acknowledged_alert_takes_a_note_and_stays_acknowledged(owner, lead, org, alert):
    client = _as(owner, org)
    client.post(f"/app/alerts/{alert.pk}/acknowledge/", {"note": "Calling the PTA"})
    page = client.get(f"/app/alerts/{alert.pk}/").content.decode()
    assert "Add note</button>" in page and "Acknowledge</button>" not in page

    answer = client.post(f"/app/alerts/{alert.pk}/note/", {"note": "PTA meets on Thursday"})

    assert answer.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.closed_at is None
    page = client.get(answer["Location"]).content.decode()
    assert "Note added; the alert stays open." in page
    assert "Calling the PTA" in page and "PTA meets on Thursday" in page
    assert "<strong>Note added</strong> by" in page
    entry = AuditEntry.all_orgs.filter(object_type="alert", action="note_added").get()
    assert entry.actor_user == owner
    assert entry.changes == {"note": ["Calling the PTA", "PTA meets on Thursday"]}
    audit = _as(lead, org).get("/app/audit/").content.decode()
    assert "Note added" in audit and "PTA meets on Thursday" in audit


def test_an_empty_note_or_a_resolved_alert_is_refused_and_a_viewer_cannot_add(
    owner, viewer, org, alert
):
    client = _as(owner, org)
    client.post(f"/app/alerts/{alert.pk}/acknowledge/", {})
    answer = client.post(f"/app/alerts/{alert.pk}/note/", {"note": "  "})
    assert answer.status_code == 400 and "Write the note to add." in answer.content.decode()
    assert _as(viewer, org).post(f"/app/alerts/{alert.pk}/note/", {"note": "x"}).status_code == 403
    client.post(f"/app/alerts/{alert.pk}/resolve/", {})
    answer = client.post(f"/app/alerts/{alert.pk}/note/", {"note": "Late"})
    assert answer.status_code == 400
    assert "a resolved alert stays closed" in answer.content.decode()
    assert not AuditEntry.all_orgs.filter(action="note_added").exists()


def test_a_20000_character_note_is_refused_naming_the_field(owner, org, alert):
    answer = _as(owner, org).post(f"/app/alerts/{alert.pk}/resolve/", {"note": "z" * 20_000})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Note: Keep it to 2,000 characters or fewer (this has 20,000)." in page
    assert 'maxlength="2000"' in page and "Up to 2,000 characters." in page
    alert.refresh_from_db()
    assert alert.status == "open" and alert.note == ""
