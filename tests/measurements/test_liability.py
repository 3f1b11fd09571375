"""Operational liability: each check on its own, on an audience that passes all the others."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audiences.models import Audience
from measurements.liability import (
    CHECKS,
    audiences_by_liability,
    liabilities_for,
)
from measurements.models import (
    AudienceMember,
    MeasurementPlan,
    MetricDefinition,
    Response,
    RevenueEvent,
    SupportCase,
)
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    PersonFactory,
    StageFactory,
    TouchpointFactory,
)

ALL = {key for key, _, _ in CHECKS}


def _response(definition, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    return Response.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        score=9,
        responded_at=at,
        local_date=at.date(),
    )


def _measured(org, **skip):
    """An audience passing every check, except those named in `skip`."""
    audience = AudienceFactory(organisation=org)
    if "owner_named" not in skip:
        audience.owner = PersonFactory(organisation=org)
        audience.save()
    if "plan_recorded" not in skip:
        # Reviewed 200 days ago, every 6 months (at most 184 days): overdue, when skipped.
        overdue = "plan_reviewed" in skip
        MeasurementPlan.objects.create(
            organisation=org,
            audience=audience,
            process="Survey each term.",
            methods=["interviews"],
            review_every_months=6 if overdue else None,
            last_reviewed_on=timezone.localdate() - timedelta(days=200) if overdue else None,
        )
    if "journey_mapped" not in skip:
        TouchpointFactory(stage__audience=audience)
    definition = MetricDefinitionFactory(
        audience=audience, active="metric_defined" not in skip, slug="nps"
    )
    if "data_flowing" not in skip:
        _response(definition, days_ago=3)
    return audience


def _failing(audience):
    liability = liabilities_for([audience])[audience.pk]
    return {key for key, _, _ in liability.failures}


def test_a_fully_measured_audience_is_no_liability(org):
    audience = _measured(org)
    liability = liabilities_for([audience])[audience.pk]
    assert not liability.is_liability
    assert liability.score == 6  # owner, plan, review, journey, metric, data


@pytest.mark.parametrize("check", sorted(ALL))
def test_each_check_alone_makes_a_liability_naming_only_that_check(org, check):
    audience = _measured(org, **{check: True})
    assert _failing(audience) == {check}


def test_a_plan_needs_a_process_and_a_method(org):
    no_method = _measured(org, plan_recorded=True)
    MeasurementPlan.objects.create(
        organisation=org, audience=no_method, process="We listen.", methods=[]
    )
    blank_process = _measured(org, plan_recorded=True)
    MeasurementPlan.objects.create(
        organisation=org, audience=blank_process, process="  \n ", methods=["reviews"]
    )
    assert _failing(no_method) == {"plan_recorded"}
    assert _failing(blank_process) == {"plan_recorded"}


def test_a_stage_without_touchpoints_is_not_a_journey(org):
    audience = _measured(org, journey_mapped=True)
    StageFactory(audience=audience)
    assert _failing(audience) == {"journey_mapped"}


def test_an_inactive_definition_does_not_count(org):
    audience = _measured(org)
    MetricDefinition.all_orgs.filter(audience=audience).update(active=False)
    assert _failing(audience) == {"metric_defined"}


def test_data_older_than_90_days_does_not_count(org):
    audience = _measured(org, data_flowing=True)
    _response(MetricDefinition.all_orgs.get(audience=audience), days_ago=91)
    assert _failing(audience) == {"data_flowing"}
    _response(MetricDefinition.all_orgs.get(audience=audience), days_ago=89)
    assert _failing(audience) == set()


def test_support_cases_count_when_a_time_to_resolution_metric_uses_them(org):
    audience = _measured(org, data_flowing=True)
    SupportCase.objects.create(
        organisation=org,
        audience=audience,
        external_id="T-1",
        opened_at=timezone.now() - timedelta(days=120),
        resolved_at=timezone.now() - timedelta(days=10),
    )
    assert _failing(audience) == {"data_flowing"}  # no TTR definition: nobody measures it
    MetricDefinitionFactory(
        audience=audience, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )
    assert _failing(audience) == set()


def test_revenue_counts_for_clv_and_membership_for_retention(org):
    clv = _measured(org, data_flowing=True)
    MetricDefinitionFactory(audience=clv, kind="clv", slug="clv", scale_min=None, scale_max=None)
    RevenueEvent.objects.create(
        organisation=org,
        audience=clv,
        member="m1",
        amount=10,
        currency="EUR",
        occurred_at=timezone.now() - timedelta(days=5),
    )
    retention = _measured(org, data_flowing=True)
    AudienceMember.objects.create(
        organisation=org, audience=retention, member="m1", joined_at=timezone.now()
    )
    assert _failing(clv) == set()
    assert _failing(retention) == {"data_flowing"}
    MetricDefinitionFactory(
        audience=retention, kind="retention", slug="retention", scale_min=None, scale_max=None
    )
    assert _failing(retention) == set()


def test_another_organisations_data_never_counts(org, other_org):
    audience = _measured(org, data_flowing=True)
    theirs = _measured(other_org)
    assert _failing(audience) == {"data_flowing"}
    assert _failing(theirs) == set()


def test_audiences_by_liability_splits_liabilities_from_measured(org):
    measured = _measured(org)
    unowned = _measured(org, owner_named=True)
    no_plan = _measured(org, plan_recorded=True)
    queryset = Audience.objects.for_org(org)
    assert set(audiences_by_liability(queryset, liable=True)) == {unowned, no_plan}
    assert list(audiences_by_liability(queryset, liable=False)) == [measured]


def test_the_checklist_lists_every_check_with_its_state(org):
    audience = _measured(org, journey_mapped=True)
    checklist = liabilities_for([audience])[audience.pk].checklist
    assert [row[0] for row in checklist] == [key for key, _, _ in CHECKS]
    assert [row[4] for row in checklist] == [True, True, True, False, True, True]
