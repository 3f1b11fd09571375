"""Two places where English written by the machine reached a Korean or Turkish reader: the audit
trail's bulk entries (counts stored under English keys) and the API's JSON parse error (the
decoder's own English reason)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audiences.services import audit_record


@pytest.mark.django_db
def test_a_bulk_entry_is_shown_with_translated_labels(lead_client, org):
    audit_record(
        organisation=org,
        action="ingested",
        object_type="response batch",
        object_repr="3 item(s), batch 1",
        changes={
            "created": 3,
            "updated": 0,
            "duplicates": 0,
            "items": 3,
            "audiences": ["parents"],
            "removed": {"responses": 1200, "cases": 0},
        },
    )
    html = lead_client.get(reverse("audiences:audit"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert "Toplu yanıt kaydı" in html  # the batch's type
    assert "Yanıtlar: 1.200" in html  # the removed mapping, labelled, thousands with a dot
    assert "batch 1" not in html  # the English description stored with it is not shown
    assert "Items" not in html and "İtems" not in html and "responses" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en-gb", "The body is not valid JSON (line 1, column 14)."),
        ("ko", "본문이 올바른 JSON이 아닙니다(1행 14열)."),
        ("tr", "Gövde geçerli bir JSON değil (1. satır, 14. sütun)."),
    ],
)
def test_a_body_that_is_not_json_is_refused_in_the_reader_s_language(key_client, language, message):
    response = key_client.post(
        "/api/v1/responses/",
        data=b'{"items": [1,x]}',  # column 14 is the x
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "parse_error"
    assert error["message"] == message
