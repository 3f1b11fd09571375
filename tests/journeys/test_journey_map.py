"""The journey map: stages as ordered columns, touchpoints as cards, edited by the audience's
editors only, every change audited."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audiences.models import AuditEntry
from journeys.models import Stage, Touchpoint
from journeys.services import (
    stage_create,
    stage_delete,
    stage_move,
    touchpoint_create,
    touchpoint_move,
    touchpoint_update,
)
from measurements.models import MetricDefinition
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    PersonFactory,
    StageFactory,
    TouchpointFactory,
)


def _names(queryset):
    return list(queryset.values_list("name", flat=True))


def _stages(audience, *names_and_phases):
    return [
        stage_create(audience=audience, actor_user=None, data={"name": n, "phase": p})
        for n, p in names_and_phases
    ]


# --- services -------------------------------------------------------------------------------


def test_stages_are_added_at_the_end_and_move_left_and_right(owned_audience, owner):
    enquire, _visit, enrol = _stages(
        owned_audience, ("Enquire", "before"), ("Visit", "before"), ("Enrol", "during")
    )
    assert stage_move(stage=enrol, actor_user=owner, offset=-1)
    assert _names(Stage.all_orgs.filter(audience=owned_audience)) == ["Enquire", "Enrol", "Visit"]
    assert not stage_move(stage=enquire, actor_user=owner, offset=-1)  # already first
    assert list(
        Stage.all_orgs.filter(audience=owned_audience).values_list("position", flat=True)
    ) == [0, 1, 2]
    move = AuditEntry.all_orgs.get(action="move")
    assert move.changes == {"position": [3, 2]} and move.actor_user == owner


def test_removing_a_stage_closes_the_gap_and_keeps_definitions(owned_audience):
    _first, second, _third = _stages(
        owned_audience, ("A", "before"), ("B", "during"), ("C", "after")
    )
    touchpoint = TouchpointFactory(stage=second)
    definition = MetricDefinitionFactory(audience=owned_audience, touchpoint=touchpoint)
    stage_delete(stage=second, actor_user=None)
    assert list(Stage.all_orgs.filter(audience=owned_audience).values_list("name", "position")) == [
        ("A", 0),
        ("C", 1),
    ]
    definition.refresh_from_db()
    assert definition.touchpoint is None
    assert MetricDefinition.all_orgs.filter(pk=definition.pk).exists()


def test_touchpoint_slug_comes_from_the_name_and_must_be_unique(owned_audience):
    (stage,) = _stages(owned_audience, ("Visit", "before"))
    tour = touchpoint_create(stage=stage, actor_user=None, data={"name": "School tour"})
    assert tour.slug == "school-tour"
    with pytest.raises(ValidationError) as caught:
        touchpoint_create(stage=stage, actor_user=None, data={"name": "School  Tour"})
    assert "already uses the slug “school-tour”" in caught.value.message_dict["slug"][0]
    other = touchpoint_create(
        stage=stage, actor_user=None, data={"name": "School tour", "slug": "tour-2"}
    )
    assert other.slug == "tour-2"


def test_the_same_touchpoint_slug_is_fine_on_another_audience(org, owned_audience):
    (mine,) = _stages(owned_audience, ("Visit", "before"))
    (theirs,) = _stages(AudienceFactory(organisation=org), ("Visit", "before"))
    touchpoint_create(stage=mine, actor_user=None, data={"name": "Tour"})
    assert touchpoint_create(stage=theirs, actor_user=None, data={"name": "Tour"}).slug == "tour"


def test_touchpoints_move_up_and_down_within_their_stage(owned_audience):
    (stage,) = _stages(owned_audience, ("Visit", "before"))
    a, _b, c = (touchpoint_create(stage=stage, actor_user=None, data={"name": n}) for n in "ABC")
    assert touchpoint_move(touchpoint=a, actor_user=None, offset=1)
    assert _names(Touchpoint.all_orgs.filter(stage=stage)) == ["B", "A", "C"]
    assert not touchpoint_move(touchpoint=c, actor_user=None, offset=1)


def test_moving_a_touchpoint_to_another_stage_renumbers_both(owned_audience):
    visit, enrol = _stages(owned_audience, ("Visit", "before"), ("Enrol", "during"))
    a, _b = (touchpoint_create(stage=visit, actor_user=None, data={"name": n}) for n in "AB")
    touchpoint_create(stage=enrol, actor_user=None, data={"name": "Form"})
    touchpoint_update(touchpoint=a, actor_user=None, data={"stage": enrol})
    assert list(Touchpoint.all_orgs.filter(stage=visit).values_list("name", "position")) == [
        ("B", 0)
    ]
    assert list(Touchpoint.all_orgs.filter(stage=enrol).values_list("name", "position")) == [
        ("Form", 0),
        ("A", 1),
    ]


def test_a_touchpoint_cannot_sit_on_another_audiences_stage_or_have_a_foreign_owner(
    owned_audience, unowned_audience, other_org
):
    (stage,) = _stages(owned_audience, ("Visit", "before"))
    (foreign_stage,) = _stages(unowned_audience, ("Other", "before"))
    tour = touchpoint_create(stage=stage, actor_user=None, data={"name": "Tour"})
    with pytest.raises(ValidationError) as caught:
        touchpoint_update(
            touchpoint=tour,
            actor_user=None,
            data={"stage": foreign_stage, "owner": PersonFactory(organisation=other_org)},
        )
    assert set(caught.value.message_dict) == {"stage", "owner"}


def test_every_journey_change_is_audited_with_audience_and_actor(owned_audience, owner):
    (stage,) = _stages(owned_audience, ("Visit", "before"))
    tour = touchpoint_create(
        stage=stage, actor_user=owner, data={"name": "Tour", "channel": "event"}
    )
    touchpoint_update(touchpoint=tour, actor_user=owner, data={"obstacles": "Parking"})
    entries = AuditEntry.all_orgs.filter(audience=owned_audience, object_type="touchpoint")
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert entries.order_by("id").last().changes == {"obstacles": ["", "Parking"]}
    assert all(e.actor_user == owner for e in entries)


# --- the map page ---------------------------------------------------------------------------


def _map(audience):
    return reverse("journeys:map", args=[audience.slug])


def test_the_map_shows_stages_in_order_with_phases_and_cards(viewer_client, owned_audience):
    later = StageFactory(audience=owned_audience, name="Enrol", phase="during", position=2)
    first = StageFactory(audience=owned_audience, name="Enquire", phase="before", position=1)
    StageFactory(audience=owned_audience, name="Term one", phase="after", position=3)
    tour = TouchpointFactory(
        stage=first,
        name="School tour",
        channel="in_person",
        expectations="Meet teachers",
        emotions="Nervous",
        motivations="A good fit",
        obstacles="Work hours",
        owner=owned_audience.owner,
    )
    MetricDefinitionFactory(audience=owned_audience, name="Tour CSAT", kind="csat", touchpoint=tour)
    TouchpointFactory(stage=later, name="Form")
    page = viewer_client.get(_map(owned_audience)).content.decode()
    assert re.findall(r'data-stage="([^"]+)"', page) == ["Enquire", "Enrol", "Term one"]
    assert re.findall(r'data-phase="([^"]+)"', page) == ["before", "during", "after"]
    for text in (
        "In person",
        "Meet teachers",
        "Nervous",
        "A good fit",
        "Work hours",
        "Olive Owner",
    ):
        assert text in page
    assert "Tour CSAT" in page
    assert "Add a stage" not in page and "Move stage" not in page


def test_the_map_costs_a_fixed_number_of_queries(
    viewer_client, owned_audience, django_assert_max_num_queries
):
    for position in range(4):
        stage = StageFactory(audience=owned_audience, position=position)
        for _ in range(3):
            MetricDefinitionFactory(
                audience=owned_audience,
                touchpoint=TouchpointFactory(stage=stage),
                slug=f"csat-{stage.pk}-{_}",
            )
    # The page, the stages with their cards, the definitions and one query over the period's
    # answers for the scores, the opportunities and the personas: no query per card.
    with django_assert_max_num_queries(16):
        assert viewer_client.get(_map(owned_audience)).status_code == 200


def test_an_owner_adds_a_stage_and_a_touchpoint_through_the_pages(owner_client, owned_audience):
    response = owner_client.post(
        reverse("journeys:stage_create", args=[owned_audience.slug]),
        {"name": "Enquire", "phase": "before", "description": ""},
    )
    assert response.status_code == 302
    stage = Stage.all_orgs.get(audience=owned_audience)
    response = owner_client.post(
        reverse("journeys:touchpoint_create", args=[owned_audience.slug, stage.pk]),
        {"stage": stage.pk, "name": "Website enquiry", "channel": "web"},
    )
    assert response.status_code == 302
    assert Touchpoint.all_orgs.get(audience=owned_audience).slug == "website-enquiry"
    page = owner_client.get(_map(owned_audience)).content.decode()
    assert "Website enquiry" in page and "Move touchpoint Website enquiry up" in page


def test_a_taken_touchpoint_slug_shows_next_to_the_field(owner_client, owned_audience):
    stage = StageFactory(audience=owned_audience)
    TouchpointFactory(stage=stage, name="Tour", slug="tour")
    response = owner_client.post(
        reverse("journeys:touchpoint_create", args=[owned_audience.slug, stage.pk]),
        {"stage": stage.pk, "name": "Tour", "channel": "web"},
    )
    assert response.status_code == 200
    assert "already uses the slug" in response.context["form"].errors["slug"][0]


def test_move_buttons_post_and_reorder(owner_client, owned_audience):
    a = StageFactory(audience=owned_audience, name="A", position=0)
    StageFactory(audience=owned_audience, name="B", position=1)
    url = reverse("journeys:stage_move", args=[owned_audience.slug, a.pk])
    assert owner_client.get(url).status_code == 405
    owner_client.post(url, {"direction": "right"})
    assert _names(Stage.all_orgs.filter(audience=owned_audience)) == ["B", "A"]


# --- permissions ----------------------------------------------------------------------------


def test_an_owner_cannot_change_another_audiences_journey(owner_client, unowned_audience):
    stage = StageFactory(audience=unowned_audience, name="Keep me")
    touchpoint = TouchpointFactory(stage=stage)
    slug = unowned_audience.slug
    assert owner_client.get(reverse("journeys:stage_create", args=[slug])).status_code == 403
    assert (
        owner_client.post(reverse("journeys:stage_delete", args=[slug, stage.pk])).status_code
        == 403
    )
    assert (
        owner_client.post(
            reverse("journeys:touchpoint_delete", args=[slug, touchpoint.pk])
        ).status_code
        == 403
    )
    assert Stage.all_orgs.filter(pk=stage.pk).exists()
    assert Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()
    assert "Add a stage" not in owner_client.get(_map(unowned_audience)).content.decode()


def test_a_viewer_cannot_change_a_journey(viewer_client, owned_audience):
    stage = StageFactory(audience=owned_audience, name="A", position=0)
    StageFactory(audience=owned_audience, name="B", position=1)
    url = reverse("journeys:stage_move", args=[owned_audience.slug, stage.pk])
    assert viewer_client.post(url, {"direction": "right"}).status_code == 403
    assert _names(Stage.all_orgs.filter(audience=owned_audience)) == ["A", "B"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("journeys:stage_edit", "stage"),
        ("journeys:stage_delete", "stage"),
        ("journeys:stage_move", "stage"),
        ("journeys:touchpoint_create", "stage"),
        ("journeys:touchpoint_edit", "touchpoint"),
        ("journeys:touchpoint_delete", "touchpoint"),
        ("journeys:touchpoint_move", "touchpoint"),
    ],
)
def test_nested_ids_of_another_organisation_or_audience_are_not_found(
    lead_client, org, owned_audience, foreign_audience, name, kind
):
    foreign_tp = TouchpointFactory(stage__audience=foreign_audience)
    sibling_tp = TouchpointFactory(stage__audience=AudienceFactory(organisation=org))
    for touchpoint in (foreign_tp, sibling_tp):
        obj_id = touchpoint.stage_id if kind == "stage" else touchpoint.pk
        url = reverse(name, args=[owned_audience.slug, obj_id])
        assert lead_client.post(url, {"direction": "left", "name": "x"}).status_code == 404
    assert Stage.all_orgs.filter(pk=foreign_tp.stage_id).exists()
    assert Touchpoint.all_orgs.filter(pk=foreign_tp.pk).exists()


def test_another_organisations_journey_is_not_found(outsider_client, owned_audience):
    assert outsider_client.get(_map(owned_audience)).status_code == 404
