"""Metric definitions: the rules in `definition_validate`, the form that shows them per field,
who may add and edit them, and the audit trail."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audiences.models import AuditEntry
from measurements.models import MetricDefinition, MetricKind, Response
from measurements.services import definition_create, definition_set_active, definition_update
from tests.factories import AudienceFactory, MetricDefinitionFactory, TouchpointFactory


def _errors(audience, **data):
    with pytest.raises(ValidationError) as caught:
        definition_create(audience=audience, actor_user=None, data=data)
    return caught.value.message_dict


# --- validation (the service the API uses too) -----------------------------------------------


def test_it_defaults_slug_to_kind_and_name_to_the_audience_label(unowned_audience):
    # Teachers are an employee audience: their NPS is an eNPS.
    definition = definition_create(audience=unowned_audience, actor_user=None, data={"kind": "nps"})
    assert definition.slug == "nps"
    assert definition.name == "eNPS"
    assert (definition.scale_min, definition.scale_max) == (0, 10)


def test_it_names_the_slug_when_a_second_nps_needs_another(owned_audience):
    definition_create(audience=owned_audience, actor_user=None, data={"kind": "nps"})
    errors = _errors(owned_audience, kind="nps", name="Transactional NPS")
    assert list(errors) == ["slug"]
    assert "already has a metric with the slug “nps”" in errors["slug"][0]
    second = definition_create(
        audience=owned_audience, actor_user=None, data={"kind": "nps", "slug": "nps-after-visit"}
    )
    assert second.slug == "nps-after-visit"


def test_it_allows_the_same_slug_on_another_audience(owned_audience, unowned_audience):
    definition_create(audience=owned_audience, actor_user=None, data={"kind": "nps"})
    assert definition_create(audience=unowned_audience, actor_user=None, data={"kind": "nps"})


def test_it_refuses_any_nps_scale_but_0_to_10(owned_audience):
    errors = _errors(owned_audience, kind="nps", scale_min=1, scale_max=10)
    assert "NPS is always on 0–10" in errors["scale_min"][0]
    assert "scale_max" not in errors


def test_it_defaults_csat_to_1_to_5_and_ces_to_1_to_7(owned_audience):
    csat = definition_create(audience=owned_audience, actor_user=None, data={"kind": "csat"})
    ces = definition_create(audience=owned_audience, actor_user=None, data={"kind": "ces"})
    assert (csat.scale_min, csat.scale_max) == (1, 5)
    assert (ces.scale_min, ces.scale_max) == (1, 7)


def test_it_accepts_another_integer_scale_for_csat(owned_audience):
    csat = definition_create(
        audience=owned_audience,
        actor_user=None,
        data={"kind": "csat", "scale_min": 0, "scale_max": 10},
    )
    assert (csat.scale_min, csat.scale_max) == (0, 10)


@pytest.mark.parametrize(
    ("scale_min", "scale_max", "field"),
    [(5, 5, "scale_max"), (7, 1, "scale_max"), (-1, 5, "scale_min"), (1, 101, "scale_max")],
)
def test_it_refuses_a_scale_that_is_not_a_rating_scale(owned_audience, scale_min, scale_max, field):
    errors = _errors(owned_audience, kind="csat", scale_min=scale_min, scale_max=scale_max)
    assert list(errors) == [field]


@pytest.mark.parametrize("kind", ["ttr", "retention", "churn", "clv"])
def test_it_refuses_a_scale_on_kinds_without_one(owned_audience, kind):
    errors = _errors(owned_audience, kind=kind, scale_max=5)
    assert "has no scale" in errors["scale_max"][0]


def test_it_refuses_a_touchpoint_of_another_audience(org, owned_audience):
    elsewhere = TouchpointFactory(stage__audience=AudienceFactory(organisation=org))
    errors = _errors(owned_audience, kind="csat", touchpoint=elsewhere)
    assert list(errors) == ["touchpoint"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_it_refuses_targets_that_are_not_finite(owned_audience, value):
    errors = _errors(owned_audience, kind="retention", target=value, alert_threshold=value)
    assert errors == {
        "target": ["Enter a finite number."],
        "alert_threshold": ["Enter a finite number."],
    }


@pytest.mark.parametrize(
    ("kind", "scale", "ok", "bad"),
    [
        ("nps", {}, [-100, 0, 100], [-101, 100.5]),
        ("csat", {}, [0, 85, 100], [-1, 101]),
        ("ces", {}, [1, 5.5, 7], [0.9, 8]),
        ("ces", {"scale_min": 1, "scale_max": 5}, [4.2], [6]),
        ("ttr", {}, [0, 48, 10_000], [-1]),
        ("clv", {}, [0, 1_000_000], [-5]),
        # Cohort retention and churn are shares of the starting members (PRODUCT.md): 0–100.
        ("retention", {}, [0, 90, 100], [-500, 120]),
        ("churn", {}, [0, 20, 100], [-20, 600]),
    ],
)
def test_it_keeps_targets_within_what_the_metric_can_be(owned_audience, kind, scale, ok, bad):
    for index, value in enumerate(ok):
        definition_create(
            audience=owned_audience,
            actor_user=None,
            data={"kind": kind, "slug": f"{kind}-{index}", "target": value, **scale},
        )
    for value in bad:
        errors = _errors(
            owned_audience, kind=kind, slug=f"{kind}-bad", alert_threshold=value, **scale
        )
        assert list(errors) == ["alert_threshold"], (kind, value)


def test_it_checks_margin_only_for_clv(owned_audience):
    assert list(_errors(owned_audience, kind="clv", margin_percent=120)) == ["margin_percent"]
    assert list(_errors(owned_audience, kind="nps", margin_percent=50)) == ["margin_percent"]
    clv = definition_create(
        audience=owned_audience, actor_user=None, data={"kind": "clv", "margin_percent": 62.5}
    )
    assert float(clv.margin_percent) == 62.5


def test_it_refuses_a_minimum_group_size_of_zero(owned_audience):
    assert list(_errors(owned_audience, kind="nps", min_group_size=0)) == ["min_group_size"]


def test_it_reports_every_bad_field_at_once(owned_audience):
    errors = _errors(
        owned_audience, kind="csat", scale_max=200, target=float("nan"), min_group_size=0
    )
    assert set(errors) == {"scale_max", "target", "min_group_size"}


def test_it_fixes_kind_and_scale_once_results_are_stored(owned_audience):
    definition = MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", scale_min=1, scale_max=5
    )
    at = datetime(2025, 3, 1, tzinfo=UTC)
    Response.objects.create(
        organisation=owned_audience.organisation,
        audience=owned_audience,
        definition=definition,
        score=4,
        responded_at=at,
        local_date=at.date(),
    )
    with pytest.raises(ValidationError) as caught:
        definition_update(definition=definition, actor_user=None, data={"scale_max": 10})
    assert list(caught.value.message_dict) == ["scale_max"]
    definition.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        definition_update(definition=definition, actor_user=None, data={"kind": "ces"})
    assert list(caught.value.message_dict) == ["kind"]
    # The target can still move.
    definition.refresh_from_db()
    definition_update(definition=definition, actor_user=None, data={"target": 80})
    definition.refresh_from_db()
    assert definition.target == 80


# --- audit ----------------------------------------------------------------------------------


def test_it_records_who_changed_a_definition(owned_audience, owner):
    definition = definition_create(
        audience=owned_audience, actor_user=owner, data={"kind": "nps", "target": 30}
    )
    definition_update(definition=definition, actor_user=owner, data={"target": 40})
    definition_set_active(definition=definition, actor_user=owner, active=False)
    entries = list(AuditEntry.all_orgs.filter(audience=owned_audience).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "deactivate"]
    assert all(e.actor_user == owner for e in entries)
    assert entries[1].changes == {"target": [30.0, 40.0]}
    assert entries[2].changes == {"active": [True, False]}


# --- the browser form -----------------------------------------------------------------------


def _create_url(audience):
    return reverse("measurements:definition_create", args=[audience.slug])


def _form_data(**overrides):
    data = {"kind": "nps", "name": "", "slug": "", "margin_percent": "100", "active": "on"}
    data.update(overrides)
    return data


def test_it_adds_an_active_definition_from_the_form(owner_client, owned_audience):
    response = owner_client.post(_create_url(owned_audience), _form_data(target="35"))
    assert response.status_code == 302
    definition = MetricDefinition.all_orgs.get(audience=owned_audience)
    assert (definition.slug, definition.active, definition.target) == ("nps", True, 35)
    page = owner_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert "NPS = % scoring 9–10 minus % scoring 0–6 on 0–10" in page.content.decode()


def test_it_shows_the_error_next_to_the_field(owner_client, owned_audience):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    response = owner_client.post(
        _create_url(owned_audience), _form_data(scale_min="1", target="nan")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already has a metric with the slug" in form.errors["slug"][0]
    assert form.errors["target"] == ["Enter a number."]
    assert 'id="id_slug_error"' in response.content.decode()
    assert MetricDefinition.all_orgs.filter(audience=owned_audience).count() == 1


def test_it_offers_only_this_audiences_touchpoints(owner_client, org, owned_audience):
    mine = TouchpointFactory(stage__audience=owned_audience, name="Open evening")
    other = TouchpointFactory(stage__audience=AudienceFactory(organisation=org), name="Elsewhere")
    response = owner_client.post(
        _create_url(owned_audience), _form_data(kind="csat", touchpoint=str(other.pk))
    )
    assert "touchpoint" in response.context["form"].errors
    assert "Elsewhere" not in response.content.decode()
    assert "Open evening" in response.content.decode()
    owner_client.post(_create_url(owned_audience), _form_data(kind="csat", touchpoint=str(mine.pk)))
    assert MetricDefinition.all_orgs.get(audience=owned_audience).touchpoint == mine


def test_it_deactivates_rather_than_deletes(owner_client, owned_audience):
    definition = MetricDefinitionFactory(audience=owned_audience)
    url = reverse("measurements:definition_active", args=[owned_audience.slug, definition.pk])
    owner_client.post(url, {"active": "0"})
    definition.refresh_from_db()
    assert definition.active is False
    page = owner_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert "Reactivate" in page.content.decode()


# --- permissions ----------------------------------------------------------------------------


def test_an_owner_cannot_add_a_metric_to_an_audience_they_do_not_own(
    owner_client, unowned_audience
):
    assert owner_client.get(_create_url(unowned_audience)).status_code == 403
    assert owner_client.post(_create_url(unowned_audience), _form_data()).status_code == 403
    assert not MetricDefinition.all_orgs.filter(audience=unowned_audience).exists()


def test_a_lead_can_add_a_metric_to_any_audience(lead_client, unowned_audience):
    assert lead_client.post(_create_url(unowned_audience), _form_data()).status_code == 302
    assert MetricDefinition.all_orgs.get(audience=unowned_audience).name == "eNPS"


def test_a_viewer_reads_but_cannot_change(viewer_client, owned_audience):
    definition = MetricDefinitionFactory(audience=owned_audience)
    page = viewer_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert page.status_code == 200
    assert "Relationship NPS" in page.content.decode()
    assert "Add a metric" not in page.content.decode()
    assert "Deactivate" not in page.content.decode()
    edit = reverse("measurements:definition_edit", args=[owned_audience.slug, definition.pk])
    assert viewer_client.post(edit, _form_data(target="10")).status_code == 403
    active = reverse("measurements:definition_active", args=[owned_audience.slug, definition.pk])
    assert viewer_client.post(active, {"active": "0"}).status_code == 403
    definition.refresh_from_db()
    assert definition.active and definition.target is None


def test_another_organisations_definition_is_not_found(lead_client, org, foreign_audience):
    mine = AudienceFactory(organisation=org, slug="customers")
    theirs = MetricDefinitionFactory(audience=foreign_audience)
    # Their audience by slug, and their definition under my audience of the same slug: both 404.
    assert lead_client.get(reverse("measurements:plan", args=["customers"])).status_code == 200
    edit = reverse("measurements:definition_edit", args=[mine.slug, theirs.pk])
    assert lead_client.get(edit).status_code == 404
    active = reverse("measurements:definition_active", args=[mine.slug, theirs.pk])
    assert lead_client.post(active, {"active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_another_audiences_definition_is_not_found_under_this_audience(
    owner_client, owned_audience, unowned_audience
):
    theirs = MetricDefinitionFactory(audience=unowned_audience)
    edit = reverse("measurements:definition_edit", args=[owned_audience.slug, theirs.pk])
    assert owner_client.get(edit).status_code == 404


def test_an_outsider_gets_404_for_this_organisations_audience(outsider_client, owned_audience):
    url = reverse("measurements:plan", args=[owned_audience.slug])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(_create_url(owned_audience), _form_data()).status_code == 404


def test_kind_choice_lists_every_kind():
    assert {"nps", "csat", "ces", "ttr", "retention", "churn", "clv"} == set(MetricKind.values)


def test_a_refused_edit_keeps_the_saved_name_in_the_heading(owner_client, owned_audience):
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", name="Parent NPS")
    edit = reverse("measurements:definition_edit", args=[owned_audience.slug, definition.pk])
    # Target 150 is out of NPS's −100…100: refused, and the form keeps what was typed.
    page = owner_client.post(edit, _form_data(name="Parent NPS (edited)", target="150"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Edit metric “Parent NPS”" in html
    assert 'value="Parent NPS (edited)"' in html
