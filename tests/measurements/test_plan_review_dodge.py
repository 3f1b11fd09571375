"""A plan's review cannot be dodged from its form (walk1 #9): clearing "Last reviewed on" of a
plan with a cadence is refused, a review date before 2000 is refused, and the months field
says 1–36 to the browser and in one message for 0 and -2."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from measurements.models import MeasurementPlan
from measurements.reviews import plan_review_overdue

PLAN = {"process": "Survey.", "methods": ["interviews"], "review_every_months": "3"}


def _url(audience) -> str:
    return reverse("measurements:plan_edit", args=[audience.slug])


def test_clearing_the_last_review_of_a_plan_with_a_cadence_is_refused_and_it_stays_overdue(
    owner_client, owned_audience
):
    owner_client.post(_url(owned_audience), {**PLAN, "last_reviewed_on": "2025-01-15"})
    plan = MeasurementPlan.all_orgs.get(audience=owned_audience)
    assert plan_review_overdue(plan, today=date(2026, 12, 1))

    response = owner_client.post(_url(owned_audience), {**PLAN, "last_reviewed_on": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["last_reviewed_on"] == [
        "A plan with a review cadence keeps its last review date: use “Mark reviewed today” "
        "after a review, or empty “Review every (months)” to stop the reminders."
    ]
    plan.refresh_from_db()
    assert plan.last_reviewed_on == date(2025, 1, 15)
    assert plan_review_overdue(plan, today=date(2026, 12, 1))
    # Dropping the cadence with it is saying "no reminders", which the owner may.
    answer = owner_client.post(
        _url(owned_audience), {**PLAN, "review_every_months": "", "last_reviewed_on": ""}
    )
    assert answer.status_code == 302
    assert MeasurementPlan.all_orgs.get(audience=owned_audience).last_reviewed_on is None


def test_a_review_date_before_2000_is_refused(owner_client, owned_audience):
    response = owner_client.post(_url(owned_audience), {**PLAN, "last_reviewed_on": "1900-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["last_reviewed_on"] == [
        "The last review cannot be before 2000."
    ]
    assert not MeasurementPlan.all_orgs.exists()


def test_zero_and_minus_two_months_give_the_same_message(owner_client, owned_audience):
    for months in ("0", "-2", "37"):
        response = owner_client.post(_url(owned_audience), {**PLAN, "review_every_months": months})
        assert response.context["form"].errors["review_every_months"] == [
            "Use a number of months from 1 to 36, or leave it empty for no review reminder."
        ], months


def test_the_months_field_says_1_to_36_to_the_browser(owner_client, owned_audience):
    page = owner_client.get(_url(owned_audience)).content.decode()
    field = (
        page.split('id="id_review_every_months"')[0].rsplit("<input", 1)[1]
        + page.split('id="id_review_every_months"')[1].split(">", 1)[0]
    )
    assert 'min="1"' in field and 'max="36"' in field
