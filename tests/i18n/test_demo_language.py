"""`seed_demo --language ko|tr` (or AX_DEMO_LANGUAGE): the demo's labels in that language, its
slugs, e-mail addresses and counts as in English; a run in another language relabels the same
rows, and a run without a language is English as before."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audiences.models import Audience, Organisation, Person
from journeys.models import Persona, PersonaQuote, Stage, Touchpoint
from measurements.models import (
    FollowUp,
    MeasurementPlan,
    MetricDefinition,
    Opportunity,
    Response,
)

MODELS = (
    Organisation,
    Person,
    Audience,
    Stage,
    Touchpoint,
    Persona,
    PersonaQuote,
    MeasurementPlan,
    MetricDefinition,
    Opportunity,
    FollowUp,
    Response,
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def keys() -> dict[str, set]:
    """What tests and integrations rely on: the same in every language."""
    return {
        "organisations": set(Organisation.objects.values_list("slug", flat=True)),
        "audiences": set(Audience.all_orgs.values_list("organisation__slug", "slug")),
        "touchpoints": set(Touchpoint.all_orgs.values_list("audience__slug", "slug")),
        "definitions": set(MetricDefinition.all_orgs.values_list("audience__slug", "slug")),
        "people": set(Person.all_orgs.values_list("email", flat=True)),
        "users": set(get_user_model().objects.values_list("email", flat=True)),
    }


def audience(slug: str, org: str = "riverside") -> Audience:
    return Audience.all_orgs.get(organisation__slug=org, slug=slug)


def comments() -> set[str]:
    return set(Response.all_orgs.exclude(comment="").values_list("comment", flat=True))


def test_korean_demo_has_korean_labels_on_the_english_keys(db):
    output = seed()
    english_counts, english_keys = counts(), keys()
    assert audience("students").name == "Students"
    assert "Quick and friendly, thank you." in comments()
    assert "Demo data loaded" in output

    output = seed("--language", "ko")

    # A second run in Korean relabels the rows the English run wrote: nothing added, no key moved.
    assert counts() == english_counts
    assert keys() == english_keys
    assert Organisation.objects.get(slug="riverside").name == "가람교육지원청"
    assert audience("students").name == "학생"
    assert audience("parents").name == "학부모"
    assert audience("school-board").kind_label == "거버넌스"
    assert audience("customers", "northwind").name == "고객"
    maya = Person.all_orgs.get(email="maya.chen@riverside.example")
    assert (maya.name, maya.title) == ("정미연", "인사과장")
    # Korean writes the family name first: the whole name is the user's first name.
    assert get_user_model().objects.get(
        email="avery.johnson@riverside.example"
    ).get_full_name() == ("안예린")
    assert (
        get_user_model()
        .objects.get(email="avery.johnson@riverside.example")
        .check_password("ax-demo-lead")
    )
    online_form = Touchpoint.all_orgs.get(slug="online-enrolment-form")
    assert online_form.name == "온라인 입학 신청서"
    assert Stage.all_orgs.filter(name="Discover").count() == 0
    assert Stage.all_orgs.filter(name="알아보기").count() == 1
    assert MetricDefinition.all_orgs.get(audience__slug="teachers", slug="nps").name == "교사 eNPS"
    assert MeasurementPlan.all_orgs.get(audience__slug="students").cadence == "학기마다"
    assert Opportunity.all_orgs.filter(status="done").get().problem == (
        "신규 교사가 연수 3주 차에야 노트북을 받음"
    )
    # The answers written by the English run are kept; their comments are now Korean.
    assert "빠르고 친절했어요. 감사합니다." in comments()
    assert "Quick and friendly, thank you." not in comments()
    assert "다시 전화해 사과하고 예약을 바로잡았습니다." in set(
        FollowUp.all_orgs.values_list("note", flat=True)
    )
    assert "데모 데이터를 불러왔습니다." in output
    assert "avery.johnson@riverside.example" in output and "ax-demo-lead" in output


def test_turkish_demo_from_the_environment_then_english_again(db, monkeypatch):
    monkeypatch.setenv("AX_DEMO_LANGUAGE", "tr")
    seed()
    turkish_counts, turkish_keys = counts(), keys()
    assert Organisation.objects.get(slug="riverside").name == (
        "Irmakkent İlçe Millî Eğitim Müdürlüğü"
    )
    assert audience("students").name == "Öğrenciler"
    assert audience("parents").name == "Veliler"
    assert audience("special-education-families").description.startswith("BEP")
    assert Person.all_orgs.get(email="grace.okafor@riverside.example").name == "Gül Okay"
    user = get_user_model().objects.get(email="maya.chen@riverside.example")
    assert (user.first_name, user.last_name) == ("Meral", "Çetin")
    assert Touchpoint.all_orgs.get(slug="support-chat").name == "Canlı destek"
    assert "Hızlı ve güler yüzlüydü, teşekkürler." in comments()
    assert ("riverside", "special-education-families") in turkish_keys["audiences"]
    assert ("prospective-families", "online-enrolment-form") in turkish_keys["touchpoints"]

    # An explicit --language wins over the environment; English is the default again.
    seed("--language", "en")
    assert counts() == turkish_counts
    assert keys() == turkish_keys
    assert Organisation.objects.get(slug="riverside").name == "Riverside School District"
    assert audience("students").name == "Students"
    assert Person.all_orgs.get(email="grace.okafor@riverside.example").name == "Grace Okafor"
    user = get_user_model().objects.get(email="maya.chen@riverside.example")
    assert (user.first_name, user.last_name) == ("Maya", "Chen")
    assert Touchpoint.all_orgs.get(slug="support-chat").name == "Support chat"
    assert "Hızlı ve güler yüzlüydü, teşekkürler." not in comments()
    assert "Quick and friendly, thank you." in comments()


def test_an_unknown_demo_language_is_refused(db):
    with pytest.raises(CommandError, match="Unknown demo language 'xx'"):
        seed("--language", "xx")
    assert not Organisation.objects.exists()
