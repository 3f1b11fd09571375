"""The journey map's order and its persona view: a new stage goes at the end of its phase, the
map says when the order puts a later phase first, a persona linked to nothing or a persona
the audience does not have reads in words, reordering is off while a persona hides part of
the journey, and the before/after table says "indicative" as the cards do."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import Phase, Stage
from journeys.services import stage_create
from measurements import metrics
from measurements.models import MetricKind
from measurements.periods import latest_complete_start
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    OrganisationFactory,
    PersonaFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.measurements.rollup_helpers import respond


def _names(audience):
    return list(Stage.all_orgs.filter(audience=audience).values_list("name", flat=True))


def _map(client, audience, **query):
    return client.get(reverse("journeys:map", args=[audience.slug]), query)


@pytest.fixture
def journey(owned_audience):
    """Visit (before), Enrol (during), Stay (after), one touchpoint each."""
    stages = [
        StageFactory(audience=owned_audience, name=name, phase=phase, position=i)
        for i, (name, phase) in enumerate(
            [("Visit", Phase.BEFORE), ("Enrol", Phase.DURING), ("Stay", Phase.AFTER)]
        )
    ]
    for stage, slug in zip(stages, ["open-day", "form", "term"], strict=True):
        TouchpointFactory(stage=stage, name=slug.replace("-", " ").title(), slug=slug)
    return stages


# --- a new stage's place --------------------------------------------------------------------


def test_a_new_stage_goes_at_the_end_of_its_phase(owned_audience, journey):
    def add(name, phase):
        stage_create(audience=owned_audience, actor_user=None, data={"name": name, "phase": phase})

    add("Enquire", Phase.BEFORE)  # after Visit, before Enrol (not after Stay)
    add("Pay", Phase.DURING)  # after Enrol
    add("Leave", Phase.AFTER)  # at the end
    assert _names(owned_audience) == ["Visit", "Enquire", "Enrol", "Pay", "Stay", "Leave"]
    positions = Stage.all_orgs.filter(audience=owned_audience).values_list("position", flat=True)
    assert list(positions) == [0, 1, 2, 3, 4, 5]


def test_a_new_stage_follows_the_last_one_it_may_follow_in_a_dragged_journey(owned_audience):
    StageFactory(audience=owned_audience, name="Stay", phase=Phase.AFTER, position=0)
    StageFactory(audience=owned_audience, name="Visit", phase=Phase.BEFORE, position=1)
    stage_create(audience=owned_audience, actor_user=None, data={"name": "Enrol"})  # during
    stage_create(audience=owned_audience, actor_user=None, data={"name": "Hear", "phase": "before"})
    # Enrol follows Visit (the last before-or-during stage); Hear follows Visit too, and
    # comes before Enrol; nothing is put before the dragged Stay.
    assert _names(owned_audience) == ["Stay", "Visit", "Hear", "Enrol"]
    only_after = AudienceFactory(organisation=owned_audience.organisation, slug="alumni")
    StageFactory(audience=only_after, name="Stay", phase=Phase.AFTER, position=0)
    stage_create(audience=only_after, actor_user=None, data={"name": "Visit", "phase": "before"})
    assert _names(only_after) == ["Visit", "Stay"]


def test_a_stage_added_through_the_page_lands_in_its_phase(owner_client, owned_audience, journey):
    url = reverse("journeys:stage_create", args=[owned_audience.slug])
    response = owner_client.post(url, {"name": "Enquire", "phase": "before", "description": ""})
    assert response.status_code == 302
    page = _map(owner_client, owned_audience).content.decode()
    assert re.findall(r'data-stage="([^"]+)"', page) == ["Visit", "Enquire", "Enrol", "Stay"]


# --- the phase order note -------------------------------------------------------------------


def test_the_map_says_when_a_later_phase_comes_before_an_earlier_one(
    viewer_client, owned_audience, journey
):
    in_order = _map(viewer_client, owned_audience).content.decode()
    assert "phase-order" not in in_order
    visit, enrol, stay = journey
    stay.position, visit.position, enrol.position = 0, 1, 2  # Stay dragged first
    for stage in journey:
        stage.save()
    page = _map(viewer_client, owned_audience).content.decode()
    note = re.search(r'<div class="message warning phase-order".*?</div>', page, re.S).group(0)
    assert "The stage order puts a later phase before an earlier one" in note
    assert "“Visit” (Before) comes after “Stay” (After)" in note
    assert "“Enrol” (During) comes after “Stay” (After)" in note
    assert "compares the stages by their phase, not their place" in note


# --- personas -------------------------------------------------------------------------------


def test_a_persona_linked_to_nothing_says_so_with_links_to_link_them_and_to_the_map(
    client, owner, viewer, owned_audience, journey
):
    sam = PersonaFactory(audience=owned_audience, name="Second-year teacher Sam")
    client.force_login(owner)
    page = _map(client, owned_audience, persona=sam.pk).content.decode()
    assert "No journey mapped yet" not in page
    assert (
        "<strong>Second-year teacher Sam</strong> is not linked to any stage or touchpoint" in page
    )
    edit = reverse("journeys:persona_edit", args=[owned_audience.slug, sam.pk])
    assert f'href="{edit}"' in page
    assert f'href="{reverse("journeys:map", args=[owned_audience.slug])}"' in page
    # A viewer cannot link them: the personas' page instead of the form.
    client.force_login(viewer)
    seen = _map(client, owned_audience, persona=sam.pk).content.decode()
    assert f'href="{edit}"' not in seen
    assert f'href="{reverse("journeys:personas", args=[owned_audience.slug])}"' in seen
    # No journey at all still says so, persona or not.
    empty = AudienceFactory(organisation=owned_audience.organisation, slug="empty")
    nobody = PersonaFactory(audience=empty, name="Nobody")
    assert "No journey mapped yet" in _map(client, empty, persona=nobody.pk).content.decode()


@pytest.mark.parametrize("value", ["abc", "99999", "1" * 30, "٣", "-1"])
def test_a_persona_value_the_audience_does_not_have_shows_the_whole_journey_with_a_note(
    viewer_client, owned_audience, journey, value
):
    response = _map(viewer_client, owned_audience, persona=value)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The persona asked for is not one of the personas of Parents" in page
    assert re.findall(r'data-stage="([^"]+)"', page) == ["Visit", "Enrol", "Stay"]


def test_another_audiences_or_organisations_persona_reads_like_an_unknown_one(
    viewer_client, owned_audience, journey
):
    other_audience = AudienceFactory(organisation=owned_audience.organisation, slug="staff")
    other_org = AudienceFactory(organisation=OrganisationFactory(), slug="parents")
    for persona in (PersonaFactory(audience=other_audience), PersonaFactory(audience=other_org)):
        page = _map(viewer_client, owned_audience, persona=persona.pk).content.decode()
        assert "The persona asked for is not one of the personas of Parents" in page
        assert persona.name not in page


def test_reordering_is_off_while_a_persona_hides_part_of_the_journey(
    owner_client, owned_audience, journey
):
    sam = PersonaFactory(audience=owned_audience, name="Sam")
    sam.stages.set([journey[1]])
    whole = _map(owner_client, owned_audience).content.decode()
    assert whole.count("data-move") == 6 and 'data-editable="true"' in whole
    page = _map(owner_client, owned_audience, persona=sam.pk).content.decode()
    assert "data-move" not in page and "drag-handle" not in page
    assert 'data-editable="false"' in page
    assert "Reordering is off while only Sam’s part of the journey is shown" in page
    assert "Edit<span" in page  # editing a stage or card still works there


# --- indicative on the before/after table ---------------------------------------------------


def test_the_before_after_table_flags_an_indicative_side_as_the_cards_do(
    viewer_client, owned_audience, journey
):
    visit, _enrol, stay = journey
    csat = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Parent CSAT",
        scale_min=1,
        scale_max=5,
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    day = datetime(latest.year, latest.month, 4, 12, tzinfo=UTC)
    # Before (Open day): 29 answers of 5 → 100.0 %, n 29, indicative (29 < 30).
    # After (Term): 15 of 5 and 15 of 2 → 15 / 30 = 50.0 %, n 30, not indicative.
    for _ in range(29):
        respond(csat, 5, day, touchpoint=visit.touchpoints.get())
    for score in [5] * 15 + [2] * 15:
        respond(csat, score, day, touchpoint=stay.touchpoints.get())
    page = _map(viewer_client, owned_audience).content.decode()
    row = re.search(r'<tr data-metric="csat">(.*?)</tr>', page, re.S).group(1)
    before, after, gap = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert "100.0 %" in before and "n 29" in before
    assert "Indicative (n &lt; 30)" in before
    assert "50.0 %" in after and "n 30" in after and "Indicative" not in after
    assert "-50.0 pts" in gap


def test_indicative_reads_its_threshold_from_the_one_rule(
    viewer_client, owned_audience, journey, monkeypatch
):
    monkeypatch.setattr(metrics, "INDICATIVE_BELOW", 40)
    csat = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.CSAT, slug="csat", scale_min=1, scale_max=5
    )
    latest = latest_complete_start("month", "UTC", timezone.now())
    day = datetime(latest.year, latest.month, 5, 12, tzinfo=UTC)
    for _ in range(35):  # n 35 at the form: indicative under a threshold of 40
        respond(csat, 4, day, touchpoint=journey[1].touchpoints.get())
    page = _map(viewer_client, owned_audience).content.decode()
    assert "Indicative (n &lt; 40)" in page and "n &lt; 30" not in page
