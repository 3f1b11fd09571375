"""The CSV import takes files as spreadsheets write them, and says what it will do with them."""

import csv
import io

import pytest

from measurements.models import Response
from tests.factories import MetricDefinitionFactory, TouchpointFactory
from tests.measurements.test_csv_import import HEADER, upload


@pytest.fixture
def nps(owned_audience):
    return MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps", name="NPS")


def confirm(client, preview):
    return client.post(
        "/app/audiences/parents/import/confirm/", {"token": preview.context["token"]}
    )


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_it_reads_semicolon_and_tab_separated_files(owner_client, nps, delimiter):
    # European Excel saves "CSV" with semicolons; a comma inside a comment stays in it.
    text = (
        HEADER.replace(",", delimiter)
        + delimiter.join(["a", "nps", "9", "2025-03-01T09:30:00+01:00", "", "p-1", "Nice, quick"])
        + "\n"
    )
    preview = upload(owner_client, "parents", text)
    assert preview.status_code == 200, preview.context["form"].errors
    assert "All 1 row is valid" in preview.content.decode()
    confirm(owner_client, preview)
    stored = Response.all_orgs.get()
    assert (stored.external_id, stored.score, stored.comment) == ("a", 9, "Nice, quick")


def test_it_reads_times_without_an_offset_in_the_organisations_zone_and_says_so(
    owner_client, nps, org
):
    org.timezone = "Europe/London"
    org.save()
    text = HEADER + "a,nps,9,2025-07-01 09:30,,,\nb,nps,7,2025-01-10T08:00:00,,,\n"
    preview = upload(owner_client, "parents", text)
    page = preview.content.decode()
    assert preview.context["preview"].error_count == 0
    assert "Times without an offset were read as Europe/London" in page
    confirm(owner_client, preview)
    times = dict(Response.all_orgs.values_list("external_id", "responded_at"))
    # 09:30 in London summer time is 08:30 UTC; 08:00 in winter is 08:00 UTC.
    assert times["a"].isoformat() == "2025-07-01T08:30:00+00:00"
    assert times["b"].isoformat() == "2025-01-10T08:00:00+00:00"


def test_it_keeps_the_api_rule_for_times_with_an_offset(owner_client, nps):
    text = HEADER + "a,nps,9,2025-03-01T09:30:00+0100,,,\n"
    preview = upload(owner_client, "parents", text)
    errors = preview.context["preview"].rows[0].errors
    assert len(errors) == 1 and errors[0].startswith("responded_at: ") and "RFC 3339" in errors[0]
    assert "Times without an offset" not in preview.content.decode()


def test_a_re_upload_says_the_rows_are_already_stored_and_offers_nothing_to_import(
    owner_client, nps
):
    text = HEADER + "".join(f"r-{i},nps,{i % 11},2025-03-01T09:30:00Z,,,\n" for i in range(12))
    confirm(owner_client, upload(owner_client, "parents", text))
    assert Response.all_orgs.count() == 12
    again = upload(owner_client, "parents", text).content.decode()
    assert "12 rows are already stored and will be skipped" in again
    assert "Nothing new to import" in again
    assert "Import 0" not in again


def test_the_preview_counts_stored_and_repeated_ids_and_imports_only_new_rows(owner_client, nps):
    confirm(
        owner_client, upload(owner_client, "parents", HEADER + "a,nps,9,2025-03-01T09:30:00Z,,,\n")
    )
    # a: stored; b twice: the second repeats the first; two rows without an id are always new.
    text = HEADER + (
        "a,nps,9,2025-03-01T09:30:00Z,,,\n"
        "b,nps,8,2025-03-01T09:30:00Z,,,\n"
        "b,nps,8,2025-03-01T09:30:00Z,,,\n"
        ",nps,7,2025-03-01T09:30:00Z,,,\n"
        " ,nps,7,2025-03-01T09:30:00Z,,,\n"
    )
    preview = upload(owner_client, "parents", text)
    page = preview.content.decode()
    assert "2 rows are already stored and will be skipped" in page
    assert "Import 3 new rows" in page
    confirm(owner_client, preview)
    assert Response.all_orgs.count() == 4
    assert Response.all_orgs.filter(external_id__isnull=True).count() == 2  # empty cell: no id


def test_the_upload_page_lists_the_audiences_metric_and_touchpoint_slugs(
    owner_client, owned_audience, nps
):
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat-support", scale_min=1, scale_max=5
    )
    MetricDefinitionFactory(  # takes no scores: not something a row can name
        audience=owned_audience, kind="ttr", slug="ttr", scale_min=None, scale_max=None
    )
    TouchpointFactory(stage__audience=owned_audience, slug="open-evening")
    page = owner_client.get("/app/audiences/parents/import/").content.decode()
    assert "<code>nps</code> (NPS)" in page
    assert "<code>csat-support</code>" in page
    assert "<code>ttr</code>" not in page
    assert "<code>open-evening</code>" in page
    assert 'href="/app/audiences/parents/import/template.csv"' in page
    assert "Download a template CSV" in page


def test_the_template_has_the_header_and_an_example_row_the_preview_accepts(
    owner_client, owned_audience
):
    MetricDefinitionFactory(
        audience=owned_audience, kind="csat", slug="csat", scale_min=1, scale_max=5
    )
    TouchpointFactory(stage__audience=owned_audience, slug="open-evening")
    answer = owner_client.get("/app/audiences/parents/import/template.csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="parents-responses.csv"' in answer["Content-Disposition"]
    text = answer.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == HEADER.strip()
    assert len(rows) == 1
    assert (rows[0]["metric"], rows[0]["score"], rows[0]["touchpoint"]) == (
        "csat",
        "5",
        "open-evening",
    )
    preview = upload(owner_client, "parents", text)
    assert preview.context["preview"].error_count == 0


def test_the_template_is_for_editors_only(owner_client, unowned_audience):
    assert owner_client.get("/app/audiences/teachers/import/template.csv").status_code == 403
