"""A broker outage must not turn a stored write into an error (and a client retry)."""

import socket
import time

import pytest

from axreg.celery import app as celery_app
from measurements.models import Response, StaleMark
from tests.api.conftest import response_item


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def broker_down():
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(
        broker_url=f"redis://127.0.0.1:{_closed_port()}/0", task_always_eager=False
    )
    celery_app.pool.force_close_all()
    yield
    celery_app.conf.update(saved)
    celery_app.pool.force_close_all()


@pytest.mark.django_db(transaction=True)
def test_it_answers_201_quickly_and_keeps_the_marks_when_the_broker_is_down(
    api, nps, broker_down, caplog
):
    started = time.monotonic()
    answer = api.post("/api/v1/responses/", [response_item()], format="json")
    assert answer.status_code == 201
    assert time.monotonic() - started < 5
    assert Response.all_orgs.count() == 1
    assert StaleMark.all_orgs.filter(definition=nps).count() == 1
    assert "Could not queue the stale rollup recompute" in caplog.text
