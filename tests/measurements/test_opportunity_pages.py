"""The opportunity pages as each role sees them: the quick add from a touchpoint, the error
summary, the prioritised lists and their filters, the confirmed delete."""

from __future__ import annotations

import pytest

from audiences.models import AuditEntry
from measurements.models import Opportunity
from measurements.opportunity_services import opportunity_create, opportunity_set_status
from tests.factories import (
    AudienceFactory,
    MetricDefinitionFactory,
    StageFactory,
    TouchpointFactory,
)


@pytest.fixture
def open_day(owned_audience):
    stage = StageFactory(audience=owned_audience, name="Visit", position=0)
    return TouchpointFactory(stage=stage, name="Open day", slug="open-day")


@pytest.fixture
def visit_csat(owned_audience, open_day):
    return MetricDefinitionFactory(
        audience=owned_audience,
        kind="csat",
        slug="csat",
        name="Visit CSAT",
        scale_min=1,
        scale_max=5,
        touchpoint=open_day,
    )


def _new_url(audience, touchpoint=None):
    url = f"/app/audiences/{audience.slug}/opportunities/new/"
    return f"{url}?touchpoint={touchpoint.pk}" if touchpoint else url


def test_it_prefills_the_touchpoint_its_metric_and_the_owner(
    owner_client, owned_audience, open_day, visit_csat, owner_person
):
    page = owner_client.get(_new_url(owned_audience, open_day)).content.decode()
    assert "Add an opportunity at “Open day”" in page
    assert f'value="{open_day.pk}" id="id_touchpoints_0" checked' in page
    assert f'<option value="{visit_csat.pk}" selected>Visit CSAT</option>' in page
    assert f'<option value="{owner_person.pk}" selected>Olive Owner</option>' in page


