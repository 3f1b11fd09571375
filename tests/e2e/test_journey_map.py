"""The journey map in a browser: scores on the map, the emotion curve and its table,
reordering with the keyboard (saved, still there after a reload, focus never on the way back),
a phone's width, the printed pages and the persona view."""

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from journeys.models import Stage, Touchpoint
from measurements.models import MetricKind
from measurements.periods import latest_complete_start
from tests.factories import (
    MetricDefinitionFactory,
    PersonaFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.measurements.rollup_helpers import respond


def _journey(audience):
    visit = StageFactory(audience=audience, name="Visit", phase="before", position=0)
    enrol = StageFactory(audience=audience, name="Enrol", phase="during", position=1)
    open_day = TouchpointFactory(stage=visit, name="Open day", slug="open-day", emotions="Curious")
    form = TouchpointFactory(stage=enrol, name="Form", slug="form", position=0)
    TouchpointFactory(stage=enrol, name="Helpdesk", slug="helpdesk", position=1)
    csat = MetricDefinitionFactory(
        audience=audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Parent CSAT",
        scale_min=1,
        scale_max=5,
        target=80,
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    day = datetime(latest.year, latest.month, 3, 12, tzinfo=UTC)
    for score in (5, 5, 4, 2):  # 3 of 4 in the top two boxes: 75 %, n 4
        respond(csat, score, day, touchpoint=form)
    return open_day, form


def test_the_map_shows_scores_and_draws_the_emotion_curve(page, sign_in, viewer, owned_audience):
    _journey(owned_audience)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(viewer)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    score = page.locator('[data-scores="form"] .map-score')
    expect(score.locator(".map-score-value")).to_have_text("75.0 %")
    expect(score).to_contain_text("n 4")
    expect(score).to_contain_text("Indicative")
    expect(page.locator(".worst-callout")).to_contain_text("Form")
    canvas = page.locator("canvas#emotion-curve")
    expect(canvas).to_be_visible()
    # Chart.js has drawn: the canvas has a backing size and non-blank pixels.
    drawn = canvas.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return d.some(v => v !== 0); }"
    )
    assert drawn
    rows = page.locator("#curve-table tbody tr")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.curveStage)") == ["Visit", "Enrol"]
    expect(rows.nth(0)).to_contain_text("owner's note")
    expect(rows.nth(1)).to_contain_text("75.0")
    assert errors == []
    page.screenshot(path="/tmp/map-e2e-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/map-e2e-phone.png")
    # On a phone the map scrolls sideways instead of squeezing the columns.
    width = page.locator(".journey-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width[0] > width[1]
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    page.pdf(path="/tmp/map-e2e-print.pdf", landscape=True)


def test_a_touchpoint_moves_with_the_keyboard_and_stays_moved(page, sign_in, owner, owned_audience):
    _open_day, form = _journey(owned_audience)
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    page.get_by_role("button", name="Move touchpoint Form down").focus()
    page.keyboard.press("Enter")
    status = page.locator("#map-status")
    expect(status).to_contain_text("Saved")
    cards = page.locator('.stage[data-stage="Enrol"] .touchpoint')
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.touchpoint)") == ["helpdesk", "form"]
    # Now last, its "down" button is disabled: focus goes to its title, not to "up", where a
    # second Enter would move it straight back; the status says why.
    assert page.evaluate("document.activeElement.id") == f"touchpoint-{form.pk}-title"
    expect(status).to_have_text(
        "Moved touchpoint Form down. Saved. It is now the last touchpoint of Enrol."
    )
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.touchpoint)") == ["helpdesk", "form"]
    page.reload()
    cards = page.locator('.stage[data-stage="Enrol"] .touchpoint')
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.touchpoint)") == ["helpdesk", "form"]
    assert list(Touchpoint.all_orgs.filter(stage=form.stage).values_list("slug", flat=True)) == [
        "helpdesk",
        "form",
    ]


def test_a_touchpoint_dragged_above_another_is_saved(page, sign_in, owner, owned_audience):
    _open_day, form = _journey(owned_audience)
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    # By its handle onto the upper half of the card above, as a mouse would (SortableJS).
    # Both cards on screen: the handle is pressed where a person can see it (with a one-line
    # top bar the dragged card sat just below the fold once the upper one was scrolled to).
    page.locator('[data-touchpoint="form"]').scroll_into_view_if_needed()
    page.locator('[data-touchpoint="helpdesk"] .drag-handle').scroll_into_view_if_needed()
    handle = page.locator('[data-touchpoint="helpdesk"] .drag-handle').bounding_box()
    target = page.locator('[data-touchpoint="form"]').bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, handle["y"] + 8, steps=3)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 5, steps=15)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 3, steps=3)
    page.mouse.up()
    expect(page.locator("#map-status")).to_contain_text("Order saved")
    assert list(Touchpoint.all_orgs.filter(stage=form.stage).values_list("slug", flat=True)) == [
        "helpdesk",
        "form",
    ]


