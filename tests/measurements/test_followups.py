"""Follow-ups: the rule, its services and the loop's numbers, with hand-worked cases."""

from datetime import UTC, datetime

import pytest

from measurements.followups import open_followups
from measurements.models import FollowUp, FollowUpStatus, Response
from tests.factories import AudienceFactory, MetricDefinitionFactory, PersonFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


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


def _followup(definition, score=3, *, status=FollowUpStatus.OPEN, assignee=None):
    response = _response(definition, score, comment="Too slow")
    return FollowUp.objects.create(
        organisation=definition.organisation,
        audience=definition.audience,
        definition=definition,
        response=response,
        assignee=assignee,
        status=status,
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
