"""Browser: the main navigation stays one line at a laptop's 1280 px for the role with the
most links (a lead), and the organisation's settings open from their disclosure by keyboard."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_lead_s_navigation_is_one_line_at_1280_px(page, sign_in, lead):
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
