"""Slugs from Turkish and Korean names, and name search that folds case in every script.

The Turkish tester's examples: "İstanbul ılık veliler ğüşöç" came out `istanbul-lk-veliler-gusoc`
(ı dropped) and a Korean name gave an empty slug, which was refused. Search for "istanbul" missed
"İstanbul" and "öğretmen" missed "Öğretmenler". The search tests run on SQLite and on PostgreSQL
(`DATABASE_URL=postgres://… pytest` this file).
"""

import pytest
from django.urls import reverse
from django.utils.text import slugify
from rest_framework.test import APIClient

from audiences.models import Audience
from audiences.services import api_key_create
from axreg.names import search_fold, slug_from_name
from journeys.models import Touchpoint
from tests.factories import AudienceFactory, StageFactory

# name -> slug, each checked by hand: ı and İ are i, ğ g, ü u, ş s, ö o, ç c.
TURKISH = {
    "İstanbul ılık veliler ğüşöç": "istanbul-ilik-veliler-gusoc",
    "Işıklı İstanbul Şubesi ılık karşılama": "isikli-istanbul-subesi-ilik-karsilama",
    "ÖĞRETMENLER ODASI": "ogretmenler-odasi",
}
# Korean is romanised syllable by syllable: 학 hag, 부 bu, 모 mo; 만 man, 족 jog, 도 do.
KOREAN = {"학부모": "hagbumo", "학부모 만족도": "hagbumo-manjogdo"}


@pytest.fixture
def api(org):
    client = APIClient()
    key = api_key_create(organisation=org, name="Survey tool")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


@pytest.mark.parametrize(("name", "slug"), [*TURKISH.items(), *KOREAN.items()])
def test_a_slug_keeps_every_letter_of_a_turkish_or_korean_name(name, slug):
    assert slug_from_name(name) == slug


@pytest.mark.parametrize(
    "name", ["Parents", "Prospective parents (2025)", "Café O'Brien & co", "snake_case name", ""]
)
def test_a_latin_name_gives_the_slug_it_always_did(name):
    assert slug_from_name(name) == slugify(name)[:80]


def test_a_long_name_is_cut_to_eighty_without_a_trailing_hyphen():
    slug = slug_from_name("ılık " * 40)
    assert len(slug) <= 80 and slug.startswith("ilik-ilik") and not slug.endswith("-")


def test_the_api_makes_the_testers_audience_slug(api):
    name = "İstanbul ılık veliler ğüşöç"
    answer = api.post("/api/v1/audiences/", {"name": name, "kind": "parent"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["slug"] == "istanbul-ilik-veliler-gusoc"


def test_the_api_makes_the_testers_touchpoint_slug(api, org):
    stage = StageFactory(audience=AudienceFactory(organisation=org, slug="parents"))
    name = "Işıklı İstanbul Şubesi ılık karşılama"
    answer = api.post("/api/v1/touchpoints/", {"stage": stage.pk, "name": name}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["slug"] == "isikli-istanbul-subesi-ilik-karsilama"


def test_a_korean_audience_was_refused_and_now_gets_a_romanised_slug(api, lead_client, org):
    answer = api.post("/api/v1/audiences/", {"name": "학부모", "kind": "parent"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["slug"] == "hagbumo"
    page = lead_client.post(
        reverse("audiences:create"), {"name": "학부모 만족도", "kind": "parent", "stage": "current"}
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Audience.objects.for_org(org).get(name="학부모 만족도").slug == "hagbumo-manjogdo"


def test_a_korean_touchpoint_gets_a_romanised_slug_in_the_app(lead_client, org):
    stage = StageFactory(audience=AudienceFactory(organisation=org, slug="parents"))
    url = reverse("journeys:touchpoint_create", args=["parents", stage.pk])
    page = lead_client.post(url, {"name": "학부모 상담", "stage": stage.pk, "channel": "web"})
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Touchpoint.objects.for_org(org).get(name="학부모 상담").slug == "hagbumo-sangdam"


def test_a_name_without_any_letter_still_asks_for_a_slug(api):
    answer = api.post("/api/v1/audiences/", {"name": "🎓 ★", "kind": "parent"}, format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["slug"]


def test_a_renamed_audience_keeps_its_stored_slug(api, org):
    AudienceFactory(organisation=org, name="İstanbul ılık", slug="istanbul-lk")
    answer = api.patch("/api/v1/audiences/istanbul-lk/", {"name": "İzmir ılık"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["slug"] == "istanbul-lk"


# --- search --------------------------------------------------------------------------------


def test_the_fold_makes_every_i_one_letter_and_folds_case_in_every_script():
    for spelling in ["İstanbul", "istanbul", "ISTANBUL", "İSTANBUL", "ıstanbul", "i\u0307stanbul"]:
        assert search_fold(spelling) == "istanbul"
    assert search_fold("ÖĞRETMENLER") == search_fold("öğretmenler") == "öğretmenler"
    assert search_fold("Straße") == search_fold("STRASSE")


@pytest.fixture
def named(org):
    for slug, name in [
        ("istanbul", "İstanbul veliler"),
        ("izmir", "izmir öğrencileri"),
        ("teachers", "Öğretmenler"),
        ("light", "IŞIK ailesi"),
        ("parents", "학부모"),
        ("customers", "Customers"),
    ]:
        AudienceFactory(organisation=org, slug=slug, name=name)


FOUND = [
    # upper to lower and lower to upper, Turkish I in all four spellings
    ("istanbul", {"istanbul"}),
    ("ISTANBUL", {"istanbul"}),
    ("İSTANBUL", {"istanbul"}),
    ("ıstanbul", {"istanbul"}),
    ("İZMİR", {"izmir"}),
    ("IZMIR", {"izmir"}),
    ("öğretmen", {"teachers"}),
    ("ÖĞRETMEN", {"teachers"}),
    ("ÖĞRENCİ", {"izmir"}),
    ("ışık", {"light"}),
    ("Işık", {"light"}),
    ("학부", {"parents"}),
    ("CUSTOMERS", {"customers"}),
    ("ankara", set()),
]


@pytest.mark.parametrize(("q", "slugs"), FOUND)
def test_the_api_finds_a_name_in_any_case(api, named, q, slugs):
    answer = api.get("/api/v1/audiences/", {"q": q})
    assert answer.status_code == 200
    assert {row["slug"] for row in answer.json()["results"]} == slugs


@pytest.mark.parametrize(("q", "slugs"), FOUND)
def test_the_registry_page_finds_a_name_in_any_case(lead_client, named, q, slugs):
    page = lead_client.get(reverse("audiences:list"), {"q": q})
    assert page.status_code == 200
    assert {audience.slug for audience in page.context["audiences"]} == slugs


def test_search_still_combines_with_the_other_filters(api, org, named):
    Audience.objects.for_org(org).filter(slug="istanbul").update(archived=True)
    assert api.get("/api/v1/audiences/", {"q": "istanbul"}).json()["results"] == []
    answer = api.get("/api/v1/audiences/", {"q": "ISTANBUL", "archived": "only"})
    assert [row["slug"] for row in answer.json()["results"]] == ["istanbul"]
