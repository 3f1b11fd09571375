"""The 503 itself, without stopping a server (the real outage: test_postgres_restart.py)."""

from unittest import mock

from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

MESSAGE = {"detail": "The database is unavailable; retry shortly."}


def test_it_answers_the_api_503_with_a_message_when_the_database_is_down(db):
    with mock.patch(
        "axreg.api.authentication.ApiKeyAuthentication.authenticate",
        side_effect=OperationalError("connection refused"),
    ):
        answer = APIClient().get("/api/v1/audiences/", HTTP_AUTHORIZATION="Bearer axr_x_y")
    assert answer.status_code == 503
    assert answer.json() == MESSAGE
    assert answer["Retry-After"] == "5"


def test_it_answers_the_browser_a_plain_503_page_when_the_session_lookup_fails(lead):
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    with mock.patch(
        "audiences.middleware.current_membership",
        side_effect=OperationalError("connection refused"),
    ):
        answer = client.get("/app/")
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in answer.content.decode()
    assert "Traceback" not in answer.content.decode()


def test_it_still_answers_500_for_other_errors(lead):
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    with mock.patch("audiences.middleware.current_membership", side_effect=RuntimeError("bug")):
        assert client.get("/app/").status_code == 500
