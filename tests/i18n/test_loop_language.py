"""Closing the loop in Korean and Turkish: the weekly digest in each owner's own language, the
alert list's statuses, a refused alert move on the page and in the API, follow-up history.

These read the compiled catalogues (locale/, built by /work/i18n/merge from the fragments).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from audiences.language import language_keep
from audiences.services import api_key_create
from axreg.text import capfirst, lower_first
from measurements.alerts import alerts_email_pending
from measurements.digest import digests_send
from measurements.display import unit_text
from measurements.followups import Loop, followup_update
from measurements.models import Alert, FollowUp, FollowUpStatus, MetricKind
from tests.factories import (
    AudienceFactory,
    MembershipFactory,
    MetricDefinitionFactory,
    PersonFactory,
)
from tests.isolation.conftest import login_in
from tests.measurements.rollup_helpers import respond

# Monday 30 November 2026, 09:00 UTC (the test organisation is in UTC).
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _text(html: str) -> str:
    """The words a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _alert(definition, start: date, *, status: str = "open", value: float = -12.5) -> Alert:
    return Alert.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        granularity="month",
        period_start=start,
        last_period_start=start,
        value=value,
        threshold=0,
        status=status,
    )


def _owner_of(org, slug: str, name: str, email: str, language: str | None):
    """A person with an account who owns one audience with one open alert (-12.5 in Oct 2026),
    having kept `language` (None: kept nothing)."""
    person = PersonFactory(organisation=org, name=name, email=email)
    user = MembershipFactory(organisation=org, user__email=email, user__username=email).user
    person.user = user
    person.save()
    if language:
        language_keep(user, language)
    audience = AudienceFactory(organisation=org, slug=slug, name=slug.title(), owner=person)
    nps = MetricDefinitionFactory(
        audience=audience, kind=MetricKind.NPS, slug=f"{slug}-nps", name="NPS"
    )
    _alert(nps, date(2026, 10, 1))
    return person


def test_each_owner_gets_the_digest_in_the_language_they_kept(org, mailoutbox):
    _owner_of(org, "parents", "Olive Owner", "olive@example.org", "ko")
    _owner_of(org, "pupils", "Ayşe Yılmaz", "ayse@example.org", "tr")
    _owner_of(org, "alumni", "Ed English", "ed@example.org", None)

    assert digests_send(now=MONDAY).sent == 3
    mails = {mail.to[0]: mail for mail in mailoutbox}

    korean = mails["olive@example.org"]
    assert korean.subject == "[AX Registry] 2026년 11월 30일 주간 요약: 미해결 알림 1건"
    assert "Olive Owner 님, 안녕하세요." in korean.body
    assert "미해결 알림(1)" in korean.body
    assert "Parents: NPS 2026년 10월 -12.5(알림 임계값 0)" in korean.body
    [(html, _kind)] = korean.alternatives
    assert '<html lang="ko">' in html and "내 홈 페이지" in html
    assert "open alert" not in korean.body and "Hello" not in korean.body

    turkish = mails["ayse@example.org"]
    assert turkish.subject == "[AX Registry] 30 Kasım 2026 haftanız: 1 açık uyarı"
    assert "Merhaba Ayşe Yılmaz," in turkish.body
    # Upper-cased as Turkish does it (i → İ), and the number with a comma.
    assert "AÇIK UYARILAR (1)" in turkish.body
    assert "Pupils: NPS Ekim 2026 döneminde -12,5 (uyarı eşiği 0)" in turkish.body

    english = mails["ed@example.org"]
    assert english.subject == "[AX Registry] Your week of 30 November 2026: 1 open alert"
    assert "Hello Ed English," in english.body
    assert "Alumni: NPS -12.5 in Oct 2026 (alert threshold 0)" in english.body
    # Writing one owner's digest in Korean left nothing switched for the next one.
    assert translation.get_language() == "en-gb"


def test_the_alert_list_in_turkish_shows_turkish_statuses(lead, org, owned_audience):
    for month, status in ((9, "open"), (10, "acknowledged"), (11, "resolved")):
        definition = MetricDefinitionFactory(
            audience=owned_audience, slug=f"nps-{month}", alert_threshold=0
        )
        _alert(definition, date(2026, month, 1), status=status)
    client = login_in(Client(), lead, org)

    page = client.get("/app/alerts/?status=all", HTTP_ACCEPT_LANGUAGE="tr").content.decode()

    # The status badges (the value badges beside them start with a digit or a sign).
    badges = re.findall(r'<span class="badge (?:bad|warn|ok)">([^<\d-][^<]*)</span>', page)
    assert sorted(badges) == ["Açık", "Çözüldü", "Üstlenildi"]
    text = _text(page)
    assert "Açık: 1 · Üstlenildi: 1 · Çözüldü: 1" in text
    assert "Eylül 2026" in text  # the months in Turkish
    assert "Acknowledged" not in text and "Resolved" not in text


