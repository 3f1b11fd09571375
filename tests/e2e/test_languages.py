"""Browser: one walk in Korean and one in Turkish (issue 15).

Korean: a signed-out browser whose language is ko-KR gets the sign-in page in Korean, signs in
as the demo lead and walks home → audiences → a dashboard → a journey map; the navigation stays
one line at 1280 px, the charts speak Korean ("95% 신뢰구간", "66.7%": no space before the
percent sign) and nothing is logged to the console. Turkish: an English browser switches to
Türkçe from the header; the choice is the person's, kept after signing out and in again with
the cookies gone; the same walk shows a Turkish date, decimal commas and Turkish chart words
("%95 güven aralığı", "%80,0": the percent sign first).

Screenshots go to /tmp/shots-ko/ and /tmp/shots-tr/ for a person to look at.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import formats, translation
from django.utils.timezone import now

from audiences.demo import PASSWORDS
from measurements.models import MetricDefinition
from measurements.periods import latest_complete_start

pytestmark = pytest.mark.e2e

LEAD = "avery.johnson@riverside.example"  # the demo's lead (of two organisations)
DASHBOARD = "/app/audiences/parents/dashboard/"
JOURNEY = "/app/audiences/parents/journey/"

# The words of base.html and _nav.html, and of static/js, in each language.
NAV = {
    "ko": [
        "홈", "오디언스", "상위 10", "개요", "상태 표", "알림", "후속 조치", "개선 기회", "설정",
    ],
    "tr": [
        "Ana sayfa", "Kitleler", "İlk 10", "Genel bakış", "Sağlık tablosu", "Uyarılar",
        "Takipler", "Fırsatlar", "Ayarlar",
    ],
}  # fmt: skip
SIGN_OUT = {"ko": "로그아웃", "tr": "Çıkış yap"}

# The trend chart of one metric card, as Chart.js drew it: legend, y ticks, and where the
# latest point with a value is.
CHART = """(slug) => {
  const canvas = document.querySelector(
    `article.metric-card[data-definition="${slug}"] canvas.trend-chart[data-rendered="true"]`);
  const chart = Chart.getChart(canvas);
  const data = chart.data.datasets[0].data;
  let last = data.length - 1;
  while (last > 0 && (data[last] === null || data[last] === undefined)) last--;
  const point = chart.getDatasetMeta(0).data[last];
  return {
    legend: chart.legend.legendItems.map((i) => i.text),
    yTicks: chart.scales.y.ticks.map((t) => t.label).filter(Boolean),
    x: point.x, y: point.y,
  };
}"""

TOOLTIP = """(canvas) => {
  const t = Chart.getChart(canvas).tooltip;
  if (!t || t.opacity === 0 || !t.body) return null;
  return [].concat(t.title, ...t.body.map((b) => b.before.concat(b.lines, b.after))).join("\\n");
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--language", "en-gb", stdout=io.StringIO())


def _watch(page) -> list[str]:
    """Console errors and uncaught exceptions of the page, as they come."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _shot(page, lang: str, name: str) -> None:
    folder = Path(f"/tmp/shots-{lang}")
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _sign_in(page) -> None:
    page.goto("/login/")
    page.fill("#id_username", LEAD)
    page.fill("#id_password", PASSWORDS["lead"])
    page.click("#content button[type=submit]")
    page.wait_for_url("**/app/**")


def _nav_is_one_line(page, lang: str) -> None:
    nav = page.locator("#mainnav")
    for word in NAV[lang]:
        assert nav.get_by_text(word, exact=True).count() >= 1, word
    tops = nav.locator(":scope > a, :scope > details > summary").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) >= 10
    assert len(set(tops)) == 1, f"the {lang} navigation wraps: link tops {sorted(set(tops))}"


def _hover(page, selector: str, x: float, y: float) -> str:
    """Move the mouse onto a chart's point as a user would; the tooltip Chart.js shows."""
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    handle = canvas.element_handle()
    page.wait_for_function(f"(c) => ({TOOLTIP})(c) !== null", arg=handle)
    return page.evaluate(TOOLTIP, handle)


def _csat_chart(page) -> tuple[dict, str]:
    page.goto(DASHBOARD)
    page.locator('canvas.trend-chart[data-rendered="true"]').first.wait_for()
    chart = page.evaluate(CHART, "csat")
    selector = 'article.metric-card[data-definition="csat"] canvas.trend-chart'
    return chart, _hover(page, selector, chart["x"], chart["y"])


def _curve_tooltip(page) -> str:
    """The emotion curve's tooltip for its last point. The curve lies under the stage columns
    (pointer-events: none, so drags reach the cards), so it is opened as Chart.js would."""
    page.goto(JOURNEY)
    page.locator("#emotion-curve").wait_for()
    handle = page.locator("#emotion-curve").element_handle()
    page.wait_for_function("(c) => !!Chart.getChart(c)", arg=handle)
    page.evaluate(
        """(canvas) => {
          const chart = Chart.getChart(canvas);
          const last = chart.data.datasets[0].data.length - 1;
          const p = chart.getDatasetMeta(0).data[last];
          chart.tooltip.setActiveElements([{datasetIndex: 0, index: last}], {x: p.x, y: p.y});
          chart.update();
        }""",
        handle,
    )
    return page.evaluate(TOOLTIP, handle)


def test_a_korean_browser_gets_the_product_in_korean(browser, base_url, demo):
    context = browser.new_context(
        base_url=base_url, locale="ko-KR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = _watch(page)
    try:
        page.goto("/login/")
        assert page.locator("html").get_attribute("lang") == "ko"
        assert page.get_by_role("heading", level=1).inner_text() == "AX Registry 로그인"
        assert page.get_by_label("이메일").count() == 1
        _shot(page, "ko", "1-sign-in")
        _sign_in(page)

        assert page.locator("html").get_attribute("lang") == "ko"
        _nav_is_one_line(page, "ko")
        assert page.get_by_role("button", name=SIGN_OUT["ko"]).is_visible()
        _shot(page, "ko", "2-home")

        page.get_by_role("link", name="오디언스", exact=True).click()
        page.wait_for_url("**/app/audiences/")
        _nav_is_one_line(page, "ko")
        _shot(page, "ko", "3-audiences")

        chart, tooltip = _csat_chart(page)
        assert "95% 신뢰구간" in chart["legend"]
        # A share's ticks and values: Korean writes "80%", the number then the sign, no space.
        assert chart["yTicks"] and all(re.fullmatch(r"-?\d+(\.\d+)?%", t) for t in chart["yTicks"])
        assert re.search(r": \d+\.\d%", tooltip), tooltip
        assert re.search(r"95% 신뢰구간 \d+\.\d – \d+\.\d%", tooltip), tooltip
        assert re.search(r"n = \d+", tooltip), tooltip
        _shot(page, "ko", "4-dashboard")
        # Korean breaks lines between words (keep-all): on a phone nothing gets wider than it.
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        page.locator('canvas.trend-chart[data-rendered="true"]').first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(page, "ko", "4-dashboard-390")
        page.set_viewport_size({"width": 1280, "height": 900})

        curve = _curve_tooltip(page)
        assert "감정" in curve or "데이터 없음" in curve, curve
        _shot(page, "ko", "5-journey")
        assert errors == []
    finally:
        context.close()


def test_turkish_chosen_in_the_header_is_kept_and_speaks_turkish(browser, base_url, demo):
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = _watch(page)
    try:
        _sign_in(page)
        assert page.locator("html").get_attribute("lang") == "en-gb"
        page.locator(".langmenu summary").click()
        page.get_by_role("button", name="Türkçe").click()
        page.wait_for_function("document.documentElement.lang === 'tr'")
        _nav_is_one_line(page, "tr")

        # Kept as the person's choice: signed out, cookies gone, the sign-in page follows the
        # browser (English); signed in again, the product is in Turkish.
        page.get_by_role("button", name=SIGN_OUT["tr"]).click()
        page.wait_for_load_state()
        context.clear_cookies()
        page.goto("/login/")
        assert page.locator("html").get_attribute("lang") == "en-gb"
        _sign_in(page)
        assert page.locator("html").get_attribute("lang") == "tr"
        _nav_is_one_line(page, "tr")
        # The casing follows the language: capitals of "i" are "İ" in a Turkish page.
        assert (
            page.evaluate(
                """() => { const s = document.createElement("span");
              s.style.textTransform = "uppercase"; s.textContent = "iı";
              document.querySelector("main").append(s);
              const text = s.innerText; s.remove(); return text; }"""
            )
            == "İI"
        )
        _shot(page, "tr", "1-home")

        page.get_by_role("link", name="Kitleler", exact=True).click()
        page.wait_for_url("**/app/audiences/")
        _shot(page, "tr", "2-audiences")

        chart, tooltip = _csat_chart(page)
        # A Turkish month on the dashboard: the latest complete month by its name, "Kasım 2026"
        # (not the day it starts, "1 Kas 2026").
        with translation.override("tr"):
            month = formats.date_format(
                latest_complete_start("month", "UTC", now()), "YEAR_MONTH_FORMAT"
            )
        months = "Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık"
        assert re.fullmatch(rf"({months}) \d{{4}}", month), month
        assert month in page.locator("main").inner_text()
        # Turkish chart words, the percent sign first and a decimal comma.
        assert "%95 güven aralığı" in chart["legend"]
        assert chart["yTicks"] and all(re.fullmatch(r"-?%\d+(,\d+)?", t) for t in chart["yTicks"])
        assert re.search(r": %\d+,\d\b", tooltip), tooltip
        # Both ends of the interval carry the sign that comes first in Turkish.
        assert re.search(r"%95 güven aralığı: %\d+,\d – %\d+,\d", tooltip), tooltip
        _shot(page, "tr", "3-dashboard")

        curve = _curve_tooltip(page)
        assert re.search(r"Duygu 100 üzerinden \d+,\d|Veri yok", curve), curve
        _shot(page, "tr", "4-journey")

        # EX + CX: teachers' eNPS beside parents' NPS; the tooltip's values with a comma.
        pick = MetricDefinition._default_manager.filter(
            audience__organisation__slug="riverside", kind="nps"
        )
        first = pick.get(audience__slug="teachers")
        second = pick.get(audience__slug="parents")
        page.goto(f"/app/compare/?first={first.pk}&second={second.pk}")
        page.locator('#compare-chart[data-rendered="true"]').wait_for()
        lines = page.evaluate(
            """() => {
              const chart = Chart.getChart(document.getElementById("compare-chart"));
              const last = chart.data.labels.length - 1;
              chart.tooltip.setActiveElements(
                [{datasetIndex: 0, index: last}, {datasetIndex: 1, index: last}], {x: 0, y: 0});
              chart.update();
              return chart.tooltip.body.map((b) => b.lines.join(" "));
            }"""
        )
        assert lines and all(re.search(r": -?\d+,\d$", line) for line in lines), lines
        _shot(page, "tr", "5-compare")
        assert errors == []
    finally:
        context.close()
