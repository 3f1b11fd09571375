"""The API answers its `message` texts in the language of Accept-Language, while `index`,
`field` and `code` stay the same in every language; the CSV import preview speaks Turkish.

These read the compiled catalogues (locale/, built by /work/i18n/merge from the fragments).
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from axreg.middleware import database_unavailable
from tests.factories import AudienceFactory, MetricDefinitionFactory

GOOD = {"audience": "customers", "metric": "nps", "score": 9}
TIME = "2025-03-01T09:30:00Z"
HEADER = "external_id,metric,score,responded_at,touchpoint,respondent,comment\n"


def _text(html: str) -> str:
    """The words a reader sees: tags dropped, entities read, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(org, key_client):
    customers = AudienceFactory(organisation=org, name="Customers", slug="customers")
    MetricDefinitionFactory(audience=customers, kind="nps", slug="nps")
    return key_client


def _push_one_bad_item(api, **headers):
    """Item 1 of two scores 11 on NPS's 0–10 scale; item 0 is fine."""
    body = [{**GOOD, "responded_at": TIME}, {**GOOD, "score": 11, "responded_at": TIME}]
    answer = api.post("/api/v1/responses/", body, format="json", **headers)
    assert answer.status_code == 400, answer.content
    return answer


def test_a_bad_push_item_keeps_index_field_and_code_and_translates_the_message(api):
    english = _push_one_bad_item(api).json()["errors"]
    korean = _push_one_bad_item(api, HTTP_ACCEPT_LANGUAGE="ko").json()["errors"]
    turkish = _push_one_bad_item(api, HTTP_ACCEPT_LANGUAGE="tr-TR,tr;q=0.9").json()["errors"]
    machine = [{"index": 1, "field": "score", "code": "out_of_scale"}]
    for errors in (english, korean, turkish):
        assert [{k: e[k] for k in ("index", "field", "code")} for e in errors] == machine
    assert english[0]["message"] == "Must be an integer from 0 to 10 (the scale of 'nps')."
    assert korean[0]["message"] == "0~10 사이의 정수여야 합니다('nps'의 척도)."
    assert turkish[0]["message"] == (
        "0 ile 10 arasında bir tam sayı olmalıdır ('nps' metriğinin ölçeği)."
    )


def test_a_missing_field_keeps_drf_s_code_and_reads_in_korean_and_turkish(api):
    body = {"audience": "customers", "metric": "nps", "responded_at": TIME}  # no score
    ko = api.post("/api/v1/responses/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko").json()
    tr = api.post("/api/v1/responses/", body, format="json", HTTP_ACCEPT_LANGUAGE="tr").json()
    assert ko == {
        "errors": [{"field": "score", "code": "required", "message": "이 필드는 필수 항목입니다."}]
    }
    assert tr == {"errors": [{"field": "score", "code": "required", "message": "Bu alan zorunlu."}]}


def test_drf_s_own_messages_come_translated_with_their_codes(api):
    """A definition without `kind`: DRF's serializer refuses it with DRF's words and code."""
    body = {"audience": "customers"}
    ko = api.post("/api/v1/metric-definitions/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko")
    assert ko.json()["errors"] == [
        {"field": "kind", "code": "required", "message": "이 필드는 필수 항목입니다."}
    ]
    assert ko["Content-Language"] == "ko"


def test_without_accept_language_the_api_answers_in_english(api):
    errors = _push_one_bad_item(api).json()["errors"]
    assert errors[0]["message"] == "Must be an integer from 0 to 10 (the scale of 'nps')."
    unknown = _push_one_bad_item(api, HTTP_ACCEPT_LANGUAGE="fr").json()["errors"]
    assert unknown == errors


def test_a_bad_query_parameter_and_an_unknown_field_keep_their_codes(api):
    tr = api.get("/api/v1/alerts/", {"status": "x"}, HTTP_ACCEPT_LANGUAGE="tr").json()
    assert tr["errors"][0]["field"] == "status"
    assert tr["errors"][0]["code"] == "invalid_choice"
    assert tr["errors"][0]["message"].startswith("Şunlardan biri olmalıdır: open, ")
    body = {**GOOD, "responded_at": TIME, "colour": "blue"}
    ko = api.post("/api/v1/responses/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert ko["errors"] == [
        {
            "field": "colour",
            "code": "unknown_field",
            "message": "알 수 없는 필드입니다. 제거하세요.",
        }
    ]


