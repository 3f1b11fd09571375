"""API keys: the leads' page, the management command, hashing and revocation."""

from django.core.management import call_command

from audiences.models import ApiKey
from axreg.api.authentication import api_key_hash
from tests.factories import OrganisationFactory


def test_it_shows_a_new_key_once_after_a_redirect_and_stores_only_its_hash(lead_client, org):
    created = lead_client.post("/app/api-keys/", {"name": "Helpdesk"})
    assert created.status_code == 302
    assert created["Location"] == "/app/api-keys/"
    assert "axr_" not in created.content.decode()
    shown = lead_client.get("/app/api-keys/")
    assert "no-store" in shown["Cache-Control"]
    raw = shown.context["new_key"]["raw_key"]
    assert raw in shown.content.decode()
    assert "Copy your new key now" in shown.content.decode()
    stored = ApiKey.all_orgs.get(name="Helpdesk")
    assert stored.organisation == org
    assert stored.hashed_key == api_key_hash(raw)
    assert raw not in stored.hashed_key
    # A reload shows the key's prefix in the list, never the key again, and creates nothing.
    again = lead_client.get("/app/api-keys/")
    assert raw not in again.content.decode()
    assert "Copy your new key now" not in again.content.decode()
    assert f"axr_{stored.prefix}_" in again.content.decode()
    assert "new_api_key" not in lead_client.session
    assert ApiKey.all_orgs.filter(organisation=org).count() == 1


def test_it_keeps_the_form_and_creates_nothing_when_the_name_is_missing(lead_client, org):
    answer = lead_client.post("/app/api-keys/", {"name": ""})
    assert answer.status_code == 200
    assert "This field is required." in answer.content.decode()
    assert not ApiKey.all_orgs.filter(organisation=org).exists()


def test_it_does_not_show_a_new_key_after_switching_organisation(lead, lead_client, other_org):
    from audiences.access import SESSION_KEY
    from audiences.models import Membership, Role

    Membership.objects.create(user=lead, organisation=other_org, role=Role.LEAD)
    lead_client.post("/app/api-keys/", {"name": "Helpdesk"})
    raw = lead_client.session["new_api_key"]["raw_key"]
    session = lead_client.session
    session[SESSION_KEY] = other_org.pk  # what the organisation switcher stores
    session.save()
    answer = lead_client.get("/app/api-keys/")
    assert answer.context["request"].access.organisation == other_org
    assert raw not in answer.content.decode()
    assert "new_api_key" not in lead_client.session


def test_it_revokes_a_key_and_the_key_stops_working(lead_client, org):
    lead_client.post("/app/api-keys/", {"name": "CRM"})
    key = ApiKey.all_orgs.get(name="CRM")
    answer = lead_client.post(f"/app/api-keys/{key.pk}/revoke/")
    assert answer.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in lead_client.get("/app/api-keys/").content.decode()


def test_it_keeps_the_page_for_leads(owner_client, org):
    assert owner_client.get("/app/api-keys/").status_code == 403


def test_it_cannot_revoke_another_organisations_key(lead_client, other_key):
    answer = lead_client.post(f"/app/api-keys/{other_key.api_key.pk}/revoke/")
    assert answer.status_code == 404
    other_key.api_key.refresh_from_db()
    assert other_key.api_key.revoked_at is None


def test_it_shows_api_keys_in_the_nav_for_leads_only(lead_client):
    assert 'href="/app/api-keys/"' in lead_client.get("/app/").content.decode()


def test_it_prints_the_key_alone_on_the_last_line(capsys, db):
    org = OrganisationFactory(slug="district")
    call_command("create_api_key", "district", "--name", "Survey tool")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("axr_")
    assert ApiKey.all_orgs.get(organisation=org, name="Survey tool").hashed_key == api_key_hash(
        last
    )


def test_it_hides_api_keys_from_the_nav_of_viewers(viewer_client):
    assert 'href="/app/api-keys/"' not in viewer_client.get("/app/").content.decode()
