"""A real HTTP receiver on 127.0.0.1 for webhook tests, and an endpoint of the organisation
that points at it (private addresses allowed, as only tests and local set-ups should)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers the queued statuses in turn (then 200), after `delay` s."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: deque = field(default_factory=deque)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, float]:
        with self.lock:
            return (self.statuses.popleft() if self.statuses else 200), self.delay


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, delay = receiver.answer()
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up waiting (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ax"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def endpoint(org, lead, receiver, allow_private):
    return services.endpoint_create(
        organisation=org,
        url=receiver.url,
        events=["alert.opened", "rollup.updated"],
        description="Helpdesk",
        actor=lead,
    )