def test_the_not_found_detail_follows_accept_language(api):
    answer = api.get("/api/v1/audiences/nobody/", HTTP_ACCEPT_LANGUAGE="tr")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Kuruluşunuzda bulunamadı."}


def test_the_error_item_in_the_schema_names_code(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    item = schema["components"]["schemas"]["ErrorItem"]
    assert {"field", "code", "message"} <= set(item["required"])


def test_the_import_preview_reads_in_turkish_with_the_api_s_row_errors(
    owner_client, owned_audience
):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    text = HEADER + "a,nps,9,2025-03-01T09:30:00Z,,,\nb,nps,11,2025-03-02 10:00,,,\n"
    file = SimpleUploadedFile("responses.csv", text.encode(), "text/csv")
    page = owner_client.post(
        "/app/audiences/parents/import/", {"file": file}, HTTP_ACCEPT_LANGUAGE="tr"
    )
    assert page.status_code == 200
    words = _text(page.content.decode())
    assert "Parents için içe aktarmayı kontrol edin" in words
    assert "2 satırdan 1 tanesi içe aktarılamıyor." in words
    assert "score: 0 ile 10 arasında bir tam sayı olmalıdır ('nps' metriğinin ölçeği)." in words
    assert "Yanıt zamanı" in words and "Sorunlar" in words
    # Column names and values stay machine text.
    assert "2025-03-02 10:00" in words
    assert "All 2 rows" not in words and "cannot be imported" not in words


def test_the_import_upload_page_reads_in_korean(owner_client, owned_audience):
    page = owner_client.get("/app/audiences/parents/import/", HTTP_ACCEPT_LANGUAGE="ko")
    words = _text(page.content.decode())
    assert "Parents 응답 가져오기" in words
    assert "파일 확인" in words
    assert "<code>responded_at</code>" in page.content.decode()


def test_the_webhook_pages_read_in_korean(lead_client):
    page = lead_client.get("/app/webhooks/", HTTP_ACCEPT_LANGUAGE="ko")
    words = _text(page.content.decode())
    assert "아직 웹훅이 없습니다." in words
    form = _text(lead_client.get("/app/webhooks/new/", HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert "알림 발생" in form and "슬랙 호환 텍스트" in form


def test_the_database_outage_answers_in_the_request_s_language(rf):
    with translation.override("ko"):
        page = database_unavailable(rf.get("/app/"))
        api = database_unavailable(rf.get("/api/v1/responses/"))
    assert page.status_code == api.status_code == 503
    assert '<html lang="ko">' in page.content.decode()
    assert "<h1>일시적으로 사용할 수 없음</h1>" in page.content.decode()
    assert json.loads(api.content) == {
        "detail": "데이터베이스를 사용할 수 없습니다. 잠시 후 다시 시도하세요."
    }


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        (
            "en-gb",
            "responded_at: '10.11.2026 09:30' is not a date and time this import reads: write it "
            "as 2026-11-10 09:30 (read in the organisation's time zone, UTC), or with an offset, "
            "e.g. 2026-11-10T09:30:00+03:00.",
        ),
        (
            "tr",
            "responded_at: '10.11.2026 09:30' bu içe aktarmanın okuyabildiği bir tarih ve saat "
            "değil: 2026-11-10 09:30 biçiminde yazın (kuruluşun saat diliminde, UTC, okunur) ya "
            "da saat dilimi farkıyla, ör. 2026-11-10T09:30:00+03:00.",
        ),
    ],
)
def test_a_spreadsheet_date_the_import_cannot_read_names_the_form_it_can(
    owner_client, owned_audience, language, hint
):
    """A Turkish Excel writes 10.11.2026 09:30; the row was told to add an offset, though the
    import reads 2026-11-10 09:30 without one (a Turkish tester's finding)."""
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    text = HEADER + "a,nps,9,10.11.2026 09:30,,,\n"
    file = SimpleUploadedFile("responses.csv", text.encode(), "text/csv")
    page = owner_client.post(
        "/app/audiences/parents/import/", {"file": file}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert hint in _text(page.content.decode())
