"""The follow-up pages: who reads, who acts, another organisation's 404, privacy on every page,
the loop's numbers on the audience page and the owner's count on their home."""

from datetime import UTC, datetime, timedelta

import pytest

from audiences.models import AuditEntry, Organisation
from measurements.models import FollowUp, FollowUpStatus, Response
from tests.factories import (
    AudienceFactory,
    MembershipFactory,
    MetricDefinitionFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LIST = "/app/follow-ups/"


def _followup(definition, *, score=3, comment="The bus was late", respondent="", assignee=None):
    response = Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=score,
        responded_at=AT,
        local_date=AT.date(),
        comment=comment,
        respondent=respondent,
    )
    return FollowUp.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        response=response,
        assignee=assignee,
    )


@pytest.fixture
def parents_followup(owned_audience, owner_person):
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind="nps", slug="nps", name="Parent NPS"
    )
    return _followup(nps, assignee=owner_person)


def _page(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_list_shows_the_followup_counts_and_loop_to_every_member(
    viewer_client, parents_followup
):
    html = _page(viewer_client, LIST)
    assert "The bus was late" in html
    assert f'href="/app/follow-ups/{parents_followup.pk}/"' in html
    assert 'data-testid="loop-open">1<' in html
    assert "Open: <strong" in html
    assert "Save target" not in html  # only a lead changes the target


def test_the_list_filters_by_status_audience_and_assigned_to_me(
    owner_client, parents_followup, unowned_audience, org
):
    customers = AudienceFactory(organisation=org, slug="customers", kind="customer")
    other = _followup(
        MetricDefinitionFactory(audience=customers, kind="csat", slug="csat"),
        comment="Marking takes all weekend, nobody listens",
    )
    FollowUp.objects.for_org(org).filter(pk=other.pk).update(status=FollowUpStatus.CLOSED)
    assert "Marking takes" not in _page(owner_client, LIST)  # closed: not in the default list
    assert "Marking takes" in _page(owner_client, LIST + "?status=closed")
    assert "The bus was late" not in _page(owner_client, LIST + "?status=closed")
    mine = _page(owner_client, LIST + "?mine=on&status=all")
    assert "The bus was late" in mine and "Marking takes" not in mine
    by_audience = _page(owner_client, LIST + "?audience=customers&status=all")
    assert "Marking takes" in by_audience and "The bus was late" not in by_audience
    # Teachers are employees: a comment in a group under 5 answers is withheld in the list too.
    _followup(
        MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps"),
        comment="My head of year ignores me",
    )
    teachers = _page(owner_client, LIST + "?audience=teachers")
    assert "My head of year" not in teachers and "Withheld (small group)" in teachers


def test_the_owner_assigns_notes_and_closes_from_the_detail_page(
    owner_client, owner, parents_followup, org
):
    teammate = PersonFactory(organisation=org, name="Tom Teammate")
    path = f"/app/follow-ups/{parents_followup.pk}/"
    answer = owner_client.post(
        path, {"assignee": teammate.pk, "status": "closed", "note": "Rang them, sorted the bus"}
    )
    assert answer.status_code == 302
    html = _page(owner_client, path)
    assert "Rang them, sorted the bus" in html and "Tom Teammate" in html
    assert 'data-testid="status">Closed<' in html
    # Named as "Assigned to" names people, not by the e-mail address (walk1 #18).
    assert "Closed</dt><dd>" in html and "by Olive Owner</dd>" in html
    assert f"by {owner.email}" not in html
    saved = FollowUp.objects.for_org(org).get()
    assert (saved.status, saved.closed_by, saved.assignee) == ("closed", owner, teammate)


def test_a_refused_value_comes_back_on_the_form_with_the_summary(owner_client, parents_followup):
    answer = owner_client.post(
        f"/app/follow-ups/{parents_followup.pk}/", {"status": "finished", "note": ""}
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Please correct this problem before saving" in html
    assert "Select a valid choice" in html


def test_a_viewer_reads_but_cannot_post(viewer_client, parents_followup):
    path = f"/app/follow-ups/{parents_followup.pk}/"
    assert "Assign, note, close" not in _page(viewer_client, path)
    assert viewer_client.post(path, {"status": "closed"}).status_code == 403
    assert FollowUp.objects.for_org(parents_followup.organisation).get().status == "open"


def test_an_owner_of_another_audience_cannot_act(client, org, parents_followup):
    someone = MembershipFactory(organisation=org, role="owner").user
    client.force_login(someone)
    path = f"/app/follow-ups/{parents_followup.pk}/"
    assert "Assign, note, close" not in _page(client, path)
    assert client.post(path, {"status": "closed"}).status_code == 403


def test_another_organisation_gets_404(outsider_client, parents_followup):
    assert outsider_client.get(f"/app/follow-ups/{parents_followup.pk}/").status_code == 404
    assert "The bus was late" not in _page(outsider_client, LIST)


def test_a_small_group_withholds_on_the_detail_page_with_the_reason(lead_client, unowned_audience):
    enps = MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps")
    followup = _followup(enps, comment="My head of year ignores me", respondent="teacher-4")
    html = _page(lead_client, f"/app/follow-ups/{followup.pk}/")
    assert "My head of year ignores me" not in html and "teacher-4" not in html
    assert "09:00" not in html  # only the day of the answer
    assert "2 Nov 2026" in html
    assert "The comment, respondent and exact time are withheld" in html


def test_the_audience_page_shows_its_loop_numbers(owner_client, parents_followup, org):
    FollowUp.objects.for_org(org).filter(pk=parents_followup.pk).update(
        status=FollowUpStatus.CLOSED,
        created_at=datetime.now(UTC) - timedelta(days=2, hours=2),
        closed_at=datetime.now(UTC) - timedelta(days=1, hours=2),
    )
    html = _page(owner_client, "/app/audiences/parents/")
    assert 'data-testid="loop-open">0<' in html
    assert 'data-testid="loop-median">1.0 d<' in html
    assert 'data-testid="loop-share">100 % (1 of 1)<' in html


def test_the_owners_home_counts_their_open_followups(owner_client, parents_followup):
    html = _page(owner_client, "/app/")
    assert "<strong>1</strong> open follow-up assigned to you" in html
    assert 'href="/app/follow-ups/?mine=on"' in html


def test_a_lead_changes_the_target_and_it_is_audited(lead_client, org):
    answer = lead_client.post("/app/follow-ups/target/", {"followup_target_days": "5"})
    assert answer.status_code == 302
    assert Organisation.objects.get(pk=org.pk).followup_target_days == 5
    assert AuditEntry.objects.for_org(org).filter(object_type="organisation").count() == 1
    refused = lead_client.post("/app/follow-ups/target/", {"followup_target_days": "0"})
    assert refused.status_code == 400
    assert "Please correct this problem before saving" in refused.content.decode()


def test_only_a_lead_changes_the_target(owner_client, org):
    assert (
        owner_client.post("/app/follow-ups/target/", {"followup_target_days": "9"}).status_code
        == 403
    )
    assert Organisation.objects.get(pk=org.pk).followup_target_days == 2


def test_the_nav_links_to_follow_ups(viewer_client):
    assert 'href="/app/follow-ups/"' in _page(viewer_client, "/app/audiences/")


def test_the_audit_trail_reads_a_close_in_words(lead_client, lead, parents_followup):
    from measurements.followups import followup_update

    followup_update(followup=parents_followup, actor=lead, status="closed")
    html = " ".join(lead_client.get("/app/audit/").content.decode().split())
    assert "Follow up" not in html
    assert f"#{parents_followup.pk}: {parents_followup.definition.name} 3 (Parents)" in html
    assert "<strong>Status</strong>: Open → Closed" in html