def test_a_refused_alert_move_says_why_in_korean(owner, org, owned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, slug="nps", alert_threshold=0)
    alert = _alert(nps, date(2026, 10, 1), status="resolved")
    client = login_in(Client(), owner, org)

    answer = client.post(
        f"/app/alerts/{alert.pk}/acknowledge/", {"note": "x"}, HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert answer.status_code == 400
    assert "이미 해결된 알림입니다. 해결된 알림은 다시 열 수 없습니다." in answer.content.decode()


def test_the_api_refusal_follows_accept_language_and_keeps_its_field(org, owned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, slug="nps", alert_threshold=0)
    alert = _alert(nps, date(2026, 10, 1), status="resolved")
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='k').raw_key}"
    )
    url = f"/api/v1/alerts/{alert.pk}/"

    answers = {
        lang: api.patch(url, {"status": "acknowledged"}, format="json", HTTP_ACCEPT_LANGUAGE=lang)
        for lang in ("en", "ko", "tr")
    }

    assert {lang: a.status_code for lang, a in answers.items()} == {"en": 400, "ko": 400, "tr": 400}
    errors = {lang: a.json()["errors"][0] for lang, a in answers.items()}
    assert {e["field"] for e in errors.values()} == {"status"}
    assert errors["en"]["message"] == (
        "This alert is already resolved, and a resolved alert stays closed."
    )
    assert errors["ko"]["message"] == "이미 해결된 알림입니다. 해결된 알림은 다시 열 수 없습니다."
    assert errors["tr"]["message"] == "Bu uyarı zaten çözüldü; çözülen bir uyarı kapalı kalır."


def test_the_loops_numbers_read_as_each_language_writes_them():
    # Median 3.25 h rounds to 3.3 (half away from zero); 4 of 5 closed within the target.
    loop = Loop(open=2, closed=5, median_hours=3.25, within_target=4, target_days=7)
    with translation.override("en-gb"):
        assert (loop.median_text, loop.share_text) == ("3.3 h", "80 % (4 of 5)")
    # The percentage itself is the display layer's ("80%", "%80"); the count around it is ours.
    with translation.override("ko"):
        assert loop.share_text == f"{unit_text('80', '%')}(5건 중 4건)"
        assert loop.median_text == unit_text("3.3", "h")
    with translation.override("tr"):
        assert loop.share_text == f"{unit_text('80', '%')} (5 takipten 4)"
        assert loop.median_text == unit_text("3,3", "h")


def test_the_alert_email_is_in_the_owners_language(org, owned_audience, owner, mailoutbox):
    language_keep(owner, "tr")
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )
    _alert(nps, date(2026, 10, 1))

    assert alerts_email_pending(organisation_id=org.pk) == 1

    [mail] = mailoutbox
    assert mail.subject == "[AX Registry] Parents: NPS uyarı eşiğinin altında"
    assert mail.body == (
        "Parents için Parent NPS, 1 Ekim 2026 tarihinde başlayan ayda -12,5 oldu ve 0 uyarı "
        "eşiğinin altında kaldı.\n"
    )


def test_a_follow_ups_history_reads_in_turkish(owner, org, owned_audience, owner_person):
    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    response = respond(nps, 2, datetime(2026, 11, 20, 10, tzinfo=UTC), comment="Nobody called")
    followup = FollowUp.objects.create(
        organisation=org, audience=owned_audience, definition=nps, response=response
    )
    followup_update(
        followup=followup, actor=owner, status="in_progress", assignee=owner_person, note="Aradım"
    )
    client = login_in(Client(), owner, org)

    page = client.get(f"/app/follow-ups/{followup.pk}/", HTTP_ACCEPT_LANGUAGE="tr")

    text = _text(page.content.decode())
    assert "Yanıttan oluşturuldu" in text
    # The status labels (the models' Turkish: "Açık", "Devam ediyor") sit inside the line
    # lower-cased the Turkish way, and the line starts with a capital: "Açık durumundan devam
    # ediyor durumuna alındı, …".
    with translation.override("tr"):
        was, now = str(FollowUpStatus.OPEN.label), str(FollowUpStatus.IN_PROGRESS.label)
    assert (
        f"{capfirst(lower_first(was, 'tr'), 'tr')} durumundan {lower_first(now, 'tr')} durumuna "
        "alındı, atanan kişi: Olive Owner, not eklendi · Olive Owner"
    ) in text
