"""Browser: the dashboard's trend charts read at a glance, on a laptop and on a phone.

What a user sees, read from the drawn Chart.js instances: month names under the x axis (not
ISO dates, not rotated), a tooltip with value, n and the 95% interval, small-n points hollow
and explained in the legend, targets with their unit, and a lone month drawn inside the plot.
Screenshots go to /tmp/h6_*.png for a person to look at.
"""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measurements.charts import period_label
from measurements.models import MetricKind
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from tests.factories import AudienceFactory, MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.e2e

MONTH_LABEL = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")

CHART = """(slug) => {
  const canvas = document.querySelector(
    `article.metric-card[data-definition="${slug}"] canvas.trend-chart[data-rendered="true"]`);
  const chart = Chart.getChart(canvas);
  const meta = chart.getDatasetMeta(0);
  return {
    ticks: chart.scales.x.ticks.map((t) => t.label).filter(Boolean),
    rotation: chart.scales.x.labelRotation,
    yMax: chart.scales.y.max,
    area: chart.chartArea,
    width: chart.width,
    legend: chart.legend.legendItems.map((i) => i.text),
    points: meta.data.map((p, i) => ({
      x: p.x, y: p.y, skip: p.skip, radius: p.options.radius,
      fill: p.options.backgroundColor, value: chart.data.datasets[0].data[i],
    })),
  };
}"""


def _months(count: int) -> list:
    months = [latest_complete_start("month", "UTC", timezone.now())]
    while len(months) < count:
        months.append(previous_start("month", months[-1]))
    return list(reversed(months))


def _at(month, day: int = 3) -> datetime:
    return datetime(month.year, month.month, day, 12, tzinfo=UTC)


@pytest.fixture
def demo_like(owned_audience):
    """A year of parent NPS (months of 36 answers and months of a few: indicative), a CSAT
    measured in the latest month only (a lone point), and time to resolution with no data."""
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS", target=40
    )
    csat = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Parent CSAT",
        scale_min=1,
        scale_max=5,
        target=80,
    )
    months = _months(12)
    for i, month in enumerate(months[:-1]):
        # 36 answers (n ≥ 30) in even months, 6 in odd ones; 20 promoters of 36 → NPS 38.9.
        scores = [10] * 20 + [8] * 8 + [3] * 8 if i % 2 == 0 else [10, 10, 10, 7, 2, 2]
        for score in scores:
            respond(nps, score, _at(month))
    # The latest month: 12 promoters, 5 passives, 3 detractors of 20 → NPS 45, indicative,
    # adjusted-Wald interval 8.4 … 69.8 (worked in tests/measurements/test_charts.py).
    for score in [9] * 12 + [7] * 5 + [0] * 3:
        respond(nps, score, _at(months[-1]))
    # CSAT: 8 of 10 satisfied (4–5 on 1–5) in the latest month only → 80.0 %, 49.0 … 94.3.
    for score in [5] * 6 + [4] * 2 + [2] * 2:
        respond(csat, score, _at(months[-1], 5))
    rollup_full(organisation=owned_audience.organisation)
    return months


def _hover(page, slug: str, index: int) -> dict:
    """Move the mouse onto point `index` as a user would; return the tooltip Chart.js shows."""
    canvas = page.locator(f'article.metric-card[data-definition="{slug}"] canvas.trend-chart')
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(CHART, slug)["points"][index]
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(
        """(slug) => {
          const c = document.querySelector(`article[data-definition="${slug}"] canvas`);
          return Chart.getChart(c).tooltip.opacity > 0;
        }""",
        arg=slug,
    )
    return page.evaluate(
        """(slug) => {
          const c = document.querySelector(`article[data-definition="${slug}"] canvas`);
          const t = Chart.getChart(c).tooltip;
          const lines = [].concat(t.title, ...t.body.map((b) => b.before.concat(b.lines, b.after)));
          return lines.join("\\n");
        }""",
        slug,
    )


