"""Numbers, period labels and the dashboards in English, Korean and Turkish (issue 15).

The display layer (measurements.display) is the one place a metric's number becomes text for a
reader: English keeps "66.7 %", Korean writes "66.7%", Turkish "%66,7" (percent sign first,
decimal comma). The machine form (`number_text`, data-* attributes, chart JSON, CSV) is the same
in every language. Page tests read the compiled catalogues (locale/, built by /work/i18n/merge).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from measurements.charts import with_unit
from measurements.compare import periods_text
from measurements.display import change_text, local_number, number_text, value_text
from measurements.formulas import formula_text
from measurements.intervals import SIGNIFICANT, WITHIN_NOISE, verdict_text
from measurements.models import MetricDefinition, MetricKind
from measurements.periods import period_label
from tests.i18n.conftest import dashboard_html, in_language

# --- the display layer, hand-worked ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en-gb", "66.7 %"), ("ko", "66.7%"), ("tr", "%66,7")],
)
def test_a_share_of_66_666_reads_as_each_language_writes_a_percentage(language, shown):
    # 66.666 rounds half away from zero to 66.7; the unit "%" goes where the language puts it.
    assert in_language(language, value_text, 66.666, "%") == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en-gb", "1,234.5 EUR"), ("ko", "1,234.5 EUR"), ("tr", "1.234,5 EUR")],
)
def test_money_is_grouped_by_thousands_with_the_languages_separators(language, shown):
    assert in_language(language, value_text, 1234.5, "EUR") == shown


def test_changes_of_a_share_are_percentage_points_in_each_language():
    # 70 % → 75 % is +5 percentage points: "pts" in English, "%p" in Korean, "puan" in Turkish.
    assert in_language("en-gb", change_text, 5.0, "%") == "+5.0 pts"
    assert in_language("ko", change_text, 5.0, "%") == "+5.0%p"
    assert in_language("tr", change_text, 5.0, "%") == "+5,0 puan"
    assert in_language("tr", change_text, -12.25, "h") == "-12,3 sa"  # half away from zero
    assert in_language("en-gb", change_text, -3.0, "") == "-3.0"  # NPS has no unit


def test_targets_drop_the_trailing_zero_in_every_language():
    assert in_language("en-gb", with_unit, 80.0, "%") == "80 %"
    assert in_language("ko", with_unit, 80.0, "%") == "80%"
    assert in_language("tr", with_unit, 80.0, "%") == "%80"
    assert in_language("tr", with_unit, 37.5, "h") == "37,5 sa"
    assert in_language("ko", with_unit, 24.0, "h") == "24시간"


def test_the_machine_form_never_follows_the_language():
    for language in ("en-gb", "ko", "tr"):
        assert in_language(language, number_text, 1234.5) == "1234.5"
        assert in_language(language, number_text, 66.666) == "66.7"
    assert in_language("tr", local_number, 1234.5) == "1.234,5"


def test_a_negative_share_in_turkish_puts_the_sign_before_the_percent_sign():
    assert in_language("tr", value_text, -5.0, "%") == "-%5,0"
    assert in_language("ko", value_text, -5.0, "%") == "-5.0%"
    assert in_language("en-gb", value_text, -5.0, "%") == "-5.0 %"


def test_the_template_filters_localise_but_metric_number_stays_machine():
    csat = MetricDefinition(kind=MetricKind.CSAT)
    template = Template(
        "{% load metric_format %}{{ v|metric_value:d }}|{{ v|metric_number }}|{{ v|metric_figure }}"
    )
    with translation.override("tr"):
        assert template.render(Context({"v": 66.666, "d": csat})) == "%66,7|66.7|66,7"


# --- period labels, verdicts, formulas ------------------------------------------------------


def test_a_month_and_a_quarter_label_in_each_language():
    december = date(2026, 12, 1)
    assert in_language("en-gb", period_label, december, "month") == "Dec 2026"
    assert in_language("ko", period_label, december, "month") == "2026년 12월"
    assert in_language("tr", period_label, december, "month") == "Aralık 2026"
    assert in_language("en-gb", period_label, date(2026, 10, 1), "quarter") == "Q4 2026"
    assert in_language("ko", period_label, date(2026, 10, 1), "quarter") == "2026년 4분기"
    assert in_language("tr", period_label, date(2026, 10, 1), "quarter") == "4. çeyrek 2026"
    assert in_language("en-gb", period_label, date(2026, 11, 30), "week") == "w/c 30 Nov 2026"


def test_lags_and_verdicts_are_said_in_the_language():
    assert in_language("en-gb", periods_text, 2, "month") == "2 months"
    assert in_language("ko", periods_text, 2, "month") == "2개월"
    assert in_language("tr", periods_text, 2, "month") == "2 ay"
    assert in_language("ko", verdict_text, SIGNIFICANT) == "유의미"
    assert in_language("tr", verdict_text, WITHIN_NOISE) == "gürültü sınırında"
    assert in_language("en-gb", verdict_text, WITHIN_NOISE) == "within noise"


def test_the_formula_in_words_is_translated(owned_audience):
    clv = MetricDefinition(kind=MetricKind.CLV, margin_percent=80, audience=owned_audience)
    assert in_language("en-gb", formula_text, clv).startswith("CLV = ARPU × margin (80%) ÷ churn")
    assert in_language("tr", formula_text, clv).startswith("CLV = ARPU × marj (%80) ÷ kayıp oranı")
    assert "이탈률" in in_language("ko", formula_text, clv)


# --- pages and the CSV ----------------------------------------------------------------------


def test_the_dashboard_in_korean_shows_korean_headings_and_numbers(
    viewer_client, owned_audience, csat_with_results
):
    page = dashboard_html(viewer_client, owned_audience, "ko")

    assert "<dt>변화</dt>" in page  # "Change"
    assert "<dt>목표</dt>" in page  # "Target"
    assert "95% 신뢰구간" in page
    assert "CSV 내보내기" in page
    assert ">75.0%</p>" in page  # the card's value, Korean style
    assert 'data-value="75.0"' in page  # the machine form for scripts
    assert "+25.0%p" in page
    assert '<span class="badge bad">미달</span>' in page  # the target 80 is not met


def test_the_dashboard_in_turkish_writes_the_percent_sign_first(
    viewer_client, owned_audience, csat_with_results
):
    page = dashboard_html(viewer_client, owned_audience, "tr")

    assert ">%75,0</p>" in page
    assert 'data-value="75.0"' in page
    assert "+25,0 puan" in page
    assert "Hedef" in page


def test_the_csv_export_under_turkish_is_byte_identical_to_english(
    viewer_client, owned_audience, csat_with_results
):
    url = reverse("measurements:dashboard_csv", args=[owned_audience.slug])
    english = viewer_client.get(url, {"granularity": "month"}, HTTP_ACCEPT_LANGUAGE="en")
    turkish = viewer_client.get(url, {"granularity": "month"}, HTTP_ACCEPT_LANGUAGE="tr")
    korean = viewer_client.get(url, {"granularity": "month"}, HTTP_ACCEPT_LANGUAGE="ko")

    body = b"".join(english.streaming_content) if english.streaming else english.content
    assert body == (b"".join(turkish.streaming_content) if turkish.streaming else turkish.content)
    assert body == (b"".join(korean.streaming_content) if korean.streaming else korean.content)
    header = body.decode().splitlines()[0]
    assert header.startswith("audience,metric,kind,granularity,period_start,value,n,")
    assert re.search(r",75\.0,4,", body.decode())  # machine number: point, no grouping


def test_the_health_grid_and_overview_in_turkish(lead_client, owned_audience, csat_with_results):
    grid = lead_client.get(reverse("measurements:health"), HTTP_ACCEPT_LANGUAGE="tr")
    assert "Sağlık tablosu" in grid.content.decode()
    assert "%75,0" in grid.content.decode()
    overview = lead_client.get(reverse("measurements:overview"), HTTP_ACCEPT_LANGUAGE="ko")
    assert "조직 개요" in overview.content.decode()


def test_a_definition_error_reaches_the_form_in_turkish(owner_client, owned_audience):
    url = reverse("measurements:definition_create", args=[owned_audience.slug])
    response = owner_client.post(
        url,
        {"kind": "csat", "name": "CSAT", "target": "150", "margin_percent": "100"},
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    assert "CSAT değerleri 0 ile 100 arasında olmalıdır; 150 aralığın dışında." in (
        response.content.decode()
    )


def test_a_definition_error_reaches_the_api_message_in_turkish_with_its_code_unchanged(
    org, owned_audience
):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from audiences.services import api_key_create

    cache.clear()
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    body = {"audience": owned_audience.slug, "kind": "csat", "slug": "csat", "target": 150}
    english = client.post("/api/v1/metric-definitions/", body, format="json")
    turkish = client.post(
        "/api/v1/metric-definitions/", body, format="json", HTTP_ACCEPT_LANGUAGE="tr"
    )
    cache.clear()

    assert english.status_code == turkish.status_code == 400
    assert "CSAT values are between 0 and 100; 150 is out of range." in english.content.decode()
    assert "CSAT değerleri 0 ile 100 arasında olmalıdır; 150 aralığın dışında." in (
        turkish.content.decode()
    )
    # Codes and field names never change: only the human text does.
    assert _codes(english.json()) == _codes(turkish.json())


def _codes(body):
    """The answer without its human texts: every "message" value dropped, at any depth."""
    if isinstance(body, dict):
        return {k: _codes(v) for k, v in body.items() if k != "message"}
    if isinstance(body, list):
        return [_codes(v) for v in body]
    return body
