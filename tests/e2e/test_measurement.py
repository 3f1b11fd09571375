"""An owner records how they measure in a real browser and watches the liability clear."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import StageFactory

pytestmark = pytest.mark.e2e


def check_state(page: Page, key: str):
    return page.locator(f'#liability-checks li[data-check="{key}"]')


def test_an_owner_fills_plan_journey_and_metric_and_sees_the_checks_clear(
    page, sign_in, owner, owned_audience
):
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/measurement/")
    for key in ("plan_recorded", "journey_mapped", "metric_defined", "data_flowing"):
        expect(check_state(page, key)).to_have_attribute("data-passed", "no")
    expect(check_state(page, "owner_named")).to_have_attribute("data-passed", "yes")

    # 1. The measurement plan.
    page.get_by_role("link", name="Write the plan").click()
    page.get_by_label("Process, in your own words").fill(
        "A relationship survey each term; the head reads every comment with the PTA."
    )
    page.get_by_label("Relationship survey").check()
    page.get_by_label("Interviews").check()
    page.get_by_label("Cadence").fill("Each term")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Measurement plan saved.")).to_be_visible()
    expect(check_state(page, "plan_recorded")).to_have_attribute("data-passed", "yes")

    # 2. A stage and a touchpoint on the journey.
    page.get_by_role("navigation", name="Audience sections").get_by_role(
        "link", name="Journey"
    ).click()
    page.get_by_role("link", name="Add a stage").click()
    page.get_by_label("Name").fill("Enquire")
    page.get_by_label("Phase").select_option("before")
    page.get_by_role("button", name="Add stage").click()
    page.get_by_role("link", name="Add a touchpoint to Enquire").click()
    page.get_by_label("Name").fill("School tour")
    page.get_by_label("Channel").select_option("in_person")
    page.get_by_label("Feels").fill("Nervous about fitting in")
    page.get_by_role("button", name="Add touchpoint").click()
    card = page.locator('[data-touchpoint="school-tour"]')
    expect(card).to_contain_text("School tour")
    # What the audience feels is on the map's Feels lane, under the stage's column.
    feels = page.locator('.stage[data-stage="Enquire"] .lane-feels')
    expect(feels).to_contain_text("School tour")
    expect(feels).to_contain_text("Nervous about fitting in")

    # 3. An active metric definition measured at that touchpoint.
    page.get_by_role("navigation", name="Audience sections").get_by_role(
        "link", name="Measurement"
    ).click()
    expect(check_state(page, "journey_mapped")).to_have_attribute("data-passed", "yes")
    page.get_by_role("link", name="Add a metric").click()
    page.locator("#id_kind").select_option("csat")
    page.locator("#id_touchpoint").select_option(label="Enquire · School tour")
    page.locator("#id_target").fill("85")
    page.get_by_role("button", name="Add metric").click()
    expect(page.locator('tr[data-definition="csat"] .formula')).to_have_text(
        "CSAT = % scoring 4–5 on 1–5"
    )

    # Every check clears except data, which only arrives through the API.
    for key in ("owner_named", "plan_recorded", "journey_mapped", "metric_defined"):
        expect(check_state(page, key)).to_have_attribute("data-passed", "yes")
    expect(check_state(page, "data_flowing")).to_have_attribute("data-passed", "no")
    expect(page.locator("#liability-checks")).to_contain_text("5 of 6 checks pass")


def test_the_journey_map_shows_stages_in_order_and_moves_them_with_the_keyboard(
    page, sign_in, owner, owned_audience
):
    for position, (name, phase) in enumerate(
        [("Enquire", "before"), ("Visit", "before"), ("Enrol", "during"), ("Term one", "after")]
    ):
        # Created out of order: the map must follow position, not creation.
        StageFactory(audience=owned_audience, name=name, phase=phase, position=3 - position)
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    columns = page.locator(".journey > .stage")
    order = columns.evaluate_all("cols => cols.map(c => c.dataset.stage)")
    assert order == ["Term one", "Enrol", "Visit", "Enquire"]
    # Columns sit side by side, left to right, in that order.
    lefts = columns.evaluate_all("cols => cols.map(c => c.getBoundingClientRect().left)")
    assert lefts == sorted(lefts) and len(set(lefts)) == 4

    page.get_by_role("button", name="Move stage Enquire left").focus()
    # The move is saved in place (the map is read again), with the result said aloud.
    page.keyboard.press("Enter")
    expect(page.locator("#map-status")).to_contain_text("Saved")
    order = page.locator(".journey > .stage").evaluate_all("cols => cols.map(c => c.dataset.stage)")
    assert order == ["Term one", "Enrol", "Enquire", "Visit"]
    expect(page.locator(".journey > .stage").first.locator(".phase-tag")).to_have_text(
        re.compile("After")
    )
