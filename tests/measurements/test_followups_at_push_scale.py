"""Follow-ups made in one statement per batch (issue 12): the rows a batch stored are found by
their id range and batch id, and the rule's thresholds come from `followup_threshold`. Runs
on SQLite and on PostgreSQL (the COPY path answers the range from the database)."""

from datetime import UTC, datetime, timedelta

import pytest

from measurements.followups import followup_qualifies, followups_create_for_batch
from measurements.ingest import RESPONSES, ingest
from measurements.ingest.write import NEW_EXTERNAL_IDS_ONLY, RESPONSE_COLUMNS, insert_rows
from measurements.models import FollowUp, Response
from tests.factories import MetricDefinitionFactory

pytestmark = pytest.mark.django_db

# Yesterday: a follow-up is for someone who spoke lately.
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)


def _item(external_id, score, *, audience="parents", metric="nps", **extra):
    return {
        "external_id": external_id,
        "audience": audience,
        "metric": metric,
        "score": score,
        "responded_at": AT.isoformat(),
        **extra,
    }


def test_a_mixed_batch_makes_exactly_the_followups_the_rule_names(
    owned_audience, unowned_audience, owner_person
):
    org = owned_audience.organisation
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")  # default 0–6
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", scale_min=1, scale_max=5
    )  # bottom box 1–2
    MetricDefinitionFactory(
        audience=owned_audience,
        kind="ces",
        slug="ces",
        scale_min=1,
        scale_max=7,
        followup_threshold=2,  # its own, below the default 1–3
    )
    MetricDefinitionFactory(audience=unowned_audience, kind="nps", slug="nps", followup_threshold=4)
    ingest(
        kind=RESPONSES,
        organisation=org,
        payload=[_item("p7", 1, comment="Stored before")],
    )
    result = ingest(
        kind=RESPONSES,
        organisation=org,
        payload=[
            _item("p1", 6, comment="Late bus"),  # yes
            _item("p2", 7, comment="OK"),  # a passive
            _item("p3", 0),  # nobody to answer
            _item("p4", 3, respondent="r-4"),  # a respondent is enough
            _item("p5", 2, comment="", respondent=""),  # blank is none
            _item("p6", 5, comment="Again"),  # yes, once
            _item("p6", 5, comment="Again"),  # repeated inside the request
            _item("p7", 1, comment="Stored before"),  # a duplicate of the first push
            _item("c1", 2, metric="csat", comment="Slow"),  # yes: bottom box
            _item("c2", 3, metric="csat", comment="Meh"),
            _item("e1", 2, metric="ces", respondent="r-e1"),  # yes: its own 2
            _item("e2", 3, metric="ces", comment="Hard"),  # the default would take it
            _item("t1", 4, audience="teachers", comment="Meetings"),  # yes: its own 4
            _item("t2", 5, audience="teachers", comment="Fine"),
        ],
    )
    assert (result.created, result.duplicates) == (12, 2)
    made = {
        f.response.external_id: f.assignee
        for f in FollowUp.objects.for_org(org).select_related("response", "assignee")
    }
    assert made == {
        "p7": owner_person,  # from the first push, not made again
        "p1": owner_person,
        "p4": owner_person,
        "p6": owner_person,
        "c1": owner_person,
        "e1": owner_person,
        "t1": None,  # the teachers have no owner
    }
    # The same answer from the rule applied in Python, response by response.
    stored = Response.objects.for_org(org).filter(batch_id=result.batch_id)
    by_rule = {
        r.external_id
        for r in stored.select_related("definition")
        if followup_qualifies(
            r.definition, score=r.score, comment=r.comment, respondent=r.respondent
        )
    }
    assert by_rule == set(made) - {"p7"}


def test_the_batch_helper_takes_only_its_own_batch_inside_the_id_range(owned_audience):
    org = owned_audience.organisation
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    mine, theirs = "6f1c2c9e-0000-4000-8000-000000000001", "6f1c2c9e-0000-4000-8000-000000000002"
    ids = []
    for batch_id in (mine, theirs, mine):  # another client's row between two of ours
        ids.append(
            Response.objects.create(
                organisation=org,
                audience=owned_audience,
                definition=definition,
                score=2,
                comment="Late",
                responded_at=AT,
                local_date=AT.date(),
                batch_id=batch_id,
            ).pk
        )
    made = followups_create_for_batch(
        organisation=org, batch_id=mine, stored_ids=(ids[0], ids[2]), definitions=[definition]
    )
    assert made == 2
    assert sorted(FollowUp.objects.for_org(org).values_list("response_id", flat=True)) == [
        ids[0],
        ids[2],
    ]
    # A batch that stored nothing (all duplicates) has no range and makes nothing.
    assert (
        followups_create_for_batch(
            organisation=org, batch_id=theirs, stored_ids=None, definitions=[definition]
        )
        == 0
    )


def test_the_response_insert_answers_its_count_and_id_range(owned_audience):
    from django.db import transaction

    org = owned_audience.organisation
    definition = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")

    def row(external_id):
        return (
            org.pk,
            owned_audience.pk,
            definition.pk,
            external_id,
            9,
            AT,
            AT.date(),
            None,
            "",
            "",
            None,
            "6f1c2c9e-0000-4000-8000-000000000003",
            AT,
        )

    with transaction.atomic():
        first = insert_rows(Response, RESPONSE_COLUMNS, [row("a"), row("b")], NEW_EXTERNAL_IDS_ONLY)
        again = insert_rows(Response, RESPONSE_COLUMNS, [row("b"), row("c")], NEW_EXTERNAL_IDS_ONLY)
        none = insert_rows(Response, RESPONSE_COLUMNS, [row("a")], NEW_EXTERNAL_IDS_ONLY)
    stored = dict(Response.objects.for_org(org).values_list("external_id", "pk"))
    assert (first.count, first.ids) == (2, (stored["a"], stored["b"]))
    assert (again.count, again.ids) == (1, (stored["c"], stored["c"]))  # b was a duplicate
    assert (none.count, none.ids) == (0, None)
