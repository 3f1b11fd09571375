"""Browser: an owner acknowledges an alert, then adds a progress note of 2,000 characters with
no space in it (walk1 #10, #16): the alert stays acknowledged, the note is in its history, and
the page does not grow wider than the window."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from measurements.models import Alert, MetricKind
from measurements.periods import latest_complete_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e


def test_an_acknowledged_alert_takes_a_long_note_without_widening_the_page(
    page, sign_in, owner, owned_audience
):
    nps = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.NPS,
        slug="nps",
        name="Parent NPS",
        alert_threshold=0,
        alert_min_n=4,
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    for score in (10, 3, 0, 6):  # (1 − 3) / 4 × 100 = −50, below 0
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=owned_audience.organisation)
    alert = Alert.objects.for_org(owned_audience.organisation).get(definition=nps)

    sign_in(owner)
    page.goto(f"/app/alerts/{alert.pk}/")
    page.fill("#id_note", "Calling the PTA")
    page.click("button:has-text('Acknowledge')")
    assert page.locator("#id_note").get_attribute("maxlength") == "2000"
    long_note = "x" * 2000
    page.fill("#id_note", long_note)
    page.click("button:has-text('Add note')")

    page.wait_for_selector("text=Note added; the alert stays open.")
    page.screenshot(path="/tmp/fix-forms-alert-note.png", full_page=True)
    assert page.locator(".alert-history blockquote.note").last.inner_text() == long_note
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator("button:has-text('Resolve')").count() == 1
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
