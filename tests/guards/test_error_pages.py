"""Issue #9 item 15: 400, 403, 404 and 500 pages in the app's layout, with a reason and a way
back; the 500 page renders with no request context and no database."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from axreg.middleware import bad_request


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_403_has_the_layout_the_reason_and_a_way_home(viewer_client):
    response = viewer_client.get("/app/audit/")
    assert response.status_code == 403
    html = _text(response)
    assert 'aria-label="Main"' in html  # the app's navigation
    assert "Only a lead of this organisation can do that." in html
    assert 'href="/app/"' in html and "home page" in html


def test_a_404_has_the_layout_the_reason_and_a_way_home(viewer_client):
    response = viewer_client.get("/app/audiences/no-such-audience/")
    assert response.status_code == 404
    html = _text(response)
    assert 'aria-label="Main"' in html
    assert "Page not found" in html
    assert "another organisation" in html
    assert 'href="/app/"' in html


def test_a_404_signed_out_offers_the_sign_in(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'href="/login/"' in _text(response)


@pytest.mark.urls("tests.guards.error_urls")
def test_a_500_renders_without_request_context_or_database(db):
    client = Client(raise_request_exception=False)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/boom/")
    assert response.status_code == 500
    html = _text(response)
    assert "Something went wrong" in html
    assert 'href="/app/"' in html
    assert "{%" not in html and "{{" not in html and "{#" not in html
    assert not [q for q in queries.captured_queries if "boom" not in q["sql"]]


def test_a_400_page_explains_and_leads_back(db):
    response = bad_request(RequestFactory().get("/app/"), SuspiciousOperation("bad"))
    assert response.status_code == 400
    html = _text(response)
    assert "could not be read" in html
    assert 'href="/app/"' in html
