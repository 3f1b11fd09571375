"""Issue #9 items 1 and 21: the audit trail page reads any entry and speaks the user's words."""

import datetime

import pytest

from audiences.services import audience_archive, audit_record
from measurements.services import plan_save
from tests.factories import AudienceFactory


def _changes_cells(html: str) -> str:
    return " ".join(html.split())


def test_an_ingest_entry_with_an_items_key_renders(lead_client, org, owned_audience):
    # The shape the API push and the CSV import record: counts, one of them named "items".
    audit_record(
        organisation=org,
        action="ingested",
        object_type="response batch",
        object_repr="3 item(s), batch 1234",
        audience=owned_audience,
        changes={"created": 3, "updated": 0, "duplicates": 0, "items": 3, "audiences": ["parents"]},
    )
    response = lead_client.get("/app/audit/")
    assert response.status_code == 200
    html = _changes_cells(response.content.decode())
    assert "<strong>Items</strong>: 3" in html
    assert "<strong>Audiences</strong>: parents" in html
    assert "Response batch" in html
    assert "Imported" in html


@pytest.mark.django_db
def test_changes_read_as_words_not_python(lead_client, lead, org):
    audience = AudienceFactory(organisation=org, name="Alumni", slug="alumni")
    audience_archive(audience=audience, actor=lead)
    plan_save(
        audience=audience,
        actor_user=lead,
        data={"process": "Survey", "last_reviewed_on": datetime.date(2024, 9, 2)},
    )
    html = _changes_cells(lead_client.get("/app/audit/").content.decode())
    assert "<strong>Archived</strong>: No → Yes" in html
    assert "[False, True]" not in html and "True" not in html
    assert "Measurement plan" in html and "measurementplan" not in html.split("<tbody>")[1]
    # "create" (plans) and "created" elsewhere read the same, capitalised.
    assert "<td>Created</td>" in html and "<td>create</td>" not in html
    assert "<strong>Last reviewed on</strong>: 2 Sep 2024" in html


def test_the_object_type_filter_offers_readable_names(lead_client, lead, org):
    plan_save(
        audience=AudienceFactory(organisation=org),
        actor_user=lead,
        data={"process": "Survey"},
    )
    html = lead_client.get("/app/audit/").content.decode()
    assert '<option value="measurementplan">Measurement plan</option>' in html


@pytest.mark.django_db
def test_the_audience_page_history_names_fields_in_words(lead_client, lead, org):
    audience = AudienceFactory(organisation=org, name="Alumni", slug="alumni")
    audit_record(
        organisation=org,
        action="created",
        object_type="audience",
        object_repr="Alumni",
        audience=audience,
        changes={"why_it_matters": [None, "Future donors"], "kind_label": [None, ""]},
    )
    audience_archive(audience=audience, actor=lead)
    html = _changes_cells(lead_client.get("/app/audiences/alumni/").content.decode())
    assert "Created · Audience" in html
    assert "why it matters" in html.lower()
    assert "why_it_matters" not in html
    assert "kind_label" not in html
    assert "Archived" in html
