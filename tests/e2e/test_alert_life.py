"""Browser: an owner walks an alert from open to resolved (issue 14). Parent NPS crossed its
alert threshold last month; the owner opens the alert from their home, acknowledges it with a
note, resolves it with another, and the overview's open-alert count drops from 1 to 0."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from measurements.models import Alert, MetricKind
from measurements.periods import latest_complete_start
from measurements.rollups import rollup_full
from tests.factories import MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e


def test_an_owner_acknowledges_then_resolves_an_alert_and_the_overview_count_drops(
    page, sign_in, owner, owned_audience
):
    owned_audience.rank = 1
    owned_audience.save()
    nps = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.NPS,
        slug="nps",
        name="Parent NPS",
        alert_threshold=0,
        alert_min_n=4,
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    # Last complete month: 10, 3, 0, 6 → P 1, D 3 of 4 → (1 − 3) / 4 × 100 = −50, below 0.
    for score in (10, 3, 0, 6):
        respond(nps, score, datetime(latest.year, latest.month, 3, 12, tzinfo=UTC))
    rollup_full(organisation=owned_audience.organisation)  # the flow that opens alerts
    alert = Alert.objects.for_org(owned_audience.organisation).get(definition=nps)

    sign_in(owner)
    page.goto("/app/overview/")
    count = page.locator('tr[data-audience="parents"] [data-testid="open-alerts"]')
    assert count.inner_text().startswith("1")
    page.goto("/app/")
    row = page.locator("tr.alert-row", has_text="Parent NPS")
    assert "-50.0" in row.inner_text().replace("−", "-") and "Open" in row.inner_text()
    page.screenshot(path="/tmp/alerts-home.png", full_page=True)
    row.get_by_role("link", name="Parent NPS").click()
    page.wait_for_url(f"**/app/alerts/{alert.pk}/")
    assert "was -50.0 in" in page.locator(".alert-what").inner_text().replace("−", "-")
    page.screenshot(path="/tmp/alerts-detail-open.png", full_page=True)

    page.fill("#id_note", "Calling the PTA chair about the newsletter")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(f"**/app/alerts/{alert.pk}/")
    assert page.locator(".messages").inner_text() == "Alert acknowledged."
    history = page.locator(".alert-history")
    assert "Calling the PTA chair about the newsletter" in history.inner_text()
    assert page.get_by_role("button", name="Acknowledge").count() == 0

    page.fill("#id_note", "Newsletter goes out weekly again")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(f"**/app/alerts/{alert.pk}/")
    assert "closed for everyone" in page.locator(".messages").inner_text()
    steps = [s.strip() for s in history.locator("li").all_inner_texts()]
    assert [s.split(" by ")[0].split(" · ")[0] for s in steps] == [
        "Opened",
        "E-mailed to Olive Owner",  # the alert's e-mail, sent when the rollup opened it
        "Acknowledged",
        "Resolved",
    ]
    assert "Newsletter goes out weekly again" in steps[3]
    assert page.get_by_role("button", name="Resolve").count() == 0
    page.screenshot(path="/tmp/alerts-detail-resolved.png", full_page=True)

    page.get_by_role("link", name="Overview").click()
    cell = page.locator('tr[data-audience="parents"] td').last
    assert cell.inner_text() == "0"
    page.goto("/app/alerts/?status=all")
    page.screenshot(path="/tmp/alerts-list.png", full_page=True)
    assert page.locator('[data-count="open"]').inner_text() == "0"
    assert page.locator('[data-count="resolved"]').inner_text() == "1"
