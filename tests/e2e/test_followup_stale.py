"""Two tabs on one follow-up in a real browser (walk1 #1): the first closes it with a note, the
second (opened before) saves a note. The second is refused in words with its typed note kept,
the follow-up stays closed with the first note, and the history shows both steps."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from measurements.models import FollowUp, Response
from tests.factories import MetricDefinitionFactory

pytestmark = pytest.mark.e2e

SHOTS = "/tmp/fix-followups2"


def test_a_stale_tab_is_refused_and_the_closing_note_survives(
    page: Page, sign_in, owner, owner_person, org, owned_audience
):
    nps = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps", name="NPS")
    at = datetime.now(UTC) - timedelta(days=1)
    response = Response.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=nps,
        score=2,
        responded_at=at,
        local_date=at.date(),
        comment="Nobody called back",
    )
    followup = FollowUp.objects.create(
        organisation=org,
        audience=owned_audience,
        definition=nps,
        response=response,
        assignee=owner_person,
    )
    sign_in(owner)
    path = f"/app/follow-ups/{followup.pk}/"
    page.goto(path)
    tab2 = page.context.new_page()
    tab2.goto(path)

    page.get_by_role("combobox", name="Status").select_option("closed")
    page.get_by_role("textbox", name="Note").fill("Closed in tab 1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up saved: closed.")).to_be_visible()

    tab2.get_by_role("textbox", name="Note").fill("Typed in tab 2")
    tab2.get_by_role("button", name="Save").click()
    summary = tab2.locator("[data-error-summary]")
    expect(summary).to_contain_text("This follow-up was changed by Olive Owner")
    expect(summary).to_contain_text("it is now closed. Nothing was saved")
    expect(tab2.get_by_test_id("status")).to_have_text("Closed")
    expect(tab2.get_by_test_id("note")).to_have_text("Closed in tab 1")
    expect(tab2.get_by_role("textbox", name="Note")).to_have_value("Typed in tab 2")
    expect(tab2.get_by_test_id("history")).to_contain_text("Closed, note added by Olive Owner")
    tab2.screenshot(path=f"{SHOTS}-stale.png", full_page=True)

    saved = FollowUp.objects.for_org(org).get()
    assert (saved.status, saved.note) == ("closed", "Closed in tab 1")
