"""Plan reviews (issue 14): a plan with a review cadence is due that many months after its last
review; past it, it is overdue on the owner's home, on the plan page (with a button to mark it
reviewed, audited) and in the liability checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audiences.models import AuditEntry
from audiences.selectors import audit_rows
from measurements.models import MeasurementPlan
from measurements.reviews import (
    overdue_plans,
    plan_review_due,
    plan_review_overdue,
    plans_overdue,
)
from tests.factories import AudienceFactory


def _plan(audience, **fields) -> MeasurementPlan:
    defaults = {"process": "Survey each term.", "methods": ["interviews"]}
    return MeasurementPlan.objects.create(
        organisation=audience.organisation, audience=audience, **{**defaults, **fields}
    )


def test_a_plan_reviewed_on_15_march_every_6_months_is_due_15_september(owned_audience):
    plan = _plan(owned_audience, last_reviewed_on=date(2026, 3, 15), review_every_months=6)
    # March + 6 months = September, same day.
    assert plan_review_due(plan) == date(2026, 9, 15)
    assert not plan_review_overdue(plan, today=date(2026, 9, 15))  # due that day, not past it
    assert plan_review_overdue(plan, today=date(2026, 9, 16))
    assert plan_review_overdue(plan, today=date(2026, 12, 1))


def test_a_review_due_in_a_shorter_month_falls_on_its_last_day(owned_audience):
    plan = _plan(owned_audience, last_reviewed_on=date(2026, 8, 31), review_every_months=6)
    # 31 August + 6 months: February 2027 has 28 days.
    assert plan_review_due(plan) == date(2027, 2, 28)
    assert not plan_review_overdue(plan, today=date(2027, 2, 28))
    assert plan_review_overdue(plan, today=date(2027, 3, 1))


def test_a_plan_without_a_cadence_is_never_due(owned_audience):
    plan = _plan(owned_audience, last_reviewed_on=date(2020, 1, 1))
    assert plan_review_due(plan) is None
    assert not plan_review_overdue(plan, today=date(2026, 12, 1))
    assert overdue_plans(owned_audience.organisation, today=date(2026, 12, 1)) == []


def test_a_plan_never_reviewed_is_due_counting_from_its_last_save_in_the_local_day(org):
    org.timezone = "Pacific/Auckland"
    org.save()
    plan = _plan(AudienceFactory(organisation=org), review_every_months=3)
    # Saved 20:00 UTC on 31 May 2026 = 08:00 on 1 June in Auckland (UTC+12): due 1 September.
    MeasurementPlan.objects.for_org(org).filter(pk=plan.pk).update(
        updated_at=datetime(2026, 5, 31, 20, tzinfo=UTC)
    )
    plan.refresh_from_db()
    assert plan_review_due(plan) == date(2026, 9, 1)
    assert [p.pk for p in overdue_plans(org, today=date(2026, 9, 2))] == [plan.pk]
    assert overdue_plans(org, today=date(2026, 9, 1)) == []


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_the_sql_rule_agrees_with_the_python_rule_around_month_ends(org, zone):
    org.timezone = zone
    org.save()
    reviewed = [date(2026, 1, 31), date(2026, 8, 29), date(2026, 8, 30), date(2026, 8, 31),
                date(2027, 8, 31), date(2026, 3, 15), date(2026, 12, 31)]  # fmt: skip
    plans = [
        _plan(AudienceFactory(organisation=org), last_reviewed_on=day, review_every_months=n)
        for day in reviewed
        for n in (1, 6, 12)
    ]
    plans.append(_plan(AudienceFactory(organisation=org), review_every_months=1))  # never
    for plan in plans:
        plan.refresh_from_db()
        due = plan_review_due(plan)
        for today in (due - timedelta(days=1), due, due + timedelta(days=1)):
            in_sql = plans_overdue(
                MeasurementPlan.objects.for_org(org).filter(pk=plan.pk),
                today=today,
                zone=ZoneInfo(zone),
            ).exists()
            assert in_sql == plan_review_overdue(plan, today=today), (plan.last_reviewed_on, today)


def test_archived_audiences_and_other_owners_plans_are_not_listed(org, owner_person):
    mine = _plan(AudienceFactory(organisation=org, owner=owner_person), review_every_months=1,
                 last_reviewed_on=date(2024, 1, 1))  # fmt: skip
    _plan(
        AudienceFactory(organisation=org), review_every_months=1, last_reviewed_on=date(2024, 1, 1)
    )
    archived = AudienceFactory(organisation=org, owner=owner_person, archived=True)
    _plan(archived, review_every_months=1, last_reviewed_on=date(2024, 1, 1))
    assert [p.pk for p in overdue_plans(org, owner=owner_person)] == [mine.pk]
    assert len(overdue_plans(org)) == 2


def test_an_owner_sets_the_cadence_on_the_plan_form_and_the_page_says_when_it_is_due(
    owner_client, owned_audience
):
    url = reverse("measurements:plan_edit", args=[owned_audience.slug])
    data = {"process": "Survey each term.", "methods": ["interviews"], "cadence": "Each term",
            "review_every_months": "6", "last_reviewed_on": "2024-03-15"}  # fmt: skip
    assert owner_client.post(url, data).status_code == 302
    plan = MeasurementPlan.all_orgs.get(audience=owned_audience)
    assert (plan.review_every_months, plan.cadence) == (6, "Each term")
    page = owner_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    html = page.content.decode()
    # 15 March 2024 + 6 months = 15 September 2024, long past.
    assert "Review overdue since 15 September 2024." in html
    assert "Every 6 months; was due by" in html
    assert reverse("measurements:plan_reviewed", args=[owned_audience.slug]) in html
    entry = AuditEntry.all_orgs.get(object_type="measurementplan")
    assert entry.changes["review_every_months"] == [None, 6]
    # The audit trail names the field so that it reads (it said "Review every months").
    labels = {change.label: change.after for change in audit_rows([entry])[0].changes}
    assert labels["Review every (months)"] == "6"


@pytest.mark.parametrize("months", ["0", "37"])
def test_the_form_refuses_a_cadence_outside_1_to_36_months(owner_client, owned_audience, months):
    url = reverse("measurements:plan_edit", args=[owned_audience.slug])
    response = owner_client.post(
        url, {"process": "Survey.", "methods": ["interviews"], "review_every_months": months}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["review_every_months"] == [
        "Use a number of months from 1 to 36, or leave it empty for no review reminder."
    ]
    assert not MeasurementPlan.all_orgs.exists()


def test_an_unchanged_save_does_not_restart_a_never_reviewed_plans_clock(
    owner_client, owned_audience
):
    plan = _plan(owned_audience, review_every_months=6)
    saved = datetime(2024, 1, 10, 12, tzinfo=UTC)
    MeasurementPlan.objects.for_org(plan.organisation_id).filter(pk=plan.pk).update(
        updated_at=saved
    )
    url = reverse("measurements:plan_edit", args=[owned_audience.slug])
    owner_client.post(
        url, {"process": plan.process, "methods": plan.methods, "review_every_months": "6"}
    )
    plan.refresh_from_db()
    assert plan.updated_at == saved
    assert plan_review_due(plan) == date(2024, 7, 10)


def test_marking_the_plan_reviewed_sets_today_and_is_in_the_audit_trail(
    owner_client, owner, owned_audience
):
    plan = _plan(owned_audience, review_every_months=6, last_reviewed_on=date(2024, 3, 15))
    url = reverse("measurements:plan_reviewed", args=[owned_audience.slug])
    response = owner_client.post(url, follow=True)
    assert "Measurement plan marked reviewed today." in response.content.decode()
    plan.refresh_from_db()
    today = timezone.localdate()  # the test organisation is in UTC
    assert plan.last_reviewed_on == today
    html = response.content.decode()
    assert "Review overdue" not in html
    entry = AuditEntry.all_orgs.get(action="reviewed")
    assert entry.actor_user == owner and entry.audience == owned_audience
    assert entry.changes == {"last_reviewed_on": ["2024-03-15", today.isoformat()]}
    # In words in the audience's history (the owner's view of the audit trail).
    history = owner_client.get(reverse("audiences:detail", args=[owned_audience.slug]))
    history = history.content.decode()
    assert "Reviewed · Measurement plan Parents" in history
    [row] = audit_rows([entry])  # as /app/audit/ shows it to a lead
    assert (row.action, row.changes[0].label, row.changes[0].before) == (
        "Reviewed",
        "Last reviewed on",
        "15 Mar 2024",
    )
    # Twice the same day: nothing more to record.
    owner_client.post(url)
    assert AuditEntry.all_orgs.filter(action="reviewed").count() == 1


def test_only_those_who_may_edit_the_audience_mark_its_plan_reviewed(viewer_client, owned_audience):
    plan = _plan(owned_audience, review_every_months=6, last_reviewed_on=date(2024, 3, 15))
    url = reverse("measurements:plan_reviewed", args=[owned_audience.slug])
    assert viewer_client.post(url).status_code == 403
    assert viewer_client.get(url).status_code == 405
    plan.refresh_from_db()
    assert plan.last_reviewed_on == date(2024, 3, 15)
    page = viewer_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert "Review overdue since 15 September 2024." in page.content.decode()
    assert url not in page.content.decode()


def test_another_organisations_plan_cannot_be_marked_reviewed(outsider_client, owned_audience):
    _plan(owned_audience, review_every_months=6, last_reviewed_on=date(2024, 3, 15))
    url = reverse("measurements:plan_reviewed", args=[owned_audience.slug])
    assert outsider_client.post(url).status_code == 404


def test_the_owners_home_shows_the_overdue_review_under_needs_you_now(owner_client, owned_audience):
    _plan(owned_audience, review_every_months=6, last_reviewed_on=date(2024, 3, 15))
    html = owner_client.get(reverse("audiences:home")).content.decode()
    needs_you = html.split('id="alerts-title"')[1].split("</section>")[0]
    assert "Plan reviews overdue" in needs_you
    assert "review overdue since 15 Sep 2024 (every 6 months)" in needs_you
    assert reverse("measurements:plan", args=[owned_audience.slug]) in needs_you


def test_an_overdue_review_is_a_liability_in_the_registry_filter_and_checks(
    lead_client, owned_audience
):
    _plan(owned_audience, review_every_months=6, last_reviewed_on=date(2024, 3, 15))
    liable = lead_client.get(reverse("audiences:list"), {"liability": "yes"}).content.decode()
    assert "Parents" in liable and "Plan review overdue" in liable
    page = lead_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert 'data-check="plan_reviewed" data-passed="no"' in page.content.decode()
    MeasurementPlan.objects.for_org(owned_audience.organisation).update(
        last_reviewed_on=timezone.localdate()
    )
    page = lead_client.get(reverse("measurements:plan", args=[owned_audience.slug]))
    assert 'data-check="plan_reviewed" data-passed="yes"' in page.content.decode()


def test_the_demo_has_one_overdue_review_and_seeding_again_keeps_it(db):
    from audiences.demo import seed_registry
    from measurements.demo import seed_measurement

    seed_measurement(seed_registry())
    demo = seed_registry()
    seed_measurement(demo)
    riverside, northwind = demo["organisations"]["riverside"], demo["organisations"]["northwind"]
    # Teacher candidates: reviewed 130 days ago, every 3 months (at most 92 days).
    assert [p.audience.slug for p in overdue_plans(riverside)] == ["teacher-candidates"]
    assert overdue_plans(northwind) == []
    [plan] = overdue_plans(riverside, owner=demo["people"]["riverside"]["maya"])
    assert plan.review_every_months == 3
