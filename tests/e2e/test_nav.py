"""Browser: the main navigation stays one line at a laptop's 1280 px for the role with the
most links (a lead), and the organisation's settings open from their disclosure by keyboard."""

import pytest

from audiences.models import Membership, Role

pytestmark = pytest.mark.e2e


def test_the_lead_s_navigation_is_one_line_at_1280_px(page, sign_in, lead, other_org):
    # A lead of two organisations (the demo's Avery) also has the organisation switch.
    Membership.objects.create(user=lead, organisation=other_org, role=Role.LEAD)
    sign_in(lead)
    nav = page.get_by_role("navigation", name="Main")
    tops = nav.locator(":scope > a, :scope > details > summary").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) >= 10
    page.screenshot(path="/tmp/e2e-nav-1280.png")
    assert len(set(tops)) == 1, f"the navigation wraps: link tops {sorted(set(tops))}"


def test_the_organisation_menu_opens_by_keyboard_and_marks_the_current_page(page, sign_in, lead):
    sign_in(lead)
    nav = page.get_by_role("navigation", name="Main")
    audit = nav.get_by_role("link", name="Audit trail")
    assert not audit.is_visible()
    nav.locator("summary", has_text="Settings").focus()
    page.keyboard.press("Enter")
    assert audit.is_visible()
    audit.click()
    page.wait_for_url("**/app/audit/")
    assert nav.locator("summary.current", has_text="Settings").count() == 1


def test_on_a_phone_the_navigation_folds_behind_a_menu_button(page, sign_in, lead):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(lead)
    header = page.locator("header.topbar")
    nav = page.get_by_role("navigation", name="Main")
    folded = header.bounding_box()["height"]
    page.screenshot(path="/tmp/e2e-nav-390-folded.png")
    # Folded, the header is one row of brand, menu button and organisation, not ~300 px.
    assert folded < 130, folded
    assert not nav.get_by_role("link", name="Audiences").is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="Audiences").click()
    page.wait_for_url("**/app/audiences/")
    page.screenshot(path="/tmp/e2e-nav-390-open.png")


def test_a_member_of_two_organisations_switches_from_the_organisation_name(
    page, sign_in, lead, other_org
):
    Membership.objects.create(user=lead, organisation=other_org, role=Role.VIEWER)
    sign_in(lead)
    page.locator(".orgmenu summary").click()
    page.get_by_label("Switch organisation").select_option(other_org.slug)
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator(".org-name").first.inner_text() == other_org.name
