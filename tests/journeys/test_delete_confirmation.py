"""Issue #9 item 16: removing a stage or touchpoint, or revoking an API key, asks first.

GET shows what will go (a stage with the number of its touchpoints); only the POST of that
page removes anything. No JavaScript involved.
"""

import re

from django.urls import reverse

from audiences.models import ApiKey
from audiences.services import api_key_create
from journeys.models import Stage, Touchpoint
from tests.factories import MetricDefinitionFactory, StageFactory, TouchpointFactory


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _posting_forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)


def test_the_journey_map_links_to_a_confirmation_instead_of_deleting(owner_client, owned_audience):
    stage = StageFactory(audience=owned_audience, name="Enquire")
    touchpoint = TouchpointFactory(stage=stage, name="School tour")
    html = owner_client.get(reverse("journeys:map", args=[owned_audience.slug])).content.decode()
    stage_url = reverse("journeys:stage_delete", args=[owned_audience.slug, stage.pk])
    touchpoint_url = reverse(
        "journeys:touchpoint_delete", args=[owned_audience.slug, touchpoint.pk]
    )
    assert stage_url not in _posting_forms(html)
    assert touchpoint_url not in _posting_forms(html)
    assert f'href="{stage_url}"' in html and f'href="{touchpoint_url}"' in html


def test_a_stage_confirmation_names_its_touchpoints_and_deletes_only_on_post(
    owner_client, owned_audience
):
    stage = StageFactory(audience=owned_audience, name="Enquire")
    TouchpointFactory(stage=stage, name="School tour")
    measured = TouchpointFactory(stage=stage, name="Open evening")
    MetricDefinitionFactory(audience=owned_audience, touchpoint=measured)
    url = reverse("journeys:stage_delete", args=[owned_audience.slug, stage.pk])

    page = owner_client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert "Enquire" in text and "2 touchpoints" in text
    assert "School tour" in text and "Open evening" in text
    assert "1 metric" in text
    assert url in _posting_forms(page.content.decode())
    assert Stage.all_orgs.filter(pk=stage.pk).exists()

    assert owner_client.post(url).status_code == 302
    assert not Stage.all_orgs.filter(pk=stage.pk).exists()
    assert not Touchpoint.all_orgs.filter(stage_id=stage.pk).exists()


def test_a_touchpoint_confirmation_deletes_only_on_post(owner_client, owned_audience):
    touchpoint = TouchpointFactory(stage=StageFactory(audience=owned_audience), name="School tour")
    url = reverse("journeys:touchpoint_delete", args=[owned_audience.slug, touchpoint.pk])
    page = owner_client.get(url)
    assert page.status_code == 200 and "School tour" in _text(page)
    assert Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()
    owner_client.post(url)
    assert not Touchpoint.all_orgs.filter(pk=touchpoint.pk).exists()


def test_revoking_an_api_key_asks_first(lead_client, org, lead):
    key = api_key_create(organisation=org, name="Survey tool", created_by=lead).api_key
    url = reverse("audiences:api_key_revoke", args=[key.pk])
    listing = lead_client.get(reverse("audiences:api_keys")).content.decode()
    assert url not in _posting_forms(listing) and f'href="{url}"' in listing
    page = lead_client.get(url)
    assert page.status_code == 200
    assert "Survey tool" in _text(page) and "stops working at once" in _text(page)
    key.refresh_from_db()
    assert key.revoked_at is None
    lead_client.post(url)
    assert ApiKey.all_orgs.get(pk=key.pk).revoked_at is not None


def test_a_viewer_gets_no_confirmation_page(viewer_client, owned_audience):
    stage = StageFactory(audience=owned_audience)
    url = reverse("journeys:stage_delete", args=[owned_audience.slug, stage.pk])
    assert viewer_client.get(url).status_code == 403
