"""Which language a request is answered in.

Pages: the signed-in person's kept choice (copied into the session when they sign in or switch,
so no query per request), else the language cookie the switch sets for someone signed out, else
the browser's Accept-Language, else English. The API: Accept-Language only, so an integration
gets its `message` texts in the language it asks for whoever created its key, while codes and
field names never change.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    language_code_re,
    parse_accept_lang_header,
)

SESSION_KEY = "axreg_language"


def supported(code: str | None) -> str | None:
    """The interface language a code means ("ko-KR" → "ko", "en" → "en-gb"), None if none."""
    if not code or not language_code_re.search(code):
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def from_accept_language(request: HttpRequest) -> str:
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        language = supported(code)
        if language:
            return language
    return settings.LANGUAGE_CODE


def language_for(request: HttpRequest) -> str:
    if request.path_info.startswith("/api/"):
        return from_accept_language(request)
    session = getattr(request, "session", None)
    kept = supported(session.get(SESSION_KEY)) if session is not None else None
    if kept:
        return kept
    cookie = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    return cookie or from_accept_language(request)


class PreferredLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (Content-Language, Vary: Accept-Language) with the order above."""

    def process_request(self, request: HttpRequest) -> None:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        # The thread serves the next request, or runs a task, in the default language: the
        # language of whoever was served last must not leak into an e-mail or a webhook.
        translation.deactivate()
        return response