def test_the_trend_charts_read_at_a_glance_on_a_laptop(page, sign_in, viewer, demo_like):
    sign_in(viewer)
    page.goto("/app/audiences/parents/dashboard/")
    page.locator('canvas.trend-chart[data-rendered="true"]').first.wait_for()

    nps = page.evaluate(CHART, "nps")
    assert nps["width"] >= 450  # two cards a row at 1280 px, not three narrow ones
    assert nps["ticks"] and all(MONTH_LABEL.match(label) for label in nps["ticks"])
    assert nps["ticks"][-1] == period_label(demo_like[-1], "month")
    assert nps["rotation"] == 0
    assert "Target 40" in nps["legend"]
    assert "95% interval" in nps["legend"]
    assert "Hollow: n < 30, indicative only" in nps["legend"]
    # Months of 36 answers are filled; months of 6 and the latest (20) are hollow.
    assert nps["points"][0]["fill"] == "#2b59c3"
    assert nps["points"][1]["fill"] == "#fff"
    assert nps["points"][-1]["fill"] == "#fff"

    tooltip = _hover(page, "nps", 11)
    assert period_label(demo_like[-1], "month") in tooltip
    assert "Parent NPS: 45.0" in tooltip
    assert "n = 20 (indicative only: n < 30)" in tooltip
    assert "95% interval 8.4 – 69.8" in tooltip

    csat = page.evaluate(CHART, "csat")
    assert "Target 80 %" in csat["legend"]
    assert csat["yMax"] == 100  # the interval reaches 94.3 %: the axis stops at 100 %
    drawn = [p for p in csat["points"] if p["value"] is not None]
    assert len(drawn) == 1
    lone, area = drawn[0], csat["area"]
    assert not lone["skip"]
    # The whole dot, not just its centre, lies inside the plot area.
    assert (
        area["left"] <= lone["x"] - lone["radius"] and lone["x"] + lone["radius"] <= area["right"]
    )
    assert (
        area["top"] <= lone["y"] - lone["radius"] and lone["y"] + lone["radius"] <= area["bottom"]
    )
    tooltip = _hover(page, "csat", 11)
    assert "Parent CSAT: 80.0 %" in tooltip
    assert "n = 10" in tooltip
    assert "95% interval 49.0 – 94.3 %" in tooltip

    page.locator('article.metric-card[data-definition="csat"]').scroll_into_view_if_needed()
    page.screenshot(path="/tmp/h6_dashboard_1280.png", full_page=True)
    page.locator('article.metric-card[data-definition="nps"]').screenshot(
        path="/tmp/h6_nps_card_1280.png"
    )


def test_the_trend_charts_fit_a_phone(browser, base_url, password, viewer, demo_like):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", viewer.email)
        page.fill("#id_password", password)
        page.click("#content button[type=submit]")
        page.wait_for_url("**/app/**")
        page.goto("/app/audiences/parents/dashboard/")
        page.locator('canvas.trend-chart[data-rendered="true"]').first.wait_for()

        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        nps = page.evaluate(CHART, "nps")
        assert 250 <= nps["width"] <= 390
        assert nps["ticks"] and all(MONTH_LABEL.match(label) for label in nps["ticks"])
        assert nps["rotation"] == 0
        tooltip = _hover(page, "nps", 11)
        assert "n = 20" in tooltip and "95% interval 8.4 – 69.8" in tooltip
        page.screenshot(path="/tmp/h6_dashboard_390.png", full_page=True)
        page.locator('article.metric-card[data-definition="csat"]').screenshot(
            path="/tmp/h6_csat_card_390.png"
        )
    finally:
        context.close()


def test_the_compare_chart_has_titled_axes_and_month_labels(
    page, sign_in, viewer, owned_audience, demo_like
):
    staff = AudienceFactory(
        organisation=owned_audience.organisation, name="Staff", slug="staff", kind="employee"
    )
    enps = MetricDefinitionFactory(audience=staff, kind=MetricKind.NPS, slug="enps", name="eNPS")
    for i, month in enumerate(demo_like[-6:]):
        for score in (10, 10, 9, 7, 3, 3)[: 3 + i % 4]:  # 3–6 answers: eNPS 100 … 16.7
            respond(enps, score, _at(month, 8))
    rollup_full(organisation=owned_audience.organisation)
    nps = owned_audience.metric_definitions.get(slug="nps")

    sign_in(viewer)
    page.goto(f"{reverse('measurements:compare')}?first={enps.pk}&second={nps.pk}")
    page.locator('#compare-chart[data-rendered="true"]').wait_for()
    chart = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById("compare-chart"));
          const s = chart.scales;
          return { x: s.x.options.title.text, y: s.y.options.title.text,
                   y2: s.y2.options.title.text, rotation: s.x.labelRotation,
                   yMax: s.y.max, y2Max: s.y2.max,
                   ticks: s.x.ticks.map((t) => t.label).filter(Boolean) };
        }"""
    )
    assert chart["y"] == "Staff · eNPS (NPS points)"
    assert chart["y2"] == "Parents · Parent NPS (NPS points)"
    assert all(MONTH_LABEL.match(label) for label in chart["ticks"])
    assert chart["rotation"] == 0
    assert chart["yMax"] <= 100 and chart["y2Max"] <= 100  # no NPS 150 on an axis
    page.screenshot(path="/tmp/h6_compare_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # Chart.js resizes on the next frame
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/h6_compare_390.png", full_page=True)
