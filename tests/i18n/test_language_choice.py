"""Which language a person gets, and how they change it.

Signed out: the browser's Accept-Language (Korean and Turkish browsers get Korean and Turkish,
anything else English), or what the switch set. Signed in: the language they chose, kept on
their account (another browser, a new session), before the browser's. The API follows
Accept-Language alone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from audiences.models import Preference
from axreg import text


def _html_lang(response) -> str:
    head = response.content.decode()
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "language", "sign_in"),
    [
        ("ko-KR,ko;q=0.9,en;q=0.5", "ko", "로그인"),
        ("tr-TR,tr;q=0.9", "tr", "Giriş yap"),
        ("de-DE,de;q=0.9", "en-gb", "Sign in"),
        ("", "en-gb", "Sign in"),
    ],
)
def test_a_signed_out_browser_gets_the_language_it_asks_for(client, accept, language, sign_in):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert _html_lang(response) == language
    assert sign_in in response.content.decode()


@pytest.mark.django_db
def test_the_switch_keeps_the_choice_on_the_account(client, lead, password):
    client.force_login(lead)
    response = client.post("/language/", {"language": "tr", "next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    assert Preference.objects.get(user=lead).language == "tr"
    # The browser asks for Korean, the person chose Turkish: Turkish.
    page = client.get("/app/", HTTP_ACCEPT_LANGUAGE="ko")
    assert page["Content-Language"] == "tr" and "Çıkış yap" in page.content.decode()

    # Another browser, no cookie, a fresh sign-in through the form: still Turkish.
    client.logout()
    client.cookies.clear()
    signed_in = client.post(
        "/login/",
        {"username": lead.email, "password": password},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    assert client.get("/app/", HTTP_ACCEPT_LANGUAGE="ko")["Content-Language"] == "tr"


@pytest.mark.django_db
def test_a_signed_out_switch_is_kept_in_a_cookie(client):
    response = client.post("/language/", {"language": "ko", "next": "/login/"})
    assert response.cookies["axreg_language"].value == "ko"
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="tr")["Content-Language"] == "ko"


@pytest.mark.django_db
def test_the_switch_refuses_unknown_languages_and_other_sites(client, lead):
    client.force_login(lead)
    response = client.post("/language/", {"language": "xx", "next": "/app/"})
    assert response["Location"] == "/app/" and not Preference.objects.filter(user=lead).exists()
    response = client.post("/language/", {"language": "ko", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/language/").status_code == 405


@pytest.mark.django_db
def test_the_api_follows_accept_language_only(client, lead):
    Preference.objects.create(user=lead, language="ko")
    client.force_login(lead)
    english = client.get("/api/v1/audiences/")
    assert english.status_code == 200 and english["Content-Language"] == "en-gb"
    assert client.get("/api/v1/audiences/", HTTP_ACCEPT_LANGUAGE="tr")["Content-Language"] == "tr"


@pytest.mark.django_db
def test_the_header_names_every_language_in_itself(client, lead):
    client.force_login(lead)
    response = client.get("/app/", HTTP_ACCEPT_LANGUAGE="ko", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    for code, name in (("en-gb", "English"), ("ko", "한국어"), ("tr", "Türkçe")):
        assert f'value="{code}" lang="{code}"' in html and name in html
    assert "로그아웃" in html  # Sign out


def test_turkish_casing_has_dotted_and_dotless_i():
    assert text.upper("istanbul ılık", "tr") == "İSTANBUL ILIK"
    assert text.lower("İSTANBUL ILIK", "tr") == "istanbul ılık"
    assert text.upper("istanbul", "en-gb") == "ISTANBUL"
    assert text.capfirst("iptal", "tr") == "İptal"
    assert text.lower_first("İptal", "tr") == "iptal"
    assert text.lower_first("NPS", "tr") == "NPS"
    template = Template("{{ word|upper }} {{ word|capfirst }} {{ big|lower }}")
    with translation.override("tr"):
        assert template.render(Context({"word": "ilk", "big": "IŞIK"})) == "İLK İlk ışık"
    with translation.override("en-gb"):
        assert template.render(Context({"word": "ilk", "big": "IŞIK"})) == "ILK Ilk işik"


@pytest.mark.parametrize(
    ("language", "short", "month"),
    [
        ("en-gb", "1 Dec 2026", "Dec 2026"),
        ("ko", "2026. 12. 1.", "2026년 12월"),
        ("tr", "1 Ara 2026", "Aralık 2026"),
    ],
)
def test_dates_are_written_as_each_language_writes_them(language, short, month):
    day = dt.date(2026, 12, 1)
    with translation.override(language):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(day, "YEAR_MONTH_FORMAT") == month
        # Inputs stay ISO whatever the language (the browser's date input needs it).
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
