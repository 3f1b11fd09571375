"""walk2's privacy findings: a blank or punctuation-only comment is no comment (it neither
counts towards a small group's minimum nor makes a follow-up), ingestion stores comments and
respondents stripped, migration 0013 blanks the whitespace-only ones already stored, and a
withheld follow-up's reason names what the group was short of."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements import privacy
from measurements.followups import followup_qualifies, followup_shown
from measurements.models import FollowUp, MetricKind, Response
from tests.factories import AudienceFactory, MetricDefinitionFactory
from tests.measurements.rollup_helpers import respond

pytestmark = pytest.mark.django_db

# Four answers that say nothing, as walk2 pushed them: a space, a no-break space, a full stop
# and a tab.
SAY_NOTHING = [" ", "\u00a0", ".", "\t"]
REAL = "Interview at Lincoln Elementary was a mess"


@pytest.fixture
def api(org):
    client = APIClient()
    key = api_key_create(organisation=org, name="Survey tool").raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def candidates(org):
    audience = AudienceFactory(
        organisation=org, slug="teacher-candidates", name="Teacher candidates", kind="candidate"
    )
    return MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps")


def _at(minutes_ago: int) -> str:
    # Recent, so every answer is in this month's group and recent enough for a follow-up.
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)
    return at.isoformat().replace("+00:00", "Z")


def _item(external_id, score, minutes_ago, **extra):
    return {
        "external_id": external_id,
        "audience": "teacher-candidates",
        "metric": "nps",
        "score": score,
        "responded_at": _at(minutes_ago),
        **extra,
    }


def _push(api, items):
    answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.json()


def test_four_comments_that_say_nothing_do_not_unlock_the_real_one(
    api, viewer_client, org, candidates
):
    _push(api, [_item("c-5", 2, 30, comment=REAL, respondent="c-5")])
    followup = FollowUp.objects.for_org(org).get()
    # Four more answers, each with a "comment" of whitespace or a full stop: five answers,
    # but one comment. Before, all five counted as comments and the real one showed.
    _push(api, [_item(f"pad-{i}", 9, 20 - i, comment=c) for i, c in enumerate(SAY_NOTHING)])

    as_key = api.get(f"/api/v1/followups/{followup.pk}/").json()
    responses = api.get("/api/v1/responses/", {"audience": "teacher-candidates"}).json()
    page = viewer_client.get(f"/app/follow-ups/{followup.pk}/").content.decode()

    assert as_key["comment"] is None
    assert [r["comment"] for r in responses["results"] if r["comment"]] == []
    assert REAL not in page
    # Five answers: the respondent and the time may show (an answer hides among answers).
    assert as_key["respondent"] == "c-5"
    assert as_key["withheld"] == (
        "The comment is withheld: Candidate NPS of Teacher candidates had fewer than 5 "
        f"comments in {timezone.now():%b %Y}, and in a group this small it could point at one "
        "person (small-group privacy)."
    )


def test_the_rule_counts_letters_and_digits_in_any_script_and_sql_agrees(org, candidates):
    texts = ["", " ", "\u00a0\t", ".", "-", "😡", "\u200b", "ok", "Ж", "日本", "5", " no\u00a0"]
    expected = [False] * 7 + [True] * 5
    assert [privacy.carries_comment(t) for t in texts] == expected
    at = timezone.now() - timedelta(minutes=5)
    for text in texts:
        respond(candidates, 9, at, comment=text)

    sizes = privacy.groups(
        organisation_id=org.pk, keys={(candidates.pk, privacy.month_of(at.date()))}
    )

    # 12 answers, of which 5 carry a comment: "ok", "Ж", "日本", "5" and " no ".
    assert sizes[(candidates.pk, privacy.month_of(at.date()))] == privacy.Group(12, 5)
    assert Response.objects.for_org(org).filter(privacy.carries_comment_q()).count() == 5


def test_pushed_comments_and_respondents_are_stored_stripped(api, org, candidates):
    _push(
        api,
        [
            _item("a", 9, 10, comment="  Long wait \u00a0\n", respondent="\tc-7 "),
            _item("b", 9, 9, comment="\u00a0 \t", respondent="   "),
        ],
    )
    stored = Response.objects.for_org(org).order_by("external_id")
    assert list(stored.values_list("comment", "respondent")) == [("Long wait", "c-7"), ("", "")]


def test_a_comment_that_says_nothing_and_no_respondent_makes_no_followup(api, org):
    audience = AudienceFactory(organisation=org, slug="parents", name="Parents", kind="parent")
    MetricDefinitionFactory(audience=audience, kind=MetricKind.NPS, slug="nps")
    items = [
        {**_item(f"x-{i}", 2, 5, comment=c), "audience": "parents"}
        for i, c in enumerate(["   ", ".", "-"])
    ]
    _push(api, [*items, {**_item("real", 2, 4, comment="No reply"), "audience": "parents"}])

    made = FollowUp.objects.for_org(org).values_list("response__external_id", flat=True)
    assert list(made) == ["real"]  # walk2 #27 had "   " and nothing else in it


def test_the_python_rule_says_the_same(candidates):
    assert not followup_qualifies(candidates, score=2, comment=" . ", respondent=" ")
    assert followup_qualifies(candidates, score=2, comment="Bad", respondent="")
    assert followup_qualifies(candidates, score=2, comment="", respondent="c-1")


def test_the_migration_blanks_whitespace_only_comments_and_respondents(org, candidates):
    at = timezone.now() - timedelta(minutes=5)
    rows = [
        (" ", "\u00a0"),
        ("\t\n\u2003\u3000", ""),
        ("  Kept as it is ", "c-1"),
        (".", " c-2"),
    ]
    for comment, respondent in rows:
        respond(candidates, 9, at, comment=comment, respondent=respondent)

    class SchemaEditor:
        pass

    SchemaEditor.connection = connection
    migration = import_module("measurements.migrations.0013_followup_threshold_blank_comments")
    migration.blank_whitespace_only(apps, SchemaEditor())

    stored = Response.objects.for_org(org).order_by("pk").values_list("comment", "respondent")
    # Only the whitespace-only values go; "." stays stored (the rule counts it as nothing).
    assert list(stored) == [("", ""), ("", ""), ("  Kept as it is ", "c-1"), (".", " c-2")]


def test_a_group_with_enough_answers_but_few_comments_says_comments(org, unowned_audience):
    # walk2: teachers, December, 7 answers of which 1 with a comment; the reason said
    # "fewer than 5 answers".
    enps = MetricDefinitionFactory(audience=unowned_audience, kind=MetricKind.NPS, slug="enps")
    at = timezone.now() - timedelta(minutes=5)
    for i in range(6):
        respond(enps, 9, at, respondent=f"t-{i}")
    response = respond(enps, 2, at, comment="My principal bullies me", respondent="t-9")
    followup = FollowUp.objects.create(
        organisation=org, audience=unowned_audience, definition=enps, response=response
    )

    shown = followup_shown(followup)

    assert (shown.comment, shown.respondent) == (None, "t-9")
    assert shown.withheld == (
        "The comment is withheld: eNPS of Teachers had fewer than 5 comments in "
        f"{at:%b %Y}, and in a group this small it could point at one person "
        "(small-group privacy)."
    )

    # With the six other answers gone, the group is short of answers: the reason says so.
    Response.objects.for_org(org).exclude(pk=response.pk).delete()
    assert followup_shown(followup).withheld.startswith(
        "The comment, respondent and exact time are withheld: eNPS of Teachers had fewer than "
        "5 answers in "
    )
