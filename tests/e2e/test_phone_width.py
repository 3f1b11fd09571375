"""Browser: at a phone's width (390 px) no page of the app scrolls sideways, in English, Korean
and Turkish. Wide tables and the journey map scroll inside their own box; the page itself
stays as wide as the screen.

Generic: the pages are the ones the lead's navigation and the first audience's tabs link to, so
a new page is checked as soon as it is linked. A re-walk found the health grid 638 px wide at
390 px in every language: a visually-hidden label inside the scrolling table was positioned
against the page, not the table.
"""

import io

import pytest
from django.core.management import call_command

from audiences.demo import PASSWORDS

pytestmark = pytest.mark.e2e

LEAD = "avery.johnson@riverside.example"
# The app's own links of a page: the main navigation, the settings menu and an audience's tabs.
LINKS = """() => [...document.querySelectorAll(
  '#mainnav a[href^="/app/"], .navmore-menu a[href^="/app/"], .tabs a[href^="/app/"]')]
  .map((a) => a.getAttribute('href'))"""
WIDTH = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize("language", ["en-gb", "ko", "tr"])
def test_no_page_scrolls_sideways_at_390_px(browser, base_url, language):
    call_command("seed_demo", "--language", language, stdout=io.StringIO())
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        locale={"en-gb": "en-GB", "ko": "ko-KR", "tr": "tr-TR"}[language],
    )
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", LEAD)
    page.fill("#id_password", PASSWORDS["lead"])
    page.click("#content button[type=submit]")
    page.wait_for_url("**/app/**")
    paths = page.evaluate(LINKS)
    page.goto("/app/audiences/parents/")
    paths += page.evaluate(LINKS)
    paths = list(dict.fromkeys(p.split("#")[0] for p in paths))
    assert len(paths) >= 12, paths  # the navigation and the tabs were found

    too_wide = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate(WIDTH)
        if width > 390:
            too_wide[path] = width
    context.close()
    assert not too_wide, f"pages wider than the 390 px screen in {language}: {too_wide}"


@pytest.mark.parametrize("language", ["en-gb", "ko", "tr"])
def test_the_top_bar_is_one_line_at_1280_px_for_every_role(browser, base_url, language):
    """The Turkish demo's organisation (Irmakkent İlçe Millî Eğitim Müdürlüğü) pushed the
    owner's and the viewer's "Settings" onto a second line; the name now yields its width."""
    call_command("seed_demo", "--language", language, stdout=io.StringIO())
    heights = {}
    for role, email in (
        ("lead", LEAD),
        ("owner", "maya.chen@riverside.example"),
        ("viewer", "sam.patel@riverside.example"),
    ):
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": 1280, "height": 900},
            locale={"en-gb": "en-GB", "ko": "ko-KR", "tr": "tr-TR"}[language],
        )
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORDS[role])
        page.click("#content button[type=submit]")
        page.wait_for_url("**/app/**")
        # One line of links: every main navigation link sits at the first one's height.
        tops = page.evaluate(
            "() => [...document.querySelectorAll('#mainnav > a, #mainnav > details')]"
            ".map((e) => Math.round(e.getBoundingClientRect().top))"
        )
        heights[role] = sorted(set(tops))
        context.close()
    assert all(len(tops) == 1 for tops in heights.values()), heights
