"""Security headers and sign-in rate limiting that Django does not provide by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

# No inline script anywhere: pages load JS from static/ and pass data through json_script.
# Inline styles stay allowed for small presentational values such as a progress bar's width.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy; Django's SecurityMiddleware covers the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class RateLimitedLoginView(auth_views.LoginView):
    """Sign-in with a cap on failed attempts per e-mail and per client address.

    The counters live in the cache (Redis when CACHE_URL points at it), so the cap holds
    across web workers. A locked-out attempt answers 429 without checking the password.
    """

    redirect_authenticated_user = True

    def _keys(self) -> list[str]:
        email = self.request.POST.get("username", "").strip().lower()
        return [f"login-fail:ip:{_client_ip(self.request)}", f"login-fail:email:{email}"]

    def _locked(self) -> bool:
        limit = settings.LOGIN_FAILURE_LIMIT
        return any((cache.get(key) or 0) >= limit for key in self._keys())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self._locked():
            response = self.render_to_response(
                # An unbound form: binding it would check the password we are refusing to check.
                self.get_context_data(form=self.get_form_class()(request), locked_out=True)
            )
            response.status_code = 429
            response.headers["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for key in self._keys():
            cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
        return super().form_invalid(form)
