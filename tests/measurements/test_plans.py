"""The measurement plan: the owner's process and methods in their own words."""

from datetime import date, timedelta

from django.urls import reverse

from audiences.models import AuditEntry
from measurements.models import MeasurementPlan
from tests.factories import AudienceFactory


def _edit_url(audience):
    return reverse("measurements:plan_edit", args=[audience.slug])


PLAN = {
    "process": "Survey parents after each term; the head reads every comment.",
    "methods": ["relationship_survey", "interviews"],
    "cadence": "Each term",
    "data_sources": "Survey tool",
    "run_by": "Olive Owner",
    "last_reviewed_on": "2025-01-15",
}


def test_an_owner_records_the_plan_and_readers_see_it(owner_client, owned_audience):
    response = owner_client.post(_edit_url(owned_audience), PLAN)
    assert response.status_code == 302
    plan = MeasurementPlan.all_orgs.get(audience=owned_audience)
    assert plan.methods == ["relationship_survey", "interviews"]
    assert plan.organisation == owned_audience.organisation
    page = owner_client.get(
        reverse("measurements:plan", args=[owned_audience.slug])
    ).content.decode()
    assert "Survey parents after each term" in page
    assert "Relationship survey" in page and "Interviews" in page
    assert "15 January 2025" in page


def test_it_records_the_changed_fields_and_who_changed_them(owner_client, owner, owned_audience):
    owner_client.post(_edit_url(owned_audience), PLAN)
    owner_client.post(_edit_url(owned_audience), {**PLAN, "cadence": "Monthly"})
    owner_client.post(_edit_url(owned_audience), {**PLAN, "cadence": "Monthly"})  # no change
    entries = list(AuditEntry.all_orgs.filter(audience=owned_audience).order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"cadence": ["Each term", "Monthly"]}
    assert entries[1].actor_user == owner
    assert entries[0].object_type == "measurementplan"


def test_it_refuses_an_unknown_method_and_a_review_date_in_the_future(owner_client, owned_audience):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = owner_client.post(
        _edit_url(owned_audience), {**PLAN, "methods": ["telepathy"], "last_reviewed_on": tomorrow}
    )
    assert response.status_code == 200
    assert "methods" in response.context["form"].errors
    response = owner_client.post(_edit_url(owned_audience), {**PLAN, "last_reviewed_on": tomorrow})
    assert response.context["form"].errors["last_reviewed_on"] == [
        "The last review cannot be in the future."
    ]
    assert not MeasurementPlan.all_orgs.exists()


def test_a_plan_may_be_saved_unfinished(owner_client, owned_audience):
    # Unfinished: a cadence, no process, no method (an entirely empty form saves nothing).
    owner_client.post(
        _edit_url(owned_audience), {"process": "  ", "methods": [], "cadence": "Each term"}
    )
    plan = MeasurementPlan.all_orgs.get(audience=owned_audience)
    assert plan.process == ""
    page = owner_client.get(
        reverse("measurements:plan", args=[owned_audience.slug])
    ).content.decode()
    assert "Describe the process and at least one method." in page


def test_the_methods_are_checkboxes_with_their_own_labels(owner_client, owned_audience):
    page = owner_client.get(_edit_url(owned_audience)).content.decode()
    assert page.count('type="checkbox" name="methods"') == 10
    assert "<legend>Methods</legend>" in page


def test_an_owner_cannot_edit_another_audiences_plan(owner_client, unowned_audience):
    assert owner_client.get(_edit_url(unowned_audience)).status_code == 403
    assert owner_client.post(_edit_url(unowned_audience), PLAN).status_code == 403
    page = owner_client.get(reverse("measurements:plan", args=[unowned_audience.slug]))
    assert page.status_code == 200
    assert "Write the plan" not in page.content.decode()
    assert not MeasurementPlan.all_orgs.exists()


def test_a_lead_edits_any_plan(lead_client, unowned_audience):
    assert lead_client.post(_edit_url(unowned_audience), PLAN).status_code == 302
    assert MeasurementPlan.all_orgs.filter(audience=unowned_audience).exists()


def test_a_viewer_sees_no_edit_button_and_is_refused(viewer_client, owned_audience):
    page = viewer_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert page.status_code == 200
    assert "Write the plan" not in page.content.decode()
    assert viewer_client.post(_edit_url(owned_audience), PLAN).status_code == 403


def test_another_organisations_plan_is_not_found(lead_client, org, foreign_audience):
    assert lead_client.get(reverse("measurements:plan", args=["customers"])).status_code == 404
    assert lead_client.post(_edit_url(foreign_audience), PLAN).status_code == 404
    AudienceFactory(organisation=org, slug="customers")
    lead_client.post(_edit_url(foreign_audience), PLAN)
    assert not MeasurementPlan.all_orgs.filter(audience=foreign_audience).exists()
