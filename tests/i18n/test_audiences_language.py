"""The registry in Korean and Turkish: the three homes, the role badge, the liability checks,
form and API errors, the sign-in page, the audit trail's dates and Turkish capitalisation.

These read the compiled catalogues (locale/, built by /work/i18n/merge from the fragments).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from audiences import selectors
from tests.factories import AudienceFactory


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _main(html: str) -> str:
    return re.split(r"<main\b[^>]*>", html, maxsplit=1)[1]


def _nav(html: str) -> str:
    return html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def _text(html: str) -> str:
    """The words a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def ranked(owned_audience, unowned_audience):
    owned_audience.rank, unowned_audience.rank = 1, 2
    owned_audience.save()
    unowned_audience.save()
    return owned_audience, unowned_audience


def test_the_leads_home_in_korean(lead_client, ranked):
    html = _page(lead_client.get(reverse("audiences:home"), HTTP_ACCEPT_LANGUAGE="ko"))
    main = _text(_main(html))

    assert "4단계 실습" in main  # The four-step exercise
    assert "상위 10 순위 정하기" in main  # Rank the top ten
    assert "순위에 든 오디언스 10개 중 1개에 책임자 있음" in main  # 1 of 10 … have an owner
    assert "상위 10 오디언스 중 2개가 운영상 위험 상태입니다" in main
    # The liability checks, defined once in measurements/liability.py, in Korean on the badges.
    assert "책임자 없음" in main and "측정 계획 없음" in main and "90일간 데이터 없음" in main
    assert '<span class="role-badge">관리자</span>' in html
    for english in ("The four-step exercise", "Your top ten", "No owner", "Liability", "Home"):
        assert english not in main, english
    # The header's navigation is Korean too: no English item is left in it.
    nav = _text(_nav(html))
    for english in ("Audiences", "Top ten", "Overview", "Alerts", "People"):
        assert english not in nav.split(), english


def test_the_leads_progress_in_turkish_puts_the_percent_sign_first(lead_client, ranked):
    html = _page(lead_client.get(reverse("audiences:home"), HTTP_ACCEPT_LANGUAGE="tr"))
    main = _text(_main(html))
    # 2 listed + 2 ranked + 1 owned + 0 measured = 5 of 40, 12.5 % rounded half to even.
    assert "5 / 40 tamamlandı (%12)" in main
    assert "Dört adımlı çalışma" in main and "2 kitle listelendi" in main
    assert '<span class="role-badge">Yönetici</span>' in html


def test_the_owners_home_in_turkish(owner_client, ranked):
    html = _page(owner_client.get(reverse("audiences:home"), HTTP_ACCEPT_LANGUAGE="tr"))
    main = _text(_main(html))

    assert "Kitleleriniz" in main  # Your audiences
    assert "Sizi bekleyenler" in main  # Needs you now
    assert "Ölçüm planı yok" in main and "Yolculuk haritası yok" in main
    assert "Ölçüm planını yaz" in main  # the link that fixes the gap
    assert "ilk 10'da 1. sırada" in main.replace("&#x27;", "'")
    assert '<span class="role-badge">Sorumlu</span>' in html
    assert "Your audiences" not in main and "No measurement plan" not in main


def test_the_viewers_home_in_korean_and_turkish(viewer_client, ranked):
    ko = _page(viewer_client.get(reverse("audiences:home"), HTTP_ACCEPT_LANGUAGE="ko"))
    assert "상위 10과 상태" in _text(_main(ko))
    assert '<span class="role-badge">열람자</span>' in ko
    tr = _page(viewer_client.get(reverse("audiences:home"), HTTP_ACCEPT_LANGUAGE="tr"))
    assert "İlk 10 ve durumları" in _text(_main(tr))
    assert '<span class="role-badge">İzleyici</span>' in tr


def test_a_registry_form_error_in_turkish(lead_client, owned_audience):
    other_kind = lead_client.post(
        reverse("audiences:create"),
        {"name": "Gönüllüler", "kind": "other", "stage": "current"},
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    assert "Tür &#x27;Diğer&#x27; ise türün adını yazın." in _page(other_kind)

    taken = lead_client.post(
        reverse("audiences:create"),
        {"name": "Parents", "kind": "parent", "stage": "current"},
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    text = _text(_page(taken)).replace("&#x27;", "'")
    assert "Bu addan oluşan 'parents' adresi başka bir kitlede zaten kullanılıyor" in text
    assert "Kitle ekle" in text and "Tür" in text  # the form's own labels and button
    assert "Another audience" not in text


def test_the_audience_list_counts_and_filters_in_korean(lead_client, ranked):
    main = _text(
        _main(_page(lead_client.get(reverse("audiences:list"), HTTP_ACCEPT_LANGUAGE="ko")))
    )
    assert "오디언스 2개" in main  # "2 audiences"
    assert "모든 유형" in main and "필터 지우기" in main  # the filter form
    assert "학부모" in main and "직원" in main  # the kinds' labels (Parent, Employee)


def test_the_sign_in_page_and_its_error_follow_accept_language(client, lead):
    page = _text(_page(client.get("/login/", HTTP_ACCEPT_LANGUAGE="tr")))
    assert "AX Registry'ye giriş yapın" in page.replace("&#x27;", "'")
    assert "Parola" in page
    wrong = client.post(
        "/login/",
        {"username": "lead@example.org", "password": "not-it"},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert "올바른 이메일 주소와 비밀번호를 입력하세요" in _page(wrong)


def test_the_audit_trail_shows_dates_and_words_per_language():
    with translation.override("ko"):
        (row,) = selectors.change_rows(
            action="updated", object_type="audience", changes={"archived": [False, True]}
        )
        assert (row.label, row.before, row.after) == ("보관됨", "아니요", "예")
        assert selectors.action_label("ranked") == "순위 변경"
        (row,) = selectors.change_rows(
            action="created", object_type="x", changes={"due": "2024-09-02"}
        )
        assert row.after == "2024. 9. 2."
    with translation.override("en-gb"):
        (row,) = selectors.change_rows(
            action="created", object_type="x", changes={"due": "2024-09-02"}
        )
        assert row.after == "2 Sep 2024"


def test_an_unknown_audit_action_is_capitalised_the_turkish_way():
    with translation.override("tr"):
        # "i" capitalises to the dotted "İ" in Turkish, never to "I".
        assert selectors.action_label("iade_edildi") == "İade edildi"
        assert selectors.object_type_label("ilk yanıt") == "İlk yanıt"
    with translation.override("en-gb"):
        assert selectors.action_label("imported_twice") == "Imported twice"


@pytest.mark.django_db
def test_an_api_refusal_speaks_the_callers_language_with_the_same_code(org, key_client):
    cache.clear()
    AudienceFactory(organisation=org, name="Customers", slug="customers")
    client = key_client
    answers = {
        lang: client.patch(
            "/api/v1/audiences/customers/",
            {"slug": "new"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        for lang in ("en", "ko", "tr")
    }
    errors = {lang: answer.json()["errors"] for lang, answer in answers.items()}
    messages = {lang: [e.pop("message") for e in found] for lang, found in errors.items()}
    assert messages == {
        "en": ["'new' is reserved; choose another slug."],
        "ko": ["‘new’ 이름은 예약되어 있습니다. 다른 URL용 영문 이름을 고르세요."],
        "tr": ["'new' ayrılmış; başka bir kısa ad seçin."],
    }
    # What a program reads stays the same in every language.
    assert errors["ko"] == errors["tr"] == errors["en"]
    assert errors["en"][0]["field"] == "slug"
    cache.clear()
