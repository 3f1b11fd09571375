"""Browser: the EX + CX page says how sure its correlation is and whether the first leads.

What a user sees: r with its 95% interval and n, the lag table (r, interval and n at each
lag 0–3, the strongest named), the chart redrawn at a chosen lag with a tooltip naming the
month each value is from, a metric compared with itself refused, and the page on a phone.
Screenshots go to /tmp/h7_*.png for a person to look at.
"""

from datetime import date

import pytest
from django.urls import reverse

from measurements.models import MetricKind, Rollup
from tests.factories import AudienceFactory, MetricDefinitionFactory

pytestmark = pytest.mark.e2e

# Ten months, Jan–Oct 2025. CX two months later is 2 × EX + 10 (y[t + 2] = 2·x[t] + 10), so
# lag 2 correlates perfectly; lag 0 is r = 0.29, Fisher interval −0.41 … 0.78 (n = 10),
# worked in tests/measurements/test_compare.py.
EX = [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3]
CX = [7.0, 4, 16, 12, 18, 12, 20, 28, 14, 22]


def _rollups(definition, values):
    for month, value in enumerate(values, start=1):
        Rollup.objects.create(
            organisation=definition.organisation,
            audience=definition.audience,
            definition=definition,
            granularity="month",
            period_start=date(2025, month, 1),
            value=value,
            n=40,
        )


@pytest.fixture
def ex_cx(owned_audience):
    staff = AudienceFactory(
        organisation=owned_audience.organisation, name="Staff", slug="staff", kind="employee"
    )
    enps = MetricDefinitionFactory(audience=staff, kind=MetricKind.NPS, slug="enps", name="eNPS")
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )
    _rollups(enps, EX)
    _rollups(nps, CX)
    return enps, nps


def _text(page, selector):
    # The page keeps "a … b" together with no-break spaces; compared here as plain spaces.
    return page.locator(selector).inner_text().replace("\xa0", " ")


def _cells(page):
    return page.locator("table.lag-table tbody tr").evaluate_all(
        "rows => rows.map((r) => Array.from(r.cells,"
        " (c) => c.textContent.replace(/\\s+/g, ' ').trim()))"
    )


def test_the_page_shows_r_its_interval_n_and_the_lag_table(page, sign_in, viewer, ex_cx):
    enps, nps = ex_cx
    sign_in(viewer)
    page.goto(f"{reverse('measurements:compare')}?first={enps.pk}&second={nps.pk}")
    page.locator('#compare-chart[data-rendered="true"]').wait_for()
    correlation = _text(page, "p.correlation")
    assert "over 10 shared periods: 0.29, 95% interval -0.41 … 0.78 (n = 10)" in correlation
    assert page.get_by_text("this correlation may be chance").count() == 0  # 10 ≥ 8
    assert page.locator("#lags-title").inner_text() == "Does eNPS lead Parent NPS?"
    rows = _cells(page)
    # Each other lag is a link (its hidden words say what it does for a screen reader).
    assert [row[0] for row in rows] == [
        "0 (same month) on the chart",
        "1 month: show on the chart",
        "2 months: show on the chart strongest",
        "3 months: show on the chart",
    ]
    assert [row[1:] for row in rows] == [
        ["0.29", "-0.41 … 0.78", "10"],
        ["0.00", "-0.66 … 0.66", "9"],
        ["1.00", "1.00 … 1.00", "8"],
        ["-0.18", "-0.82 … 0.66", "7 few"],  # under 8: marked
    ]
    strongest = _text(page, "p.strongest")
    assert strongest.startswith("Strongest: eNPS leading by 2 months, r = 1.00")
    page.screenshot(path="/tmp/h7_e2e_compare_1280.png", full_page=True)

    page.locator('tr[data-lag="2"] a').click()
    page.wait_for_url("**lag=2**")
    page.locator('#compare-chart[data-rendered="true"]').wait_for()
    chart = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById("compare-chart"));
          const march = chart.data.labels.indexOf("Mar 2025");
          chart.tooltip.setActiveElements(
            [{ datasetIndex: 0, index: march }, { datasetIndex: 1, index: march }], { x: 0, y: 0 });
          chart.update();
          return {
            first: chart.data.datasets[0].data.slice(0, 4),
            legend: chart.legend.legendItems.map((i) => i.text),
            tooltip: chart.tooltip.body.map((b) => b.lines.join(" ")),
          };
        }"""
    )
    # January's eNPS (3) now stands over March's Parent NPS (16 = 2 × 3 + 10).
    assert chart["first"] == [None, None, 3, 1]
    assert chart["legend"][0] == "Staff · eNPS from 2 months earlier"
    assert chart["tooltip"] == [
        "Staff · eNPS from 2 months earlier (Jan 2025): 3.0",
        "Parents · Parent NPS: 16.0",
    ]
    assert "2 months on the chart" in _cells(page)[2][0]
    assert "eNPS is drawn 2 months later" in page.locator("p.chart-lag").inner_text()

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # Chart.js resizes on the next frame
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/h7_e2e_compare_390.png", full_page=True)


def test_a_metric_compared_with_itself_is_a_form_error(page, sign_in, viewer, ex_cx):
    enps, _ = ex_cx
    sign_in(viewer)
    page.goto(f"{reverse('measurements:compare')}?first={enps.pk}&second={enps.pk}")
    second = page.locator("#second")
    assert second.get_attribute("aria-invalid") == "true"
    error = page.locator("#second_error").inner_text()
    assert error.startswith("Choose a metric other than the first")
    assert page.locator("p.correlation").count() == 0  # no correlation of 1.0
    assert page.locator("#compare-chart").count() == 0


def test_few_shared_months_are_flagged(page, sign_in, viewer, ex_cx):
    enps, nps = ex_cx
    Rollup.objects.for_org(nps.organisation).filter(
        definition=nps, period_start__gte=date(2025, 6, 1)
    ).delete()
    sign_in(viewer)
    page.goto(f"{reverse('measurements:compare')}?first={enps.pk}&second={nps.pk}")
    page.locator('#compare-chart[data-rendered="true"]').wait_for()
    assert "over 5 shared periods" in page.locator("p.correlation").inner_text()
    warning = page.locator(".message.warning").inner_text()
    assert warning == "Fewer than 8 shared months: this correlation may be chance."
    # Parent NPS has no rows after May, yet both lines keep the ten-month axis.
    labels = page.evaluate(
        'Chart.getChart(document.getElementById("compare-chart")).data.labels.length'
    )
    assert labels == 10
