"""A follow-up's life in a real browser: a detractor with a comment pushed through the API
becomes a follow-up the owner sees on their home; they assign it, note it and close it, and
the audience's loop numbers move."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from audiences.services import api_key_create
from tests.factories import MetricDefinitionFactory, PersonFactory

pytestmark = pytest.mark.e2e

SHOTS = "/tmp/followups"


def _loop(page: Page, audience_slug: str) -> tuple[str, str, str]:
    page.goto(f"/app/audiences/{audience_slug}/")
    card = page.locator('[data-testid="followup-loop"]')
    return (
        card.locator('[data-testid="loop-open"]').inner_text(),
        card.locator('[data-testid="loop-median"]').inner_text(),
        card.locator('[data-testid="loop-share"]').inner_text(),
    )


def test_an_owner_takes_a_pushed_detractor_from_created_to_closed(
    page, sign_in, base_url, owner, org, owned_audience
):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps", name="Parent NPS")
    PersonFactory(organisation=org, name="Tom Teammate", email="tom@example.org")
    key = api_key_create(organisation=org, name="Survey tool")
    pushed = page.request.post(
        f"{base_url}/api/v1/responses/",
        headers={"Authorization": f"Bearer {key.raw_key}"},
        data=[
            {
                "external_id": "survey-1",
                "audience": "parents",
                "metric": "nps",
                "score": 3,
                # Yesterday: only recent answers become follow-ups (FOLLOWUP_MAX_AGE_DAYS).
                "responded_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
                "comment": "Nobody told us the bus route changed",
                "respondent": "parent-42",
            }
        ],
    )
    assert pushed.status == 201, pushed.text()

    sign_in(owner)
    mine = page.get_by_test_id("my-followups")
    expect(mine).to_contain_text("1 open follow-up assigned to you")
    page.screenshot(path=f"{SHOTS}-home.png", full_page=True)
    assert _loop(page, "parents") == ("1", "—", "—")

    page.goto("/app/")
    mine.get_by_role("link", name="answer it").click()
    row = page.get_by_role("row").filter(has_text="Nobody told us the bus route changed")
    expect(row).to_contain_text("Olive Owner")
    page.screenshot(path=f"{SHOTS}-list.png", full_page=True)
    row.get_by_role("link").first.click()

    expect(page.get_by_test_id("comment")).to_have_text("Nobody told us the bus route changed")
    expect(page.get_by_text("parent-42")).to_be_visible()
    page.get_by_role("combobox", name="Assignee").select_option(label="Tom Teammate")
    page.get_by_role("combobox", name="Status").select_option("in_progress")
    page.get_by_role("textbox", name="Note").fill(
        "Rang the family; the route letter went to an old address."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up saved: in progress.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("In progress")
    expect(page.get_by_test_id("note")).to_contain_text("old address")
    page.screenshot(path=f"{SHOTS}-detail.png", full_page=True)

    page.get_by_role("combobox", name="Status").select_option("closed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    # Named as "Assigned to" names people, not by e-mail (walk1 #18).
    expect(page.locator("dd").filter(has_text="by Olive Owner")).to_be_visible()
    expect(page.get_by_text(f"by {owner.email}")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}-closed.png", full_page=True)

    opened, median, share = _loop(page, "parents")
    assert (opened, share) == ("0", "100 % (1 of 1)")
    assert median.endswith(" min")  # closed within minutes of its creation
    page.screenshot(path=f"{SHOTS}-audience.png", full_page=True)
    page.goto("/app/")
    expect(page.get_by_test_id("my-followups")).to_contain_text("No open follow-ups")
