"""The journey map's scores: the same numbers as the dashboard's breakdown by touchpoint, stage
roll-ups, the before/after gap, the worst touchpoint, privacy, the persona filter and the
reorder services behind drag and drop."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audiences.models import AuditEntry
from journeys.models import Phase, Stage, Touchpoint
from journeys.services import persona_save, stage_reorder, touchpoint_reorder
from measurements import dashboard_selectors
from measurements.journey_selectors import journey_map
from measurements.models import MetricKind, Rollup
from measurements.periods import latest_complete_start, previous_start
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    PersonaFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.measurements.rollup_helpers import respond


def _at(day_of_month, previous=False):
    latest = latest_complete_start("month", "UTC", timezone.now())
    month = previous_start("month", latest) if previous else latest
    return datetime(month.year, month.month, day_of_month, 12, tzinfo=UTC)


def _map(client, audience, **query):
    return client.get(reverse("journeys:map", args=[audience.slug]), query).content.decode()


@pytest.fixture
def journey(owned_audience):
    """Parents: a before stage (Open day), a during stage (Enrolment), an after stage (Term)."""
    stages = {
        phase: StageFactory(audience=owned_audience, name=name, phase=phase, position=i)
        for i, (name, phase) in enumerate(
            [("Visit", Phase.BEFORE), ("Enrol", Phase.DURING), ("Stay", Phase.AFTER)]
        )
    }
    tps = {
        "open-day": TouchpointFactory(stage=stages[Phase.BEFORE], name="Open day", slug="open-day"),
        "form": TouchpointFactory(stage=stages[Phase.DURING], name="Form", slug="form"),
        "helpdesk": TouchpointFactory(stage=stages[Phase.DURING], name="Helpdesk", slug="helpdesk"),
        "term": TouchpointFactory(stage=stages[Phase.AFTER], name="Term", slug="term"),
    }
    # A CSAT that names no touchpoint: its answers are tagged one by one.
    csat = MetricDefinitionFactory(
        audience=owned_audience,
        kind=MetricKind.CSAT,
        slug="csat",
        name="Parent CSAT",
        scale_min=1,
        scale_max=5,
        target=80,
    )
    return stages, tps, csat


def test_a_touchpoint_shows_its_csat_as_the_dashboard_breakdown_does(viewer_client, journey):
    _stages, tps, csat = journey
    # Form: 5, 5, 4, 2 on 1–5 → top two boxes 3 of 4 = 75 %, n = 4, indicative (n < 30),
    # target 80 not met, 5 points short. Wilson 95 % of 3/4: 30.1 … 95.4.
    for score in (5, 5, 4, 2):
        respond(csat, score, _at(3), touchpoint=tps["form"])
    # Month before at the form: 5, 1 → 50 %; change +25 pts.
    respond(csat, 5, _at(3, previous=True), touchpoint=tps["form"])
    respond(csat, 1, _at(3, previous=True), touchpoint=tps["form"])

    result = journey_map(audience=csat.audience)
    form = next(t for s in result.stages for t in s.touchpoints if t.touchpoint.slug == "form")
    (score,) = form.scores
    assert (round(score.value, 1), score.n, score.indicative) == (75.0, 4, True)
    assert round(score.change, 1) == 25.0 and score.target_met is False
    assert [round(x, 1) for x in score.interval] == [30.1, 95.4]
    assert [d.slug for d in form.measured_by] == ["csat"]

    breakdown = dashboard_selectors.dashboard_breakdowns(
        definitions=[csat], start=result.period_start, granularity="month"
    )[csat.pk]["touchpoint"]
    assert [(c.label, c.value, c.n) for c in breakdown] == [("Form", score.value, score.n)]

    page = _map(viewer_client, csat.audience)
    cell = re.search(r'data-scores="form">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert 'data-value="75.0" data-n="4"' in cell
    assert "Indicative" in cell and "below target 80 % by 5.0 pts" in cell
    assert "+25.0 pts vs previous" in cell
    assert "30.1 – 95.4 %" in cell
    # "Measured by" names the CSAT though the definition itself names no touchpoint.
    assert "No metric" not in re.search(
        rf'id="touchpoint-{tps["form"].pk}".*?</li>', page, re.S
    ).group(0)


def test_a_stage_rolls_up_its_touchpoints_and_the_map_shows_the_gap(viewer_client, journey):
    _stages, tps, csat = journey
    # Enrol stage: Form 5, 5 and Helpdesk 2, 4 → 3 of 4 satisfied = 75 %.
    for tp, scores in (("form", (5, 5)), ("helpdesk", (2, 4)), ("open-day", (5, 5, 5, 5))):
        for s in scores:
            respond(csat, s, _at(4), touchpoint=tps[tp])
    # Term (after): 5, 1, 1, 1 → 25 %. Gap after − before = 25 − 100 = −75 pts.
    for s in (5, 1, 1, 1):
        respond(csat, s, _at(4), touchpoint=tps["term"])

    result = journey_map(audience=csat.audience)
    enrol = next(s for s in result.stages if s.stage.name == "Enrol")
    (rollup,) = enrol.rollup
    assert (rollup.value, rollup.n) == (75.0, 4)
    (gap,) = result.gaps
    assert (gap.before.value, gap.after.value, gap.gap) == (100.0, 25.0, -75.0)
    # Worst against the target of 80: Term, 55 points short (Helpdesk is 30 short).
    tp, score = result.worst
    assert tp.touchpoint.slug == "term" and score.shortfall == 55.0
    # The emotion curve: CSAT is already 0–100, so Enrol's point is 75, Stay's 25.
    assert [p["value"] for p in result.curve_points] == [100.0, 75.0, 25.0]

    page = _map(viewer_client, csat.audience)
    assert '<td class="phase-gap">-75.0 pts</td>' in page
    assert "Worst against its target" in page and "55.0 pts short" in page
    assert re.search(rf'href="#touchpoint-{tps["term"].pk}">Term</a>', page)


def test_a_stage_without_answers_takes_the_owners_feels_as_a_neutral_point(journey):
    _stages, tps, csat = journey
    tps["term"].emotions = "Relieved"
    tps["term"].save()
    respond(csat, 5, _at(4), touchpoint=tps["form"])
    points = journey_map(audience=csat.audience).curve_points
    assert points[0] == {"stage": "Visit", "value": None, "source": "none", "note": ""}
    assert points[1]["source"] == "scores" and points[1]["value"] == 100.0
    assert points[2] == {"stage": "Stay", "value": 50.0, "source": "note", "note": "Term: Relieved"}


def test_the_map_hides_a_small_employee_group_and_the_roll_up_that_would_reveal_it(
    viewer_client, org
):
    staff = AudienceFactory(organisation=org, slug="staff", name="Staff", kind="employee")
    enps = MetricDefinitionFactory(audience=staff, kind=MetricKind.NPS, slug="enps", name="eNPS")
    stage = StageFactory(audience=staff, phase=Phase.DURING, name="Work")
    big = TouchpointFactory(stage=stage, name="Onboarding", slug="onboarding")
    small = TouchpointFactory(stage=stage, name="Interview", slug="interview")
    for _ in range(6):  # 6 ≥ 5: shown, NPS 100
        respond(enps, 10, _at(5), touchpoint=big)
    for _ in range(2):  # 2 < 5: hidden; the stage's 8 minus Onboarding's 6 would reveal it
        respond(enps, 0, _at(5), touchpoint=small)

    result = journey_map(audience=staff)
    (column,) = result.stages
    scores = {t.touchpoint.slug: t.scores[0] for t in column.touchpoints}
    assert scores["onboarding"].value == 100.0 and not scores["onboarding"].hidden
    assert scores["interview"].hidden and scores["interview"].value is None
    assert column.rollup[0].hidden
    page = _map(viewer_client, staff)
    assert 'data-value="-50.0"' not in page  # the stage's 8 answers: (6 − 2) / 8 … never shown
    assert "Hidden: too few responses to stay anonymous" in page
    cell = re.search(r'data-scores="interview">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "data-value" not in cell


def test_the_map_filters_to_one_persona(viewer_client, journey, owned_audience):
    stages, tps, _csat = journey
    persona = PersonaFactory(audience=owned_audience, name="Busy parent")
    persona.stages.set([stages[Phase.BEFORE]])  # the whole Visit stage
    persona.touchpoints.set([tps["helpdesk"]])  # only the helpdesk of Enrol
    page = _map(viewer_client, owned_audience, persona=persona.pk)
    assert re.findall(r'data-stage="([^"]+)"', page) == ["Visit", "Enrol"]
    assert re.findall(r'data-touchpoint="([^"]+)"', page) == ["open-day", "helpdesk"]
    assert "Showing only the stages and touchpoints <strong>Busy parent</strong>" in page
    other = PersonaFactory(audience=AudienceFactory(organisation=owned_audience.organisation))
    # Another audience's persona is ignored with a note (as an unknown one), not shown.
    page = _map(viewer_client, owned_audience, persona=other.pk)
    assert "The persona asked for is not one of" in page and other.name not in page
    assert re.findall(r'data-stage="([^"]+)"', page) == ["Visit", "Enrol", "Stay"]


def test_a_persona_links_only_its_own_audiences_stages_and_touchpoints(
    owner_client, journey, owned_audience, owner
):
    stages, tps, _csat = journey
    elsewhere = TouchpointFactory(
        stage=StageFactory(audience=AudienceFactory(organisation=owned_audience.organisation))
    )
    with pytest.raises(ValidationError) as caught:
        persona_save(
            audience=owned_audience,
            actor_user=owner,
            data={"name": "P", "touchpoints": [elsewhere]},
        )
    assert "touchpoints" in caught.value.message_dict
    url = reverse("journeys:persona_create", args=[owned_audience.slug])
    response = owner_client.post(
        url,
        {
            "name": "Busy parent",
            "stages": [stages[Phase.AFTER].pk],
            "touchpoints": [tps["form"].pk],
            "quotes-TOTAL_FORMS": 0,
            "quotes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    persona = owned_audience.personas.get()
    assert list(persona.touchpoints.all()) == [tps["form"]]
    entry = AuditEntry.all_orgs.filter(object_type="persona").get()
    assert entry.changes["touchpoints"] == [None, "Form"]
    refused = owner_client.post(
        url,
        {
            "name": "Other",
            "touchpoints": [elsewhere.pk],
            "quotes-TOTAL_FORMS": 0,
            "quotes-INITIAL_FORMS": 0,
        },
    )
    assert refused.status_code == 200 and owned_audience.personas.count() == 1


def test_reordering_stages_and_touchpoints_is_locked_checked_and_audited(journey, owner):
    stages, tps, _csat = journey
    audience = stages[Phase.BEFORE].audience
    order = [stages[Phase.AFTER].pk, stages[Phase.BEFORE].pk, stages[Phase.DURING].pk]
    stage_reorder(audience=audience, order=order, actor_user=owner)
    assert list(Stage.all_orgs.filter(audience=audience).values_list("name", flat=True)) == [
        "Stay",
        "Visit",
        "Enrol",
    ]
    entry = AuditEntry.all_orgs.filter(action="move").get()
    assert entry.changes == {"stage order": ["Visit, Enrol, Stay", "Stay, Visit, Enrol"]}
    assert entry.actor_user == owner
    with pytest.raises(ValidationError):  # a stale page's order, missing one stage
        stage_reorder(audience=audience, order=order[:2], actor_user=owner)
    enrol = stages[Phase.DURING]
    touchpoint_reorder(stage=enrol, order=[tps["helpdesk"].pk, tps["form"].pk], actor_user=owner)
    assert list(Touchpoint.all_orgs.filter(stage=enrol).values_list("slug", flat=True)) == [
        "helpdesk",
        "form",
    ]
    with pytest.raises(ValidationError):  # a touchpoint of another stage
        touchpoint_reorder(stage=enrol, order=[tps["term"].pk, tps["form"].pk], actor_user=owner)
    # The same order again changes nothing and writes no entry.
    touchpoint_reorder(stage=enrol, order=[tps["helpdesk"].pk, tps["form"].pk], actor_user=owner)
    assert AuditEntry.all_orgs.filter(action="move").count() == 2


def _reorder_body(stages):
    order = [stages[p].pk for p in (Phase.AFTER, Phase.DURING, Phase.BEFORE)]
    return order, {"data": json.dumps({"order": order}), "content_type": "application/json"}


def test_an_owner_reorders_stages_by_drag_and_drop(owner_client, journey):
    stages, _tps, _csat = journey
    url = reverse("journeys:stage_reorder", args=[stages[Phase.BEFORE].audience.slug])
    order, body = _reorder_body(stages)
    answer = owner_client.post(url, **body)
    assert answer.status_code == 200 and answer.json()["order"] == order
    bad = owner_client.post(url, data='{"order": "x"}', content_type="application/json")
    assert bad.status_code == 400


def test_a_viewer_cannot_reorder_a_journey(viewer_client, journey):
    stages, _tps, _csat = journey
    url = reverse("journeys:stage_reorder", args=[stages[Phase.BEFORE].audience.slug])
    _order, body = _reorder_body(stages)
    assert viewer_client.post(url, **body).status_code == 403
    assert Stage.all_orgs.get(pk=stages[Phase.BEFORE].pk).position == 0


def test_the_persona_list_links_to_the_personas_journey(viewer_client, journey, owned_audience):
    _stages, tps, _csat = journey
    persona = PersonaFactory(audience=owned_audience, name="Busy parent")
    persona.touchpoints.set([tps["helpdesk"]])
    page = viewer_client.get(reverse("journeys:personas", args=[owned_audience.slug]))
    text = page.content.decode()
    assert "Helpdesk" in text
    assert f"{reverse('journeys:map', args=[owned_audience.slug])}?persona={persona.pk}" in text


def test_a_time_to_resolution_measured_at_a_touchpoint_shows_its_own_rollup(journey):
    _stages, tps, _csat = journey
    ttr = MetricDefinitionFactory(
        audience=tps["helpdesk"].audience,
        kind=MetricKind.TTR,
        slug="ttr",
        name="Helpdesk TTR",
        scale_min=None,
        scale_max=None,
        touchpoint=tps["helpdesk"],
        target=24,
    )
    latest = journey_map(audience=ttr.audience).period_start
    # Cases at the helpdesk resolved in 10 h and 50 h: median 30 h, 6 h over the target.
    Rollup.objects.create(
        organisation=ttr.organisation,
        audience=ttr.audience,
        definition=ttr,
        granularity="month",
        period_start=latest,
        value=30.0,
        n=2,
    )
    result = journey_map(audience=ttr.audience)
    helpdesk = next(
        t for s in result.stages for t in s.touchpoints if t.touchpoint.slug == "helpdesk"
    )
    (score,) = helpdesk.scores
    assert (score.value, score.n, score.target_met, score.shortfall) == (30.0, 2, False, 6.0)
    assert [d.slug for d in helpdesk.measured_by] == ["ttr"]
