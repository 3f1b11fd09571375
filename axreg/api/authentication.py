"""API keys: `axr_<prefix>_<secret>`, stored as a SHA-256 hash, looked up by prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from audiences.models import ApiKey

KEY_SCHEME = "axr"


def api_key_hash(raw_key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_generate() -> tuple[str, str]:
    """A new (raw key, prefix); the raw key is shown once and never stored."""
    prefix = secrets.token_hex(4)
    return f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}", prefix


class ApiKeyPrincipal:
    """The `request.user` of an API-key request: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.organisation = api_key.organisation

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                gettext("Authorization header must be 'Bearer <key>'.")
            )
        try:
            raw_key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key.")) from exc
        parts = raw_key.split("_", 2)  # the secret itself may contain "_"
        if len(parts) != 3 or parts[0] != KEY_SCHEME:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key."))
        # All organisations: the key itself says which organisation the request is for.
        api_key = ApiKey.all_orgs.select_related("organisation").filter(prefix=parts[1]).first()
        if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_hash(raw_key)):
            raise exceptions.AuthenticationFailed(gettext("Invalid API key."))
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(gettext("This API key has been revoked."))
        ApiKey.objects.for_org(api_key.organisation_id).filter(pk=api_key.pk).update(
            last_used_at=timezone.now()
        )
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
