"""Follow-ups after the first-hour walk (walk1 #1, #3): a stale tab cannot reopen a closed
follow-up or wipe its note (browser and API), every note stays in the page's history, old
answers pushed late make no follow-ups, and the list says when the person answered."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from audiences.models import AuditEntry
from audiences.services import api_key_create
from measurements.followups import followup_update, followup_version
from measurements.models import FollowUp, FollowUpStatus, Response
from tests.factories import MetricDefinitionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(microsecond=0)


def _followup(definition, *, at=None, comment="The bus was late", assignee=None):
    at = at or NOW - timedelta(days=1)
    response = Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=3,
        responded_at=at,
        local_date=at.date(),
        comment=comment,
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
    nps = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    return _followup(nps, assignee=owner_person)


@pytest.fixture
def api(org):
    client = APIClient()
    key = api_key_create(organisation=org, name="Survey tool").raw_key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _version_on(html):
    return re.search(r'name="version" value="([^"]+)"', html).group(1)


def _form(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode()


# --- walk1 #1: the stale tab -----------------------------------------------------------------


def test_a_stale_tab_cannot_reopen_a_closed_followup_or_replace_its_note(
    owner_client, owner_person, parents_followup
):
    path = f"/app/follow-ups/{parents_followup.pk}/"
    tab1 = _version_on(_form(owner_client, path))
    tab2 = _version_on(_form(owner_client, path))
    closed = owner_client.post(
        path,
        {
            "assignee": owner_person.pk,
            "status": "closed",
            "note": "Closed in tab 1",
            "version": tab1,
        },
    )
    assert closed.status_code == 302
    entries = AuditEntry.objects.for_org(parents_followup.organisation_id).count()

    stale = owner_client.post(
        path,
        {"assignee": owner_person.pk, "status": "open", "note": "Typed in tab 2", "version": tab2},
    )

    assert stale.status_code == 409
    html = stale.content.decode()
    assert "This follow-up was changed by Olive Owner at " in html
    assert "it is now closed. Nothing was saved" in html
    # What the person typed is still in the box, the form now reads the current state.
    assert "Typed in tab 2</textarea>" in html
    assert '<option value="closed" selected>' in html
    saved = FollowUp.objects.for_org(parents_followup.organisation).get()
    assert (saved.status, saved.note) == ("closed", "Closed in tab 1")
    assert AuditEntry.objects.for_org(parents_followup.organisation_id).count() == entries
    # Saving again from the refreshed form is a decision made with the current state in view.
    again = owner_client.post(
        path,
        {
            "assignee": owner_person.pk,
            "status": "closed",
            "note": "Typed in tab 2",
            "version": _version_on(html),
        },
    )
    assert again.status_code == 302
    assert FollowUp.objects.for_org(parents_followup.organisation).get().note == "Typed in tab 2"


def test_the_service_refuses_a_version_read_before_the_last_change(owner, parents_followup):
    read = followup_version(parents_followup)
    followup_update(followup=parents_followup, actor=owner, note="First", version=read)
    with pytest.raises(ValidationError) as refused:
        followup_update(followup=parents_followup, actor=owner, status="closed", version=read)
    assert "changed by" in refused.value.message_dict["version"][0]
    assert FollowUp.objects.for_org(parents_followup.organisation).get().status == "open"


def test_a_patch_with_a_stale_version_is_refused_naming_the_field(api, parents_followup):
    url = f"/api/v1/followups/{parents_followup.pk}/"
    read = api.get(url).json()["version"]
    first = api.patch(url, {"status": "closed", "note": "Done", "version": read}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] != read

    stale = api.patch(url, {"status": "open", "note": "Late", "version": read}, format="json")

    assert stale.status_code == 400
    assert "API key Survey tool" in str(stale.json())
    assert "version" in str(stale.json())
    saved = FollowUp.objects.for_org(parents_followup.organisation).get()
    assert (saved.status, saved.note) == (FollowUpStatus.CLOSED, "Done")


def test_every_note_stays_in_the_history_with_who_wrote_it(
    owner_client, owner, owner_person, parents_followup
):
    followup_update(followup=parents_followup, actor=owner, note="Left a voicemail")
    followup_update(followup=parents_followup, actor=owner, note="Spoke to them, bus fixed")
    followup_update(followup=parents_followup, actor=owner, status="closed")

    html = _form(owner_client, f"/app/follow-ups/{parents_followup.pk}/")
    history = html[html.index('data-testid="history"') :]
    history = history[: history.index("</ol>")]
    assert history.count("<li>") == 4  # made, two notes, the close
    assert history.index("Left a voicemail") < history.index("Spoke to them, bus fixed")
    assert "<strong>Closed</strong> by Olive Owner" in history
    assert "<strong>Note added</strong> by Olive Owner" in history
    assert "<strong>Note replaced</strong> by Olive Owner" in history


# --- walk1 #3: back-filled answers -----------------------------------------------------------


def _item(external_id, days_ago):
    return {
        "external_id": external_id,
        "audience": "parents",
        "metric": "nps",
        "score": 0,
        "responded_at": (NOW - timedelta(days=days_ago)).isoformat(),
        "respondent": f"parent-{external_id}",
    }


def test_answers_older_than_the_max_age_make_no_followups(api, owned_audience):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    # Three weeks of back-fill and two recent detractors: FOLLOWUP_MAX_AGE_DAYS is 14.
    items = [_item(f"old-{n}", 15 + n) for n in range(6)] + [_item("d-13", 13), _item("d-1", 1)]
    assert api.post("/api/v1/responses/", items, format="json").status_code == 201

    made = FollowUp.objects.for_org(owned_audience.organisation).select_related("response")
    assert sorted(f.response.external_id for f in made) == ["d-1", "d-13"]


def test_the_max_age_is_a_setting(api, owned_audience, settings):
    settings.FOLLOWUP_MAX_AGE_DAYS = 30
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    items = [_item("d-20", 20), _item("d-31", 31)]
    assert api.post("/api/v1/responses/", items, format="json").status_code == 201
    made = FollowUp.objects.for_org(owned_audience.organisation).select_related("response")
    assert [f.response.external_id for f in made] == ["d-20"]


def test_the_list_says_when_the_person_answered(viewer_client, owned_audience, unowned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    answered = datetime(2026, 11, 20, 14, 35, tzinfo=UTC)
    _followup(nps, at=answered)
    # Teachers are employees: one answer in the month withholds the exact time, not the day.
    enps = MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="enps")
    _followup(enps, at=datetime(2026, 11, 18, 8, 5, tzinfo=UTC))

    html = _form(viewer_client, "/app/follow-ups/")

    assert "<th>Answered</th>" in html
    cells = re.findall(r'<td data-testid="answered">(.*?)</td>', html)
    assert len(cells) == 2
    assert any("20 Nov 2026 14:35" in c for c in cells)  # the organisation's zone is UTC
    assert "18 Nov 2026" in cells and not any("08:05" in c for c in cells)
