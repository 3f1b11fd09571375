"""CSV import of responses in the browser: preview with per-row errors, then confirm."""

from django.core.files.uploadedfile import SimpleUploadedFile

from measurements.models import Response
from tests.factories import MetricDefinitionFactory

HEADER = "external_id,metric,score,responded_at,touchpoint,respondent,comment\n"


def upload(client, slug, text, name="responses.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        f"/app/audiences/{slug}/import/", {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_it_previews_then_imports_a_valid_file(owner_client, owned_audience):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    text = (
        HEADER + "a,nps,9,2025-03-01T09:30:00+01:00,,p-1,Lovely\nb,nps,3,2025-03-02T10:00:00Z,,,\n"
    )
    preview = upload(owner_client, "parents", text)
    assert preview.status_code == 200
    assert "All 2 rows are valid" in preview.content.decode()
    assert Response.all_orgs.count() == 0  # nothing stored before confirming
    token = preview.context["token"]
    done = owner_client.post("/app/audiences/parents/import/confirm/", {"token": token})
    assert done.status_code == 302
    assert sorted(Response.all_orgs.values_list("external_id", "score")) == [("a", 9), ("b", 3)]
    assert Response.all_orgs.get(external_id="a").comment == "Lovely"
    assert "Imported 2 responses." in owner_client.get(done["Location"]).content.decode()


def test_it_says_one_response_and_how_many_were_already_stored(owner_client, owned_audience):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    first = upload(owner_client, "parents", HEADER + "a,nps,9,2025-03-01T09:30:00Z,,,\n")
    owner_client.post("/app/audiences/parents/import/confirm/", {"token": first.context["token"]})
    text = HEADER + "a,nps,9,2025-03-01T09:30:00Z,,,\nb,nps,7,2025-03-02T09:30:00Z,,,\n"
    again = upload(owner_client, "parents", text)
    done = owner_client.post(
        "/app/audiences/parents/import/confirm/", {"token": again.context["token"]}, follow=True
    )
    assert "Imported 1 response; 1 was already stored." in done.content.decode()


def test_it_shows_the_same_errors_as_the_api_per_row_and_offers_no_import(
    owner_client, owned_audience
):
    MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    # (A time without an offset is read in the organisation's zone: test_csv_import_spreadsheets.)
    text = HEADER + "a,nps,11,2025-03-01T09:30:00Z,,,\nb,nps,x,2025-03-01T09:30:00+0100,,,\n"
    preview = upload(owner_client, "parents", text)
    rows = preview.context["preview"].rows
    assert rows[0].number == 2
    assert rows[0].errors == ["score: Must be an integer from 0 to 10 (the scale of 'nps')."]
    assert rows[1].errors == [
        "score: Must be an integer.",
        "responded_at: '2025-03-01T09:30:00+0100' is not an RFC 3339 date-time: "
        "YYYY-MM-DDTHH:MM:SS with an offset (e.g. 2025-03-01T09:30:00+01:00 or "
        "2025-03-01T08:30:00Z).",
    ]
    assert "cannot be imported" in preview.content.decode()
    assert "csv_import" not in owner_client.session
    refused = owner_client.post("/app/audiences/parents/import/confirm/", {"token": "guess"})
    assert refused.status_code == 302
    assert Response.all_orgs.count() == 0


def test_it_refuses_files_it_cannot_read(owner_client, owned_audience):
    latin1 = upload(owner_client, "parents", (HEADER + "a,nps,9,2025,,,café\n").encode("latin-1"))
    assert "not UTF-8" in latin1.context["form"].errors["file"][0]
    header = upload(owner_client, "parents", "metric,score,colour\n")
    assert "missing column(s): responded_at" in header.context["form"].errors["file"][0]
    assert "unknown column(s): colour" in header.context["form"].errors["file"][0]
    big = upload(owner_client, "parents", HEADER + "x" * (5 * 1024 * 1024))
    assert "larger than 5 MB" in big.context["form"].errors["file"][0]


def test_it_lets_only_the_owner_or_a_lead_import(owner_client, unowned_audience):
    assert owner_client.get("/app/audiences/teachers/import/").status_code == 403


IMPORT_LINK = '<a class="button" href="/app/audiences/parents/import/">Import responses (CSV)</a>'


def test_it_links_the_import_from_the_measurement_tab_for_a_lead(lead_client, owned_audience):
    page = lead_client.get("/app/audiences/parents/measurement/")
    assert IMPORT_LINK in page.content.decode()


def test_it_links_the_import_for_the_owner_of_the_audience_only(
    owner_client, owned_audience, unowned_audience
):
    own = owner_client.get("/app/audiences/parents/measurement/").content.decode()
    assert IMPORT_LINK in own
    # Owners edit only their own audiences: no import link on someone else's.
    other = owner_client.get("/app/audiences/teachers/measurement/").content.decode()
    assert "Import responses (CSV)" not in other


def test_it_hides_the_import_link_from_viewers(viewer_client, owned_audience):
    page = viewer_client.get("/app/audiences/parents/measurement/")
    assert page.status_code == 200
    assert "Import responses (CSV)" not in page.content.decode()


def test_it_links_back_to_the_measurement_tab_from_the_import(owner_client, owned_audience):
    page = owner_client.get("/app/audiences/parents/import/").content.decode()
    assert '<a href="/app/audiences/parents/measurement/">Measurement</a>' in page
