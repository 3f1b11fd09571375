"""Per-key throttling: each API key gets its own budget (REST_FRAMEWORK rate `api_key`).

A fixed window counted with cache.add() + cache.incr() in the shared cache (Redis, or the
database: settings.CACHES). DRF's own throttle keeps a list of times that it reads, edits and
writes back, so two web processes answering the same key at once both pass on a stale list;
an increment cannot be lost that way, so N requests pass per window however many processes
serve. The price of a fixed window: a client may spend one window's budget at its very end
and the next at the very start.
"""

from __future__ import annotations

import logging
import math

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from axreg.api.authentication import ApiKeyPrincipal

log = logging.getLogger(__name__)


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so the rate follows settings overrides.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.user, ApiKeyPrincipal):
            return None  # browser sessions are people, not integrations
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = math.floor(self.now / self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        try:
            self.cache.add(counter, 0, timeout=self.duration + 60)
            count = self.cache.incr(counter)
        except ValueError:  # expired between add() and incr(): this request opens the window
            self.cache.add(counter, 1, timeout=self.duration + 60)
            count = 1
        except Exception:  # the cache is down: serve rather than refuse every integration
            log.warning("API throttle cache unavailable; request not counted", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends - self.now, 1)
