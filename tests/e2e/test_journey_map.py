"""The journey map in a browser: scores on the map, the emotion curve and its table, and
reordering a touchpoint with the keyboard (saved, still there after a reload)."""

from datetime import UTC, datetime

from django.utils import timezone
from playwright.sync_api import expect

from journeys.models import Touchpoint
from measurements.models import MetricKind
from measurements.periods import latest_complete_start
from tests.factories import MetricDefinitionFactory, StageFactory, TouchpointFactory
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
    # Focus stays on the moved card's controls (now at the bottom: its "up" button).
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move touchpoint Form up"
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
    page.locator('[data-touchpoint="form"]').scroll_into_view_if_needed()
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