def test_it_adds_one_from_a_touchpoint_with_problem_value_and_effort(
    owner_client, owned_audience, open_day, visit_csat, owner_person
):
    answer = owner_client.post(
        _new_url(owned_audience, open_day),
        {
            "problem": "Nobody greets families at the door",
            "value": "4",
            "effort": "1",
            "touchpoints": [open_day.pk],
            "owner": owner_person.pk,
            "definition": visit_csat.pk,
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/app/audiences/{owned_audience.slug}/journey/"
    created = Opportunity.objects.for_org(owned_audience.organisation).get()
    assert (created.value, created.effort, created.status) == (4, 1, "idea")
    assert list(created.touchpoints.all()) == [open_day]
    listed = owner_client.get(f"/app/audiences/{owned_audience.slug}/opportunities/")
    assert "Nobody greets families at the door" in listed.content.decode()


def test_it_lists_what_is_missing_in_the_error_summary(owner_client, owned_audience):
    page = owner_client.post(_new_url(owned_audience), {"problem": ""}).content.decode()
    assert "Please correct these problems before saving" in page
    assert '<a href="#id_problem">Problem: This field is required.</a>' in page
    assert '<a href="#id_value">Value: This field is required.</a>' in page
    assert '<a href="#id_effort">Effort: This field is required.</a>' in page
    assert not Opportunity.objects.for_org(owned_audience.organisation).exists()


def test_it_refuses_a_touchpoint_of_another_audience_on_its_field(
    owner_client, owned_audience, org
):
    other = AudienceFactory(organisation=org, slug="donors")
    gala = TouchpointFactory(stage=StageFactory(audience=other), name="Gala")
    page = owner_client.post(
        _new_url(owned_audience),
        {"problem": "x", "value": "3", "effort": "3", "touchpoints": [gala.pk]},
    ).content.decode()
    assert '<a href="#id_touchpoints">At the touchpoints: Select a valid choice.' in page
    assert not Opportunity.objects.for_org(org).exists()


def test_it_orders_the_organisations_list_by_value_over_effort(
    lead_client, owned_audience, unowned_audience
):
    opportunity_create(audience=owned_audience, data={"problem": "A", "value": 4, "effort": 2})
    opportunity_create(audience=unowned_audience, data={"problem": "B", "value": 3, "effort": 1})
    page = lead_client.get("/app/opportunities/").content.decode()
    assert page.index(">B</a>") < page.index(">A</a>")
    assert "3.0 <span" in page and "2.0 <span" in page
    only_parents = lead_client.get("/app/opportunities/?audience=parents").content.decode()
    assert ">A</a>" in only_parents and ">B</a>" not in only_parents


def test_both_lists_show_done_ones_after_the_open_ones(
    lead_client, owned_audience, unowned_audience
):
    # Done 5 ÷ 1 = 5.0 on Parents; open 2 ÷ 2 = 1.0 on Parents and 3 ÷ 1 = 3.0 elsewhere.
    done = opportunity_create(
        audience=owned_audience, data={"problem": "Finished", "value": 5, "effort": 1}
    )
    opportunity_set_status(opportunity=done, status="done")
    opportunity_create(audience=owned_audience, data={"problem": "Open", "value": 2, "effort": 2})
    opportunity_create(audience=unowned_audience, data={"problem": "Else", "value": 3, "effort": 1})
    page = lead_client.get("/app/opportunities/").content.decode()
    assert page.index(">Else</a>") < page.index(">Open</a>") < page.index(">Finished</a>")
    assert "Done ones come after every open one" in page
    audience_page = lead_client.get("/app/audiences/parents/opportunities/").content.decode()
    assert audience_page.index(">Open</a>") < audience_page.index(">Finished</a>")
    only_done = lead_client.get("/app/opportunities/?status=done").content.decode()
    assert ">Finished</a>" in only_done and ">Open</a>" not in only_done


def test_it_filters_by_status(lead_client, owned_audience):
    done = opportunity_create(
        audience=owned_audience, data={"problem": "Done", "value": 1, "effort": 1}
    )
    opportunity_set_status(opportunity=done, status="done")
    opportunity_create(audience=owned_audience, data={"problem": "Idea", "value": 1, "effort": 1})
    page = lead_client.get("/app/audiences/parents/opportunities/?status=done").content.decode()
    assert ">Done</a>" in page and ">Idea</a>" not in page


def test_it_lets_a_viewer_read_but_not_add(viewer_client, owned_audience, open_day):
    opportunity = opportunity_create(
        audience=owned_audience,
        data={"problem": "Queue", "value": 2, "effort": 2, "touchpoints": [open_day]},
    )
    listed = viewer_client.get("/app/audiences/parents/opportunities/").content.decode()
    assert "Queue" in listed and "Add an opportunity" not in listed
    detail = viewer_client.get(f"/app/audiences/parents/opportunities/{opportunity.pk}/")
    assert detail.status_code == 200 and "Move to" not in detail.content.decode()
    assert viewer_client.get(_new_url(owned_audience)).status_code == 403
    assert (
        viewer_client.get(
            f"/app/audiences/parents/opportunities/{opportunity.pk}/edit/"
        ).status_code
        == 403
    )


def test_it_refuses_the_owner_of_another_audience(owner_client, unowned_audience):
    assert owner_client.get(_new_url(unowned_audience)).status_code == 403
    assert owner_client.get("/app/audiences/teachers/opportunities/").status_code == 200


def test_it_answers_404_for_another_organisations_opportunity(outsider_client, owned_audience):
    opportunity = opportunity_create(
        audience=owned_audience, data={"problem": "Queue", "value": 2, "effort": 2}
    )
    for path in ("", "edit/", "delete/"):
        url = f"/app/audiences/parents/opportunities/{opportunity.pk}/{path}"
        assert outsider_client.get(url).status_code == 404
    assert "Queue" not in outsider_client.get("/app/opportunities/").content.decode()


def test_it_asks_before_removing_and_removes_on_the_confirmation(owner_client, owned_audience):
    opportunity = opportunity_create(
        audience=owned_audience, data={"problem": "Queue", "value": 2, "effort": 2}
    )
    url = f"/app/audiences/parents/opportunities/{opportunity.pk}/delete/"
    asked = owner_client.get(url).content.decode()
    assert "Remove the opportunity “Queue”?" in asked and "cannot be undone" in asked
    assert Opportunity.objects.for_org(owned_audience.organisation).exists()
    assert owner_client.post(url).status_code == 302
    assert not Opportunity.objects.for_org(owned_audience.organisation).exists()


def test_it_moves_the_status_and_an_unchanged_edit_records_nothing(
    owner_client, owned_audience, open_day
):
    opportunity = opportunity_create(
        audience=owned_audience,
        data={"problem": "Queue", "value": 2, "effort": 2, "touchpoints": [open_day]},
    )
    base = f"/app/audiences/parents/opportunities/{opportunity.pk}/"
    owner_client.post(base + "status/", {"status": "done"})
    page = owner_client.get(base).content.decode()
    assert '<span class="badge ok" data-status>Done</span>' in page
    entries = AuditEntry.objects.for_org(owned_audience.organisation)
    count = entries.count()
    unchanged = {
        "problem": "Queue",
        "value": "2",
        "effort": "2",
        "touchpoints": [open_day.pk],
        "owner": owned_audience.owner.pk,
        "status": "done",
    }
    assert owner_client.post(base + "edit/", unchanged).status_code == 302
    assert entries.count() == count


def test_it_leaves_an_archived_audience_out_of_the_organisations_list_only(
    lead_client, owned_audience
):
    opportunity_create(audience=owned_audience, data={"problem": "Queue", "value": 2, "effort": 2})
    owned_audience.archived = True
    owned_audience.save()
    assert "Queue" not in lead_client.get("/app/opportunities/").content.decode()
    own = lead_client.get("/app/audiences/parents/opportunities/").content.decode()
    assert "Queue" in own
