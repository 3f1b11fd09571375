"""Nothing already stored is lost (walk2 finding 2): a touchpoint that stored responses or
support cases carry, or a stage with such a touchpoint, is not removed. The confirmation page
says how many carry it and offers rename / move instead of a delete button; a POST anyway
changes nothing. Touchpoints nothing carries are removed as before."""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError
from django.urls import reverse

from audiences.models import AuditEntry, Organisation
from journeys import selectors, services
from journeys.models import Stage, Touchpoint
from measurements.models import Response, SupportCase
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.measurements.rollup_helpers import case, respond

NOV = datetime(2026, 11, 12, 10, tzinfo=UTC)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _posting_forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)


@pytest.fixture
def office(owned_audience):
    """Parents: stage Enrol with the touchpoint Front office call, measured by CSAT, that three
    stored responses carry."""
    stage = StageFactory(audience=owned_audience, name="Enrol")
    touchpoint = TouchpointFactory(stage=stage, name="Front office call", slug="front-office-call")
    csat = MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", name="CSAT", scale_min=1, scale_max=5
    )
    for score in (5, 4, 2):
        respond(csat, score, NOV, touchpoint=touchpoint)
    return touchpoint


def _state(touchpoint):
    """What a refused delete must leave as it was."""
    return (
        Stage.all_orgs.filter(pk=touchpoint.stage_id).count(),
        Touchpoint.all_orgs.filter(pk=touchpoint.pk).count(),
        Response.all_orgs.filter(touchpoint=touchpoint).count(),
        SupportCase.all_orgs.filter(touchpoint=touchpoint).count(),
        AuditEntry.all_orgs.filter(action="delete").count(),
    )


def test_a_touchpoint_that_responses_carry_is_refused_with_the_count_and_no_delete_button(
    owner_client, owned_audience, office
):
    url = reverse("journeys:touchpoint_delete", args=[owned_audience.slug, office.pk])
    before = _state(office)

    page = owner_client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert "The touchpoint “Front office call” cannot be removed" in text
    assert "carried by 3 responses" in text
    assert "Remove" not in text and "<button" not in page.content.decode().split("<main")[1]
    edit = reverse("journeys:touchpoint_edit", args=[owned_audience.slug, office.pk])
    assert f'href="{edit}"' in page.content.decode() and "rename or move" in text

    refused = owner_client.post(url)
    assert refused.status_code == 400 and "carried by 3 responses" in _text(refused)
    assert _state(office) == before == (1, 1, 3, 0, 0)


def test_a_stage_with_such_a_touchpoint_is_refused_and_offers_to_move_it(
    owner_client, owned_audience, office
):
    TouchpointFactory(stage=office.stage, name="School tour")  # nothing carries this one
    url = reverse("journeys:stage_delete", args=[owned_audience.slug, office.stage_id])
    before = _state(office)

    page = owner_client.get(url)
    text = _text(page)
    assert page.status_code == 200
    assert "The stage “Enrol” cannot be removed" in text
    assert "Front office call : 3 responses" in text and "School tour" not in text
    html = page.content.decode()
    move = reverse("journeys:touchpoint_edit", args=[owned_audience.slug, office.pk])
    rename = reverse("journeys:stage_edit", args=[owned_audience.slug, office.stage_id])
    assert f'href="{move}"' in html and f'href="{rename}"' in html
    assert "Remove" not in text and "<button" not in html.split("<main")[1]

    assert owner_client.post(url).status_code == 400
    assert _state(office) == before
    assert Touchpoint.all_orgs.filter(stage_id=office.stage_id).count() == 2


def test_support_cases_count_too(owner_client, owned_audience):
    touchpoint = TouchpointFactory(stage=StageFactory(audience=owned_audience), name="Helpdesk")
    ttr = MetricDefinitionFactory(audience=owned_audience, kind="ttr", slug="ttr", name="TTR")
    for ref in ("T-1", "T-2"):
        SupportCase.all_orgs.filter(pk=case(ttr, ref, NOV, None).pk).update(touchpoint=touchpoint)
    url = reverse("journeys:touchpoint_delete", args=[owned_audience.slug, touchpoint.pk])
    assert "carried by 2 support cases" in _text(owner_client.get(url))
    assert owner_client.post(url).status_code == 400
    assert Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()
    assert SupportCase.all_orgs.filter(touchpoint=touchpoint).count() == 2


def test_one_response_and_one_case_read_in_the_singular(owned_audience, office):
    Response.all_orgs.filter(touchpoint=office).exclude(score=5).delete()
    ttr = MetricDefinitionFactory(audience=owned_audience, kind="ttr", slug="ttr", name="TTR")
    SupportCase.all_orgs.filter(pk=case(ttr, "T-1", NOV, None).pk).update(touchpoint=office)
    with pytest.raises(ValidationError) as refused:
        services.touchpoint_delete(touchpoint=office, actor_user=None)
    assert refused.value.message_dict == {
        "touchpoint": [
            "The touchpoint “Front office call” (front-office-call) cannot be removed: it is "
            "carried by 1 response and 1 support case, which would lose it. Rename it or move "
            "it to another stage instead."
        ]
    }


def test_a_touchpoint_nothing_carries_still_goes_with_its_stage(owner_client, owned_audience):
    stage = StageFactory(audience=owned_audience, name="Enquire")
    touchpoint = TouchpointFactory(stage=stage, name="School tour")
    url = reverse("journeys:stage_delete", args=[owned_audience.slug, stage.pk])
    page = owner_client.get(url)
    assert "No stored response or support case carries its touchpoints" in _text(page)
    assert url in _posting_forms(page.content.decode())
    assert owner_client.post(url).status_code == 302
    assert not Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()


def test_only_the_organisations_own_rows_are_counted(owned_audience, office, other_org):
    # A row of another organisation naming this touchpoint (ingestion never writes one) is not
    # this organisation's to count or to show.
    foreign = MetricDefinitionFactory(audience=AudienceFactory(organisation=other_org))
    respond(foreign, 9, NOV, touchpoint=office)
    carried = selectors.touchpoints_carried(
        touchpoints=Touchpoint.objects.for_org(office.organisation_id)
    )
    assert [(c.touchpoint.pk, c.describe()) for c in carried] == [(office.pk, "3 responses")]


def test_a_row_that_arrives_after_the_count_is_still_kept(monkeypatch, owned_audience, office):
    # The counts said nothing carried it (a response landed between count and delete): the
    # foreign key's RESTRICT refuses in the same words, and the audit entry rolls back.
    real = selectors.touchpoints_carried
    calls = []

    def first_misses(**kwargs):
        calls.append(kwargs)
        return [] if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "touchpoints_carried", first_misses)
    before = _state(office)
    with pytest.raises(ValidationError, match="carried by 3 responses"):
        services.touchpoint_delete(touchpoint=office, actor_user=None)
    assert len(calls) == 2 and _state(office) == before


def test_an_organisations_deletion_still_cascades_past_the_restriction(office):
    # RESTRICT, not PROTECT: the responses go in the same cascade, so nothing blocks it.
    organisation = Organisation.objects.get(pk=office.organisation_id)
    with pytest.raises(RestrictedError):
        Touchpoint.all_orgs.filter(pk=office.pk).delete()
    organisation.delete()
    assert not Response.all_orgs.filter(touchpoint_id=office.pk).exists()
    assert not Touchpoint.all_orgs.filter(pk=office.pk).exists()