def test_a_stage_moved_into_last_place_by_keyboard_keeps_focus_off_its_way_back(
    page, sign_in, owner, owned_audience
):
    _journey(owned_audience)
    visit = Stage.all_orgs.get(audience=owned_audience, name="Visit")
    StageFactory(audience=owned_audience, name="Term", phase="after", position=2)
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    status = page.locator("#map-status")
    page.get_by_role("button", name="Move stage Visit right").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Moved stage Visit right. Saved.")
    # Not at the end yet: focus stays on the same direction's button.
    assert page.evaluate("document.activeElement.id") == f"stage-{visit.pk}-right"
    page.keyboard.press("Enter")
    expect(status).to_have_text("Moved stage Visit right. Saved. It is now the last stage.")
    assert page.evaluate("document.activeElement.id") == f"stage-{visit.pk}-title"
    page.keyboard.press("Enter")  # on the title: nothing moves back
    page.wait_for_timeout(300)
    stages = page.locator(".stage")
    assert stages.evaluate_all("ss => ss.map(s => s.dataset.stage)") == ["Enrol", "Term", "Visit"]
    # Visit (before) now follows Term (after): the map says so, and keeps the order.
    expect(page.locator(".phase-order")).to_contain_text("“Visit” (Before) comes after “Term”")
    page.screenshot(path="/tmp/map-e2e-stage-last.png", full_page=True)
    assert list(Stage.all_orgs.filter(audience=owned_audience).values_list("name", flat=True)) == [
        "Enrol",
        "Term",
        "Visit",
    ]


def test_on_a_phone_only_the_map_scrolls_sideways(page, sign_in, owner, owned_audience):
    _journey(owned_audience)
    sign_in(owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    expect(page.locator("canvas#emotion-curve")).to_be_visible()
    page.screenshot(path="/tmp/map-e2e-phone-390.png", full_page=True)
    # The page itself is as wide as the screen (the hidden headings inside the columns made
    # it 971 px); the map scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    scroller = page.locator(".journey-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroller[0] > scroller[1]
    # Every row label fits its column: "OPPORTUNITIES" ran over the touchpoint's name.
    overflowing = page.locator(".lane-label").evaluate_all(
        "ls => ls.filter(l => l.scrollWidth > l.clientWidth).map(l => l.textContent)"
    )
    assert overflowing == []
    label = page.locator(".lane-label", has_text="Opportunities").bounding_box()
    column = page.locator(".stage").first.bounding_box()
    assert label["x"] + label["width"] <= column["x"]


def _pdf_pages(path):
    """The PDF's text page by page (poppler's pdftotext; .ci/run installs it)."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to read the printed pages")
    text = subprocess.run(
        ["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


def test_the_first_printed_page_holds_the_whole_summary_and_the_start_of_the_map(
    page, sign_in, viewer, owned_audience
):
    _journey(owned_audience)
    sign_in(viewer)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/")
    page.emulate_media(media="print")
    page.pdf(path="/tmp/map-e2e-print-a4.pdf", format="A4", landscape=True)
    pages = _pdf_pages("/tmp/map-e2e-print-a4.pdf")
    first = " ".join(pages[0].split())
    # The summary's last line was pushed to page 2, and the map with it.
    assert "Scores for" in first and "Groups too small to stay anonymous are hidden" in first
    assert "1. Visit" in first and "2. Enrol" in first
    assert "Emotion curve" in " ".join(pages[-2].split())  # the table, on its own page


def test_the_persona_view_has_no_reordering_and_an_unlinked_persona_says_so(
    page, sign_in, owner, owned_audience
):
    _open_day, form = _journey(owned_audience)
    sam = PersonaFactory(audience=owned_audience, name="Second-year teacher Sam")
    sam.touchpoints.set([form])
    nobody = PersonaFactory(audience=owned_audience, name="New parent Noor")
    sign_in(owner)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/?persona={sam.pk}")
    expect(page.locator(".reorder-off")).to_contain_text(
        "Reordering is off while only Second-year teacher Sam’s part of the journey is shown"
    )
    expect(page.locator(".touchpoint")).to_have_count(1)
    expect(page.locator(".drag-handle")).to_have_count(0)
    expect(page.get_by_role("button", name="Move touchpoint Form up")).to_have_count(0)
    page.screenshot(path="/tmp/map-e2e-persona.png", full_page=True)
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/?persona={nobody.pk}")
    empty = page.locator(".persona-empty")
    expect(empty).to_contain_text("New parent Noor is not linked to any stage or touchpoint yet")
    expect(page.get_by_text("No journey mapped yet")).to_have_count(0)
    page.screenshot(path="/tmp/map-e2e-persona-empty.png", full_page=True)
    empty.get_by_role("link", name="Link New parent Noor to stages or touchpoints").click()
    page.wait_for_url(f"**/personas/{nobody.pk}/edit/")
    page.goto(f"/app/audiences/{owned_audience.slug}/journey/?persona=abc")
    expect(page.locator(".persona-unknown")).to_contain_text("the whole journey is shown")
    expect(page.locator(".stage")).to_have_count(2)
    page.screenshot(path="/tmp/map-e2e-persona-unknown.png")
