"""What goes over the wire: the body, its Standard Webhooks signature, and one POST.

Signing is the `standardwebhooks` package's (HMAC-SHA256 over `id.timestamp.body`); nothing
here computes an HMAC itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook

from webhooks.addresses import IPAddress, url_parts
from webhooks.models import BodyFormat, EventType

SECRET_PREFIX = "whsec_"
USER_AGENT = "AX-Registry-Webhooks/1"
# Only the status matters; a receiver's long answer is not read past this.
MAX_ANSWER_BYTES = 64 * 1024
ERROR_LENGTH = 500


def secret_generate() -> str:
    """A new endpoint secret in the `whsec_<base64>` form the package and receivers expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def slack_summary(event_type: str, payload: dict[str, Any]) -> str:
    """One line for a chat channel: the event, then the payload's own summary if it has one."""
    label = EventType(event_type).label if event_type in EventType.values else event_type
    summary = payload.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        named = [f"{k} {payload[k]}" for k in ("audience", "metric", "value") if k in payload]
        summary = ", ".join(named)
    line = f"AX Registry: {label}" + (f": {summary.strip()}" if summary else "")
    return " ".join(line.split())  # one line, whatever the payload held


def body_build(
    *, body_format: str, event_type: str, created_at: dt.datetime, payload: dict[str, Any]
) -> bytes:
    """The request body; the same bytes on every retry of a delivery."""
    if body_format == BodyFormat.SLACK:
        document: dict[str, Any] = {"text": slack_summary(event_type, payload)}
    else:
        document = {"type": event_type, "timestamp": created_at.isoformat(), "data": payload}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def headers_sign(
    *, message_id: str, body: bytes, secrets_in_use: list[str], at: dt.datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers; one `v1,` signature per secret in use, so a
    receiver holding either secret verifies during a rotation."""
    text = body.decode()
    signatures = [
        Webhook(s).sign(msg_id=message_id, timestamp=at, data=text) for s in secrets_in_use
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


@dataclass(frozen=True)
class Answer:
    """What one POST got: a status code, or the error that stopped it."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection(
    url: str, address: IPAddress, timeout: float
) -> tuple[http.client.HTTPConnection, str]:
    parts, host, port = url_parts(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = cls(host, port, timeout=timeout)

    # Connect to the address that was checked, not to whatever the name resolves to now;
    # the Host header and the TLS certificate check still use the host name.
    def connect_checked(_: Any, timeout: float, source: Any = None) -> socket.socket:
        return socket.create_connection((str(address), port), timeout, source)

    connection._create_connection = connect_checked  # the one hook http.client offers
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return connection, target


def http_post(
    *, url: str, address: IPAddress, body: bytes, headers: dict[str, str], timeout: float
) -> Answer:
    """POST once; never follows a redirect (it could lead to a private address)."""
    started = time.monotonic()
    connection, target = _connection(url, address, timeout)
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **headers,
    }
    try:
        connection.request("POST", target, body=body, headers=all_headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        status, error = answer.status, ""
        if 300 <= status < 400:
            error = "The receiver answered with a redirect; redirects are not followed."
    except TimeoutError:
        status, error = None, f"No answer within {timeout:g} s."
    except (OSError, http.client.HTTPException) as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    elapsed = int((time.monotonic() - started) * 1000)
    return Answer(status_code=status, error=error[:ERROR_LENGTH], duration_ms=elapsed)
