"""What a native Turkish tester found on the built issue 15 (English, Korean, Turkish), each
fixed in the display layer and checked here with hand-worked texts:

1. an interval's low end had no percent sign in Turkish ("80,6 – %89,6");
2. chart tooltips wrote "2433,5 USD" where the card says "2.590,7 USD";
3. a month was written as the day it starts ("starting 1 Nov 2026");
4. a name that already says its kind was followed by the kind ("Veli NPS NPS");
5. upper-cased table headers turned "eNPS" into "ENPS".
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from measurements.display import interval_text, local_number, metric_title
from measurements.models import MetricDefinition, MetricKind
from measurements.periods import latest_complete_start
from tests.factories import AudienceFactory, MetricDefinitionFactory
from tests.i18n.conftest import dashboard_html, in_language

CHART_COMMON = Path(settings.BASE_DIR) / "static" / "js" / "chart-common.js"
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_TR = [
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "Mayıs",
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Eylül",
    "Ekim",
    "Kasım",
    "Aralık",
]


# --- 1. intervals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en-gb", "80.6 – 89.6 %"),  # unchanged
        ("ko", "80.6 – 89.6%"),  # the unit once at the end, as "80.6~89.6%" is read
        ("tr", "%80,6 – %89,6"),  # the sign comes first: on both ends
    ],
)
def test_a_share_interval_carries_the_percent_sign_where_the_language_needs_it(language, shown):
    assert (
        in_language(language, interval_text, 80.6, 89.55, "%") == shown
    )  # 89.55 rounds up to 89.6


@pytest.mark.parametrize(
    ("language", "unit", "shown"),
    [
        ("tr", "h", "12,5 – 15,0 sa"),  # a unit after the number: once, as before
        ("tr", "USD", "2.433,5 – 2.590,7 USD"),
        ("en-gb", "USD", "2,433.5 – 2,590.7 USD"),
        ("tr", "", "-12,0 – 30,0"),  # NPS has no unit
    ],
)
def test_an_interval_in_another_unit_keeps_the_unit_once(language, unit, shown):
    low, high = {"h": (12.5, 15), "USD": (2433.5, 2590.7), "": (-12, 30)}[unit]
    assert in_language(language, interval_text, low, high, unit) == shown


def test_the_template_filter_and_the_journey_map_write_the_interval_once_for_all():
    csat = MetricDefinition(kind=MetricKind.CSAT, name="Veli memnuniyeti")
    template = Template("{% load metric_format %}{{ i|metric_interval:d }}|{{ i|share_interval }}")
    context = Context({"i": (80.6, 89.6), "d": csat})
    assert in_language("tr", template.render, context) == "%80,6 – %89,6|%80,6 – %89,6"

    score = SimpleNamespace(
        definition=csat,
        hidden=False,
        target_met=None,
        value=85.0,
        n=120,
        interval=(80.6, 89.6),
        change=None,
        target=None,
        indicative=False,
    )
    context = {"score": score, "journey": SimpleNamespace(indicative_below=30), "worst": False}
    html = in_language("tr", render_to_string, "journeys/_map_score.html", context)
    assert "%80,6 – %89,6" in html
    assert "80,6 – %89,6" not in html.replace("%80,6 – %89,6", "")


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "30.1 – 95.4 %"), ("ko", "30.1 – 95.4%"), ("tr", "%30,1 – %95,4")],
)
def test_the_cards_interval_in_each_language(
    viewer_client, owned_audience, csat_with_results, language, shown
):
    page = dashboard_html(viewer_client, owned_audience, language)
    assert f'data-low="30.1" data-high="95.4">{shown}</dd>' in page


# --- 1 and 2. the charts' numbers (static/js/chart-common.js, run in node) -------------------


def _charts(language: str, calls: list[str]) -> list[str]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = f"""
      global.document = {{ documentElement: {{ lang: {json.dumps(language)} }} }};
      global.window = global;
      global.interpolate = (f, o) => f.replace(/%\\((\\w+)\\)s/g, (_, k) => o[k]);
      global.pgettext = (c, s) => s;
      require({json.dumps(str(CHART_COMMON))});
      const C = window.AXCharts;
      console.log(JSON.stringify([{", ".join(calls)}]));
    """
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("language", "tooltip", "four_digits"),
    [
        ("en-gb", "2,433.5 USD", "1,234.5"),
        ("ko", "2,433.5 USD", "1,234.5"),
        ("tr", "2.433,5 USD", "1.234,5"),
    ],
)
def test_chart_tooltips_group_thousands_as_the_cards_do(language, tooltip, four_digits):
    shown = _charts(language, ['C.withUnit(2433.5, "USD")', "C.number(1234.5)"])
    assert shown == [tooltip, four_digits]
    # The card, the server's display layer, writes the same digits.
    assert in_language(language, local_number, 1234.5) == four_digits


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en-gb", "80.6 – 89.6 %"), ("ko", "80.6 – 89.6%"), ("tr", "%80,6 – %89,6")],
)
def test_the_tooltips_interval_reads_as_the_cards(language, shown):
    assert _charts(language, ['C.rangeText(80.6, 89.6, "%")']) == [shown]
    assert in_language(language, interval_text, 80.6, 89.6, "%") == shown


# --- 3. months named as months --------------------------------------------------------------


def test_the_latest_month_and_the_impact_table_name_months_not_days(
    viewer_client, owned_audience, csat_with_results
):
    latest = latest_complete_start("month", "UTC", timezone.now())
    month_en = f"{MONTHS_EN[latest.month - 1]} {latest.year}"  # "Nov 2026"
    month_tr = f"{MONTHS_TR[latest.month - 1]} {latest.year}"  # "Kasım 2026"

    english = dashboard_html(viewer_client, owned_audience, "en")
    assert f"Latest complete month: {month_en} (organisation time zone UTC)." in english
    assert "starting" not in english.split("Latest complete month")[1].split("</p>")[0]
    assert f"<tr><td>{month_en}</td>" in english  # the impact table's newest row

    turkish = dashboard_html(viewer_client, owned_audience, "tr")
    assert f"<tr><td>{month_tr}</td>" in turkish
    assert f"{month_tr} (" in turkish  # the latest complete month
    assert f"1 {MONTHS_TR[latest.month - 1][:3]} {latest.year}" not in turkish


def test_a_day_row_keeps_its_date(viewer_client, owned_audience, csat_with_results):
    response = viewer_client.get(
        reverse("measurements:dashboard", args=[owned_audience.slug]),
        {"granularity": "day"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    latest = latest_complete_start("day", "UTC", timezone.now())
    day = f"{latest.day} {MONTHS_EN[latest.month - 1]} {latest.year}"
    assert f"<tr><td>{day}</td>" in response.content.decode()


def test_the_health_grid_names_its_month(lead_client, owned_audience, csat_with_results):
    latest = latest_complete_start("month", "UTC", timezone.now())
    page = lead_client.get(reverse("measurements:health"), HTTP_ACCEPT_LANGUAGE="en")
    month = f"{MONTHS_EN[latest.month - 1]} {latest.year}"
    assert f"Latest complete month ({month}); each cell" in page.content.decode()


# --- 4. a name and its kind, said once ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "label"),
    [
        (MetricKind.NPS, "Parent NPS", None),
        (MetricKind.CSAT, "Front-office CSAT", None),
        (MetricKind.CSAT, "Student satisfaction", "CSAT"),
        (MetricKind.NPS, "NPS", None),
        (MetricKind.NPS, "Parents' NPSurvey", "NPS"),  # not a whole word
    ],
)
def test_the_kind_is_left_out_when_the_name_already_says_it(org, kind, name, label):
    audience = AudienceFactory(organisation=org, kind="parent", slug="p")
    definition = MetricDefinition(audience=audience, kind=kind, name=name)
    assert metric_title(definition) == (name, label)


def test_a_turkish_name_that_says_its_kind_in_capitals_is_alone(org):
    audience = AudienceFactory(organisation=org, kind="parent", slug="p")
    ttr = MetricDefinition(audience=audience, kind=MetricKind.TTR, name="TALEP ÇÖZÜM SÜRESİ")
    nps = MetricDefinition(audience=audience, kind=MetricKind.NPS, name="Veli NPS")
    # Turkish lower-cases "SÜRESİ" to "süresi" (str.lower gives "süresi̇", dot and all).
    assert in_language("tr", metric_title, ttr) == ("TALEP ÇÖZÜM SÜRESİ", None)
    assert in_language("tr", metric_title, nps) == ("Veli NPS", None)


# --- 5. names in upper-cased headers --------------------------------------------------------


def test_a_metric_name_in_an_upper_cased_header_keeps_its_case(
    viewer_client, lead_client, org, owned_audience
):
    teachers = AudienceFactory(organisation=org, kind="employee", slug="teachers", rank=1)
    MetricDefinitionFactory(
        audience=teachers, kind=MetricKind.NPS, slug="enps", name="Teacher eNPS"
    )

    page = dashboard_html(viewer_client, teachers, "tr")
    assert '<th><span class="as-written">Teacher eNPS</span></th>' in page
    grid = lead_client.get(reverse("measurements:health")).content.decode()
    dashboard = reverse("measurements:dashboard", args=[teachers.slug])
    assert f'<a class="as-written" href="{dashboard}">{teachers.name}</a>' in grid
    assert '<th><span class="as-written">NPS</span></th>' in grid
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert "th .as-written { text-transform: none;" in css
