"""Per-key throttling: each API key gets its own budget (REST_FRAMEWORK rate `api_key`)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from audiences.api_auth import ApiKeyPrincipal


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so the rate follows settings overrides.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.user, ApiKeyPrincipal):
            return None  # browser sessions are people, not integrations
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}
