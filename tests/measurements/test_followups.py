"""Follow-ups: the rule, its once-only creation, its services and the loop's numbers, with
hand-worked cases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from audiences.models import AuditEntry, Organisation
from audiences.selectors import audit_rows
from audiences.services import api_key_create
from measurements.followups import (
    followup_loop,
    followup_shown,
    followup_target_set,
    followup_threshold,
    followup_update,
    followups_create_for_batch,
    open_followups,
)
from measurements.models import FollowUp, FollowUpStatus, MetricKind, Response
from tests.factories import AudienceFactory, MetricDefinitionFactory, PersonFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

# Yesterday: only answers of the last FOLLOWUP_MAX_AGE_DAYS become follow-ups.
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)


def _response(definition, score, *, comment="", respondent="", at=AT):
    return Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=score,
        responded_at=at,
        local_date=at.date(),
        comment=comment,
        respondent=respondent,
    )


def _followup(definition, score=3, *, status=FollowUpStatus.OPEN, assignee=None, comment="Slow"):
    response = _response(definition, score, comment=comment)
    return FollowUp.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        response=response,
        assignee=assignee,
        status=status,
    )


@pytest.fixture
def api(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='Survey tool').raw_key}"
    )
    return client


@pytest.fixture
def endpoint(org):
    # Stored directly: no address check needed, and nothing is sent inside a test transaction.
    return WebhookEndpoint.objects.create(
        organisation=org,
        url="https://hooks.example.org/ax",
        events=["followup.created", "followup.closed"],
        secret="whsec_" + "A" * 32,
    )


def _push(api, items):
    answer = api.post("/api/v1/responses/", items, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def _item(external_id, score, **extra):
    return {
        "external_id": external_id,
        "audience": "parents",
        "metric": "nps",
        "score": score,
        "responded_at": AT.isoformat(),
        **extra,
    }


# --- the rule --------------------------------------------------------------------------------


def test_the_default_thresholds_follow_each_kinds_scale(org):
    audience = AudienceFactory(organisation=org)

    def threshold(kind, lo=None, hi=None, **extra):
        definition = MetricDefinitionFactory.build(
            audience=audience, kind=kind, scale_min=lo, scale_max=hi, **extra
        )
        return followup_threshold(definition)

    assert threshold(MetricKind.NPS, 0, 10) == 6  # detractors 0–6
    assert threshold(MetricKind.CSAT, 1, 5) == 2  # the bottom box mirrors the top box 4–5
    assert threshold(MetricKind.CSAT, 1, 10) == 2  # top box 9–10, bottom box 1–2
    assert threshold(MetricKind.CES, 1, 7) == 3  # agree 5–7, disagree ("hard") 1–3
    assert threshold(MetricKind.CES, 1, 5) == 2
    assert threshold(MetricKind.CSAT, 1, 5, followup_threshold=1) == 1  # the definition's own
    assert threshold(MetricKind.TTR) is None  # no one answer to reach
    assert threshold(MetricKind.RETENTION, followup_threshold=50) is None


def test_an_nps_6_with_a_comment_becomes_one_followup_for_the_owner(
    api, owned_audience, owner_person
):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    _push(
        api,
        [
            _item("a", 6, comment="The bus was late again"),
            _item("b", 7, comment="Fine"),  # a passive: no follow-up
            _item("c", 3),  # no comment, no respondent: nobody to answer
            _item("d", 0, respondent="parent-17"),  # a respondent is enough
        ],
    )
    made = FollowUp.objects.for_org(owned_audience.organisation).order_by("response__score")
    assert [(f.response.external_id, f.assignee, f.status) for f in made] == [
        ("d", owner_person, "open"),
        ("a", owner_person, "open"),
    ]


def test_a_csat_1_on_1_to_5_becomes_a_followup_and_a_3_does_not(api, owned_audience):
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", scale_min=1, scale_max=5
    )
    _push(
        api,
        [
            _item("one", 1, metric="csat", comment="Nobody called back"),
            _item("three", 3, metric="csat", comment="OK"),
        ],
    )
    assert [f.response.external_id for f in open_followups(owned_audience.organisation)] == ["one"]


def test_an_audience_without_owner_gets_an_unassigned_followup(api, unowned_audience):
    MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="nps")
    _push(api, [_item("x", 2, audience="teachers", comment="Too many meetings")])
    assert FollowUp.objects.for_org(unowned_audience.organisation).get().assignee is None


def test_a_resent_item_makes_no_second_followup_and_no_second_event(api, owned_audience, endpoint):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    item = _item("again", 4, comment="Homework app crashes")
    assert _push(api, [item])["created"] == 1
    assert _push(api, [item, item])["duplicates"] == 2
    org = owned_audience.organisation
    assert FollowUp.objects.for_org(org).count() == 1
    created = WebhookDelivery.objects.for_org(org).filter(event_type="followup.created")
    assert created.count() == 1
    payload = created.get().payload
    assert payload["followup"]["comment"] == "Homework app crashes"
    assert payload["summary"] == "Parents: NPS 4 (with a comment), a follow-up for Olive Owner"


def test_the_batch_helper_run_twice_makes_nothing_more(owned_audience):
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    response = _response(definition, 5, comment="Meh")
    Response.objects.for_org(owned_audience.organisation).filter(pk=response.pk).update(
        batch_id="6f1c2c9e-0000-4000-8000-000000000001"
    )
    org = owned_audience.organisation
    kwargs = {
        "organisation": org,
        "batch_id": "6f1c2c9e-0000-4000-8000-000000000001",
        "stored_ids": (response.pk, response.pk),
        "definitions": [definition],
    }
    assert followups_create_for_batch(**kwargs) == 1
    assert followups_create_for_batch(**kwargs) == 0
    assert FollowUp.objects.for_org(org).count() == 1


def test_a_csv_import_makes_followups_too(owner_client, owned_audience):
    from measurements.ingest import RESPONSES, ingest

    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    # The CSV import's confirm step calls the same ingest() with the parsed rows.
    ingest(
        kind=RESPONSES,
        organisation=owned_audience.organisation,
        payload=[_item("csv-1", 1, comment="Lost my login")],
    )
    assert open_followups(owned_audience.organisation).count() == 1


# --- services --------------------------------------------------------------------------------


def test_closing_records_who_and_when_sends_one_event_and_reads_in_words(
    owned_audience, owner, owner_person, endpoint
):
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    followup = _followup(definition, assignee=owner_person)
    teammate = PersonFactory(organisation=owned_audience.organisation, name="Tom Teammate")

    followup_update(followup=followup, actor=owner, assignee=teammate, note="Called back")
    followup_update(followup=followup, actor=owner, status="in_progress")
    closed = followup_update(followup=followup, actor=owner, status="closed")
    followup_update(followup=followup, actor=owner, status="closed")  # already closed

    assert (closed.status, closed.closed_by) == ("closed", owner)
    assert closed.closed_at is not None
    org = owned_audience.organisation
    assert WebhookDelivery.objects.for_org(org).filter(event_type="followup.closed").count() == 1
    rows = audit_rows(AuditEntry.objects.for_org(org).filter(object_type="followup"))
    # jsonb keeps no key order on PostgreSQL: compare each entry's changes as a set.
    words = [(row.action, {(c.label, c.before, c.after) for c in row.changes}) for row in rows]
    assert ("Closed", {("Status", "In progress", "Closed")}) in words
    assert (
        "Updated",
        {
            ("Assigned to", "Olive Owner (owner@example.org)", f"Tom Teammate ({teammate.email})"),
            ("Note", "—", "Called back"),
        },
    ) in words


def test_a_reopened_followup_clears_its_close_and_a_second_close_sends_a_second_event(
    owned_audience, owner, endpoint
):
    followup = _followup(MetricDefinitionFactory(audience=owned_audience))
    followup_update(followup=followup, actor=owner, status="closed")
    reopened = followup_update(followup=followup, actor=owner, status="open")
    assert (reopened.closed_at, reopened.closed_by) == (None, None)
    followup_update(followup=followup, actor=owner, status="closed")
    org = owned_audience.organisation
    assert WebhookDelivery.objects.for_org(org).filter(event_type="followup.closed").count() == 2
    actions = AuditEntry.objects.for_org(org).filter(object_type="followup")
    assert sorted(actions.values_list("action", flat=True)) == ["closed", "closed", "reopened"]


def test_it_refuses_an_assignee_of_another_organisation(owned_audience, other_org, owner):
    followup = _followup(MetricDefinitionFactory(audience=owned_audience))
    with pytest.raises(ValidationError) as refused:
        followup_update(
            followup=followup, actor=owner, assignee=PersonFactory(organisation=other_org)
        )
    assert "assignee" in refused.value.message_dict


def test_a_lead_changes_the_target_days_with_an_audit_entry(org, lead):
    followup_target_set(organisation=org, days=3, actor=lead)
    assert Organisation.objects.get(pk=org.pk).followup_target_days == 3
    entry = AuditEntry.objects.for_org(org).get(object_type="organisation")
    assert entry.changes == {"followup_target_days": [2, 3]}
    with pytest.raises(ValidationError):
        followup_target_set(organisation=org, days=0, actor=lead)


# --- the loop's numbers ----------------------------------------------------------------------


def test_the_loop_numbers_worked_by_hand(org, owned_audience):
    # Closes after 1 d, 3 d and 5 h with the default target of 2 d: median 1 d (24 h),
    # 2 of 3 within the target (1 d and 5 h). One more still open; one closed 100 days ago is
    # outside the 90-day window; another audience's does not count.
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    definition = MetricDefinitionFactory(audience=owned_audience)
    for created_days_ago, took in (
        (10, timedelta(days=1)),
        (8, timedelta(days=3)),
        (4, timedelta(hours=5)),
        (120, timedelta(hours=1)),
    ):
        f = _followup(definition, status=FollowUpStatus.CLOSED)
        created = now - timedelta(days=created_days_ago)
        FollowUp.objects.for_org(org).filter(pk=f.pk).update(
            created_at=created, closed_at=created + took
        )
    _followup(definition)
    _followup(MetricDefinitionFactory(audience=AudienceFactory(organisation=org)))

    loop = followup_loop(organisation=org, audience=owned_audience, now=now)

    assert (loop.open, loop.closed, loop.median_hours, loop.within_target) == (1, 3, 24.0, 2)
    assert round(loop.share_within_target, 1) == 66.7
    assert (loop.median_text, loop.share_text) == ("1.0 d", "67 % (2 of 3)")
    assert followup_loop(organisation=org, now=now).open == 2


def test_a_longer_target_counts_the_3_day_close_as_within(org, owned_audience):
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    definition = MetricDefinitionFactory(audience=owned_audience)
    f = _followup(definition, status=FollowUpStatus.CLOSED)
    FollowUp.objects.for_org(org).filter(pk=f.pk).update(
        created_at=now - timedelta(days=5), closed_at=now - timedelta(days=2)
    )
    assert followup_loop(organisation=org, now=now).within_target == 0
    org.followup_target_days = 3
    assert followup_loop(organisation=org, now=now).within_target == 1


def test_no_closes_is_no_number_not_zero(org, owned_audience):
    loop = followup_loop(organisation=org, audience=owned_audience)
    assert (loop.median_hours, loop.share_within_target, loop.median_text) == (None, None, "—")


# --- privacy ---------------------------------------------------------------------------------


def test_a_small_employee_group_withholds_comment_respondent_and_time_with_a_reason(
    org, unowned_audience
):
    # Teachers are employees: groups under 5 answers a month withhold (measurements.privacy).
    enps = MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps")
    response = _response(enps, 2, comment="My head of year ignores me", respondent="t-4")
    followup = FollowUp.objects.create(
        organisation=org, audience=unowned_audience, definition=enps, response=response
    )
    shown = followup_shown(followup)
    assert (shown.comment, shown.respondent, shown.responded_at, shown.created_at) == (
        None,
        None,
        None,
        None,
    )
    assert shown.responded_on == AT.date()
    assert shown.withheld == (
        "The comment, respondent and exact time are withheld: eNPS of Teachers had fewer than "
        f"5 answers in {AT:%b %Y}, and in a group this small they could point at one person "
        "(small-group privacy)."
    )


def test_a_large_enough_group_shows_the_comment(org, unowned_audience):
    enps = MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps")
    for i in range(4):
        _response(enps, 9, comment=f"Good {i}", respondent=f"t-{i}")
    response = _response(enps, 2, comment="My head of year ignores me", respondent="t-4")
    followup = FollowUp.objects.create(
        organisation=org, audience=unowned_audience, definition=enps, response=response
    )
    shown = followup_shown(followup)
    assert (shown.comment, shown.respondent, shown.withheld) == (
        "My head of year ignores me",
        "t-4",
        "",
    )


def test_open_followups_lists_open_and_in_progress_but_not_closed(org, other_org):
    definition = MetricDefinitionFactory(audience=AudienceFactory(organisation=org))
    opened = _followup(definition)
    working = _followup(definition, status=FollowUpStatus.IN_PROGRESS)
    _followup(definition, status=FollowUpStatus.CLOSED)
    _followup(MetricDefinitionFactory(audience=AudienceFactory(organisation=other_org)))

    assert set(open_followups(org)) == {opened, working}


def test_open_followups_narrows_to_one_assignee_and_one_audience(org):
    first = MetricDefinitionFactory(audience=AudienceFactory(organisation=org))
    second = MetricDefinitionFactory(audience=AudienceFactory(organisation=org))
    olive = PersonFactory(organisation=org)
    mine = _followup(first, assignee=olive)
    _followup(first)
    theirs = _followup(second, assignee=olive)

    assert set(open_followups(org, assignee=olive)) == {mine, theirs}
    assert list(open_followups(org, assignee=olive, audience=first.audience)) == [mine]


# --- demo ------------------------------------------------------------------------------------


def test_the_demo_seeds_followups_in_every_state_once_and_sends_nothing(org, endpoint):
    from django.core.management import call_command

    # `org` is the demo's riverside (same slug), here with a webhook for follow-up events.
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    made = FollowUp.objects.for_org(org)
    assert sorted(made.values_list("status", flat=True)) == [
        "closed",
        "closed",
        "closed",
        "closed",
        "closed",
        "in_progress",
        "open",
        "open",
    ]
    assert WebhookDelivery.objects.for_org(org).count() == 0
    # Closes after 20 h, 28 h, 5 h, 98 h and 78 h: median 28 h, 3 of 5 within 2 days.
    loop = followup_loop(organisation=Organisation.objects.get(pk=org.pk))
    assert (loop.open, loop.closed, loop.median_hours, loop.within_target) == (3, 5, 28.0, 3)
    assert all(f.response.responded_at <= f.created_at for f in made.select_related("response"))


# --- a definition's own threshold ------------------------------------------------------------


def test_a_definitions_own_threshold_is_set_in_the_form_and_used_from_then_on(
    api, owner_client, owned_audience
):
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    _push(api, [_item("before", 4, comment="Meh")])  # 4 ≤ 6: a follow-up by default
    edit = f"/app/audiences/parents/measurement/metrics/{definition.pk}/edit/"
    assert 'name="followup_threshold"' in owner_client.get(edit).content.decode()
    answer = owner_client.post(
        edit,
        {
            "kind": "nps",
            "slug": "nps",
            "name": "NPS",
            "margin_percent": "100",
            "alert_min_n": "30",
            "followup_threshold": "3",
            "active": "on",
        },
    )
    assert answer.status_code == 302
    _push(api, [_item("after-4", 4, comment="Meh"), _item("after-3", 3, comment="Poor")])
    made = FollowUp.objects.for_org(owned_audience.organisation)
    # No back-fill, no removal: "before" keeps its follow-up; from now on only 0–3 qualify.
    assert sorted(made.values_list("response__external_id", flat=True)) == ["after-3", "before"]


def test_a_threshold_off_the_scale_or_on_a_kind_without_followups_is_refused(api, org):
    audience = AudienceFactory(organisation=org, slug="customers")
    MetricDefinitionFactory(audience=audience, kind="csat", slug="csat", scale_min=1, scale_max=5)
    off_scale = api.patch(
        "/api/v1/metric-definitions/customers/csat/", {"followup_threshold": 7}, format="json"
    )
    assert off_scale.status_code == 400
    assert "Enter a score on the scale, 1 to 5." in str(off_scale.json())
    ttr = api.post(
        "/api/v1/metric-definitions/",
        {"audience": "customers", "kind": "ttr", "slug": "ttr", "followup_threshold": 2},
        format="json",
    )
    assert ttr.status_code == 400
    assert "makes no follow-ups" in str(ttr.json())
    ok = api.patch(
        "/api/v1/metric-definitions/customers/csat/", {"followup_threshold": 1}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["followup_threshold"] == 1
