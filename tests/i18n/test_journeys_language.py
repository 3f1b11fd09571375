"""The journey map, its refusals and the journey API's messages in Korean and Turkish.

These read the compiled catalogues (locale/, built by /work/i18n/merge from the fragments).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, translation
from rest_framework.test import APIClient

from audiences.services import api_key_create
from journeys.models import Phase, Touchpoint
from journeys.selectors import StoredRows, TouchpointCarried
from measurements import journey_selectors
from tests.factories import MetricDefinitionFactory, StageFactory, TouchpointFactory

NOV = "2026-11-12T10:00:00+00:00"


def _text(html: str) -> str:
    """The words a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _lane_labels(html: str) -> list[str]:
    return re.findall(r'<div class="lane-label">([^<]*)</div>', html)


@pytest.fixture
def journey(owned_audience):
    """Visit (before) with the open day, Enrol (during) with the form."""
    visit = StageFactory(audience=owned_audience, name="Visit", phase=Phase.BEFORE, position=0)
    enrol = StageFactory(audience=owned_audience, name="Enrol", phase=Phase.DURING, position=1)
    TouchpointFactory(stage=visit, name="Open day", slug="open-day", emotions="Curious")
    TouchpointFactory(stage=enrol, name="Form", slug="form")
    return visit, enrol


def _map(client, audience, language):
    response = client.get(
        reverse("journeys:map", args=[audience.slug]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_map_in_korean_shows_the_lanes_korean_labels(owner_client, owned_audience, journey):
    html = _map(owner_client, owned_audience, "ko")

    assert _lane_labels(html) == [
        "단계",
        "감정 곡선",
        "접점",
        "점수",
        "기대",
        "감정",
        "바람",
        "장애물",
        "개선 기회",
    ]
    text = _text(html)
    assert "이용 전 이용 중 이용 후" in text  # the phase legend: before, during, after
    assert "감정 곡선" in text and "단계별 감정 곡선" in text  # the curve and its table
    assert "데이터 없음, 책임자 메모: “Open day: Curious”" in text  # the note on the curve
    assert "단계 추가" in text and "여정 인쇄" in text  # Add a stage, Print the journey
    assert 'aria-label="Visit 단계를 오른쪽으로 이동"' in html  # a move button
    for english in ("Expects", "Obstacles", "Emotion curve", "No answers this month"):
        assert english not in text, english


def test_the_map_in_turkish_names_the_month_and_the_lanes(owner_client, owned_audience, journey):
    html = _map(owner_client, owned_audience, "tr")
    start = journey_selectors.journey_map(audience=owned_audience).period_start
    with translation.override("tr"):
        month = formats.date_format(start, "YEAR_MONTH_FORMAT")  # "Kasım 2026"

    text = _text(html)
    assert f"{month} puanları (tamamlanan son ay)" in text
    labels = _lane_labels(html)
    assert labels[4:8] == ["Beklentiler", "Duygular", "İstekler", "Engeller"]
    assert labels[-1] == "Fırsat&shy;lar"  # the soft hyphen stays a break, not text
    assert "veri yok, sorumlunun notu: “Open day: Curious”" in text
    assert "Scores for" not in text and "Stage roll-up" not in text


def test_the_count_of_stored_rows_reads_per_language(journey):
    touchpoint = Touchpoint.all_orgs.get(slug="open-day")
    carried = TouchpointCarried(
        touchpoint,
        [
            StoredRows(2808, "response", "responses", "measurements.response"),
            StoredRows(1, "support case", "support cases", "measurements.supportcase"),
        ],
    )
    with translation.override("en-gb"):
        assert carried.describe() == "2,808 responses and 1 support case"
    with translation.override("ko"):
        assert carried.describe() == "응답 2,808건 및 지원 문의 1건"
    with translation.override("tr"):
        assert carried.describe() == "2.808 yanıt ve 1 destek talebi"


@pytest.fixture
def api(org):
    cache.clear()  # throttle counters live in the cache
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='k').raw_key}"
    )
    return client


def test_a_refused_touchpoint_delete_answers_in_the_language_asked(api, owned_audience, journey):
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", name="CSAT", scale_min=1, scale_max=5
    )
    body = [
        {
            "audience": owned_audience.slug,
            "metric": "csat",
            "score": 4,
            "responded_at": NOV,
            "touchpoint": "open-day",
        }
        for _ in range(3)
    ]
    assert api.post("/api/v1/responses/", body, format="json").status_code == 201
    touchpoint = Touchpoint.all_orgs.get(slug="open-day")

    answers = {
        lang: api.delete(f"/api/v1/touchpoints/{touchpoint.pk}/", HTTP_ACCEPT_LANGUAGE=lang)
        for lang in ("en", "tr", "ko")
    }

    errors = {lang: a.json()["errors"] for lang, a in answers.items()}
    assert all(a.status_code == 400 for a in answers.values())
    # Machine fields stay the same in every language; only the message follows the language.
    assert {e[0]["field"] for e in errors.values()} == {"touchpoint"}
    assert errors["en"][0]["message"] == (
        "The touchpoint “Open day” (open-day) cannot be removed: it is carried by 3 responses, "
        "which would lose it. Rename it or move it to another stage instead."
    )
    assert errors["tr"][0]["message"] == (
        "“Open day” (open-day) temas noktası kaldırılamaz: bu temas noktasına bağlı 3 yanıt var "
        "ve kaldırılırsa bu kayıtlar onu kaybeder. Bunun yerine adını değiştirin ya da başka "
        "bir aşamaya taşıyın."
    )
    assert errors["ko"][0]["message"].startswith("“Open day”(open-day) 접점은 삭제할 수 없습니다.")
    assert "연결된 기록(응답 3건)이 있어" in errors["ko"][0]["message"]
    assert Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()


def test_a_refused_stage_delete_page_in_turkish(owner_client, owned_audience, journey, api):
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", name="CSAT", scale_min=1, scale_max=5
    )
    body = [
        {
            "audience": owned_audience.slug,
            "metric": "csat",
            "score": 5,
            "responded_at": NOV,
            "touchpoint": "open-day",
        }
    ]
    assert api.post("/api/v1/responses/", body, format="json").status_code == 201
    visit = journey[0]
    response = owner_client.post(
        reverse("journeys:stage_delete", args=[owned_audience.slug, visit.pk]),
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    assert response.status_code == 400
    text = _text(response.content.decode())
    assert "“Visit” aşaması kaldırılamaz" in text
    assert "Open day : 1 yanıt." in text
    assert "Kayıtlı sonuçlar bu aşamanın bir temas noktasına bağlı." in text
