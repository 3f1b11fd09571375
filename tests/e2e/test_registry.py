"""The top ten in a real browser: drag and drop, keyboard only, the full list, a viewer."""

import pytest
from playwright.sync_api import Page, expect

from audiences.models import Audience
from audiences.services import audience_ranking_set
from tests.factories import AudienceFactory

pytestmark = pytest.mark.e2e


def ranked_slugs(page: Page) -> list[str]:
    return page.locator("#ranked-list > .rank-item").evaluate_all(
        "items => items.map(item => item.dataset.slug)"
    )


def stored_order(org) -> list[str]:
    return list(
        Audience.objects.for_org(org)
        .filter(rank__isnull=False)
        .order_by("rank")
        .values_list("slug", flat=True)
    )


def drag(page: Page, source_slug: str, target_slug: str) -> None:
    """Drag an item by its handle onto the upper half of another item, as a mouse would."""
    handle = page.locator(f"#rank-{source_slug} .drag-handle").bounding_box()
    target = page.locator(f"#rank-{target_slug}").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, handle["y"] + 8, steps=3)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 5, steps=15)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 3, steps=3)
    page.mouse.up()


@pytest.fixture
def four(org, lead):
    for slug in ["alpha", "bravo", "charlie", "delta"]:
        AudienceFactory(organisation=org, slug=slug, name=slug.title())
    audience_ranking_set(organisation=org, ordered_slugs=["alpha", "bravo", "charlie"], actor=lead)


def test_a_lead_drags_an_audience_to_rank_one_and_the_order_survives_a_reload(
    page, sign_in, lead, org, four
):
    sign_in(lead)
    page.goto("/app/audiences/top-ten/")
    drag(page, "charlie", "alpha")
    expect(page.locator("#rank-status")).to_have_text("Top ten saved.")
    assert stored_order(org) == ["charlie", "alpha", "bravo"]
    page.reload()
    assert ranked_slugs(page) == ["charlie", "alpha", "bravo"]
    expect(page.locator("#rank-charlie .rank-number")).to_have_text("1")


def test_a_lead_drags_an_unranked_audience_into_the_top_ten(page, sign_in, lead, org, four):
    sign_in(lead)
    page.goto("/app/audiences/top-ten/")
    drag(page, "delta", "bravo")
    expect(page.locator("#rank-status")).to_have_text("Top ten saved.")
    # Where exactly a cross-list drop lands depends on the pointer's path; what matters is
    # that Delta joined the top ten and the page, the database and a reload agree.
    shown = ranked_slugs(page)
    assert sorted(shown) == ["alpha", "bravo", "charlie", "delta"]
    assert stored_order(org) == shown
    page.reload()
    assert ranked_slugs(page) == shown
    expect(page.locator("#rank-delta form[data-move=remove]")).to_be_visible()


def test_a_lead_reorders_with_the_keyboard_only(page, sign_in, lead, org, four):
    sign_in(lead)
    page.goto("/app/audiences/top-ten/")
    page.locator("#rank-charlie form[data-move=up] button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#rank-status")).to_have_text("Charlie is now number 2. Top ten saved.")
    # Focus stays on the moved item, so pressing again keeps moving it.
    expect(page.locator("#rank-charlie form[data-move=up] button")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#rank-status")).to_have_text("Charlie is now number 1. Top ten saved.")
    # At the top "Move up" is gone; focus lands on the item's "Move down".
    expect(page.locator("#rank-charlie form[data-move=up]")).to_be_hidden()
    expect(page.locator("#rank-charlie form[data-move=down] button")).to_be_focused()
    # Tab to "Remove from top ten", then add Delta with the keyboard too.
    page.keyboard.press("Tab")
    expect(page.locator("#rank-charlie form[data-move=remove] button")).to_be_focused()
    page.locator("#rank-delta form[data-move=add] button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#rank-status")).to_have_text("Delta is now number 4. Top ten saved.")
    page.reload()
    assert ranked_slugs(page) == ["charlie", "alpha", "bravo", "delta"]
    assert stored_order(org) == ["charlie", "alpha", "bravo", "delta"]


def test_an_eleventh_audience_is_refused_with_a_message_and_the_drag_reverted(
    page, sign_in, lead, org
):
    slugs = [f"aud-{i:02d}" for i in range(11)]
    for slug in slugs:
        AudienceFactory(organisation=org, slug=slug, name=f"Audience {slug[-2:]}")
    audience_ranking_set(organisation=org, ordered_slugs=slugs[:10], actor=lead)
    sign_in(lead)
    page.goto("/app/audiences/top-ten/")

    drag(page, "aud-10", "aud-03")
    message = "The top ten is full: remove an audience before adding Audience 10."
    expect(page.locator("#rank-status")).to_have_text(message)
    assert ranked_slugs(page) == slugs[:10]
    expect(page.locator("#unranked-list #rank-aud-10")).to_be_visible()

    page.locator("#rank-aud-10 form[data-move=add] button").click()
    expect(page.locator("#rank-status")).to_have_text(message)
    assert stored_order(org) == slugs[:10]


def test_a_viewer_sees_no_edit_controls(page, sign_in, viewer, org, four):
    sign_in(viewer)
    for url in ["/app/audiences/top-ten/", "/app/audiences/", "/app/audiences/alpha/", "/app/"]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        for selector in [".drag-handle", "form[data-move]", "text=Add an audience", "text=Edit"]:
            expect(page.locator(selector)).to_have_count(0)
        expect(
            page.locator("form[method=post]:not([action$='/logout/']):not([action$='/language/'])")
        ).to_have_count(0)
