"""Security headers, and the sign-in lockout's settings and page (django-axes counts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


# Sign-in lockouts: django-axes counts failures in the database (AccessAttempt rows, locked with
# SELECT … FOR UPDATE), so every web process sees the same count. These callables let the
# limits follow LOGIN_FAILURE_LIMIT / LOGIN_FAILURE_WINDOW and give the lockout the app's page.


def failure_limit(request: HttpRequest | None, credentials: dict | None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def sign_in_name(request: HttpRequest | None, credentials: dict | None) -> str:
    """E-mails sign in case-insensitively, so "Lead@" and "lead@" count as one person."""
    return str((credentials or {}).get("username") or "").strip().lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The sign-in page with a message, 429 and Retry-After; the password was not checked."""
    response = render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "locked_out": True},
        status=429,
    )
    response.headers["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
    return response
