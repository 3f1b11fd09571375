"""Where a webhook may be sent: http(s) to public addresses only, unless a setting allows more.

An endpoint URL is a request the server makes on a lead's behalf, so a URL naming the
metadata service (169.254.169.254), localhost or the internal network would let anyone
who can register one probe it (SSRF). The host is resolved when the endpoint is saved AND
again before each delivery, and the delivery connects to the address that was checked,
so a DNS answer that changes in between (rebinding) cannot point it elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}


def address_is_private(address: IPAddress) -> bool:
    """Whether an address is anything but a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global  # shared (100.64/10), documentation ranges and the like
    )


def url_parts(url: str) -> tuple[SplitResult, str, int]:
    """(parts, host, port) of an http(s) URL, or a ValidationError saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ValidationError(
            {"url": ValidationError(gettext("Use an http:// or https:// address."), code="scheme")}
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number, or out of range
        message = gettext("The port of this address is not valid.")
        raise ValidationError({"url": ValidationError(message, code="invalid_port")}) from exc
    if not host:
        message = gettext("The address has no host name.")
        raise ValidationError({"url": ValidationError(message, code="no_host")})
    return parts, host, port or SCHEMES[parts.scheme]


CREDENTIALS_MESSAGE = _(
    "Leave the user name and password out of the address: every delivery is signed with the "
    "webhook's secret, and an address holds no secret (it is listed to everyone who can see "
    "the webhook)."
)


def url_has_credentials(url: str) -> bool:
    """Whether the URL carries `user:pass@` (or just `user@`) before its host."""
    return "@" in urlsplit(url.strip()).netloc


def url_without_credentials(url: str) -> str:
    """The URL with any `user:pass@` removed, to show back a refused address safely."""
    parts = urlsplit(url.strip())
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def url_refuse_credentials(url: str) -> None:
    """A ValidationError on `url` for an address with credentials: a lead pasting a URL with
    a password would otherwise store it in clear and see it echoed on every list."""
    if url_has_credentials(url):
        raise ValidationError({"url": ValidationError(CREDENTIALS_MESSAGE, code="credentials")})


def url_addresses(url: str) -> list[IPAddress]:
    """The addresses a webhook URL resolves to, refused when one of them is private.

    Every address must be public: a name that resolves to one public and one private
    address would otherwise reach the private one whenever it came first.
    """
    _, host, port = url_parts(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        message = gettext("The host %(host)s could not be found.") % {"host": host}
        raise ValidationError({"url": ValidationError(message, code="unknown_host")}) from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    if not settings.WEBHOOKS_ALLOW_PRIVATE and any(address_is_private(a) for a in addresses):
        message = gettext(
            "%(host)s points to a private address; webhooks go to public addresses only."
        ) % {"host": host}
        raise ValidationError({"url": ValidationError(message, code="private_address")})
    return addresses
