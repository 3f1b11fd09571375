"""An opportunity's life in a real browser: the owner adds it from a touchpoint of the map in a
few clicks, the lead finds it in the organisation's list and moves it to done, and months
later it shows the touchpoint's metric before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from measurements.models import Opportunity, Response
from measurements.periods import previous_start
from tests.factories import MetricDefinitionFactory, StageFactory, TouchpointFactory

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/opportunities-"


def _months_back(count: int) -> dt.date:
    month = timezone.now().date().replace(day=1)
    for _ in range(count):
        month = previous_start("month", month)
    return month


def _answers(definition, touchpoint, month: dt.date, scores: list[int]) -> None:
    day = month.replace(day=10)
    for score in scores:
        Response.objects.create(
            organisation=definition.organisation,
            audience=definition.audience,
            definition=definition,
            score=score,
            responded_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            local_date=day,
            touchpoint=touchpoint,
        )


def test_an_opportunity_goes_from_a_touchpoint_to_done_with_its_before_and_after(
    page, sign_in, owner, lead, owned_audience
):
    stage = StageFactory(audience=owned_audience, name="Visit", phase="before", position=0)
    open_day = TouchpointFactory(stage=stage, name="Open day", slug="open-day", position=0)
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind="nps", name="Parent NPS", touchpoint=open_day, target=30
    )

    # 1. The owner adds it from the touchpoint on the map: problem, value, effort, save.
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    page.get_by_role("link", name="Add an opportunity at Open day").click()
    expect(page.get_by_role("heading", name="Add an opportunity at “Open day”")).to_be_visible()
    expect(page.get_by_label("Open day")).to_be_checked()  # the touchpoint, prefilled
    expect(page.get_by_label("The metric it should move")).to_have_value(str(nps.pk))
    page.get_by_label("Problem").fill("Nobody greets families at the door")
    page.locator("#id_value_3").check()  # 4
    page.locator("#id_effort_1").check()  # 2
    page.screenshot(path=SHOTS + "add.png", full_page=True)
    page.get_by_role("button", name="Add opportunity").click()
    expect(page.get_by_text("Opportunity added.")).to_be_visible()
    beside = page.locator('[data-opportunities="open-day"]')
    expect(beside).to_contain_text("Nobody greets families at the door")
    expect(beside).to_contain_text("Idea")
    expect(beside).to_contain_text("value 4 · effort 2")
    beside.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS + "map.png", full_page=True)

    # 2. The lead sees it in the organisation's list and moves it to done.
    page.context.clear_cookies()
    sign_in(lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    row = page.locator("tr", has_text="Nobody greets families at the door")
    expect(row).to_contain_text("Parents")
    expect(row).to_contain_text("2.0")  # 4 ÷ 2
    page.screenshot(path=SHOTS + "list.png", full_page=True)
    row.get_by_role("link", name="Nobody greets families at the door").click()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text("Opportunity moved to “Done”.")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Done")
    expect(page.locator("[data-before-after]")).to_contain_text("no complete month yet")

    # 3. Months later: recorded four months ago, done three months ago. Before = the month
    # before it was recorded: 10, 9, 3, 5 → (2 − 2) / 4 = 0.0, n 4. After = the two complete
    # months since: 10, 10, 8 and 9, 6 → (3 − 1) / 5 = 40.0, n 5. The month it was done in
    # and the running month do not count.
    _answers(nps, open_day, _months_back(5), [10, 9, 3, 5])
    _answers(nps, open_day, _months_back(3), [0, 0])
    _answers(nps, open_day, _months_back(2), [10, 10, 8])
    _answers(nps, open_day, _months_back(1), [9, 6])
    opportunity = Opportunity.objects.for_org(owned_audience.organisation).get()
    Opportunity.objects.for_org(owned_audience.organisation).filter(pk=opportunity.pk).update(
        created_at=dt.datetime.combine(_months_back(4).replace(day=15), dt.time(), dt.UTC),
        done_at=dt.datetime.combine(_months_back(3).replace(day=15), dt.time(), dt.UTC),
    )
    page.reload()
    table = page.locator("[data-before-after] table")
    open_day_row = table.locator("tr", has_text="Open day")
    expect(open_day_row).to_contain_text("0.0 (n 4, indicative)")
    expect(open_day_row).to_contain_text("40.0 (n 5, indicative)")
    expect(open_day_row).to_contain_text("+40.0")
    page.screenshot(path=SHOTS + "done.png", full_page=True)

    # Beside the touchpoint on the map too, after the ones still to do.
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    expect(beside.locator("[data-before-after]")).to_contain_text("0.0")
    expect(beside.locator("[data-before-after]")).to_contain_text("40.0")
    page.screenshot(path=SHOTS + "map-done.png", full_page=True)
