"""A lost database answers 503 with a message, never a 500 with a traceback.

PostgreSQL restarting, failing over or refusing connections is an outage the client should
wait out, not a bug. Two places catch it, because Django turns an exception into a response
at the layer that raised it:

- `DatabaseUnavailableMiddleware.process_exception`: raised inside a view (also under DEBUG).
- `server_error` (settings' `handler500` in axreg/urls.py): raised in a middleware, e.g. the
  session lookup behind `request.user`, which no outer middleware can catch.

The API's exception handler (axreg.api.errors) answers the same JSON for DRF views.
The connection itself needs no care: `conn_health_checks` drops a dead one at the next
request, so the app recovers once the database is back, without a restart.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
API_MESSAGE = _("The database is unavailable; retry shortly.")
HTML_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<p>{text}</p></body></html>
"""


def html_page() -> str:
    """The 503 page in the request's language (no template: the database may be what failed)."""
    return HTML_PAGE.format(
        lang=escape(get_language() or "en"),
        title=escape(gettext("Temporarily unavailable")),
        text=escape(
            gettext(
                "AX Registry cannot reach its database just now. Nothing you saved earlier is "
                "lost. Please try again in a few seconds."
            )
        ),
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a plain HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": str(API_MESSAGE)}, status=503)
    else:
        response = HttpResponse(html_page(), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database connection error raised by a view into a 503 (and an unreadable
    query string into a 400, also under DEBUG)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TooManyFieldsSent):
            # Answered here, not by Django: under DEBUG its debug page reads request.GET
            # again, raises again, and the client gets the server's bare 500.
            return bad_request(request, exception)
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable for %s: %s", request.path, exception)
            return database_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view is a 503; anything else a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        return database_unavailable(request)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: API clients get the API's JSON error shape, not Django's HTML page.

    Django answers a SuspiciousOperation raised while reading the request (too many query
    parameters, a body over the size limit) here, before any DRF handler sees it.
    """
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        message = gettext("The request body is too large: %(reason)s") % {"reason": exception}
        return JsonResponse({"detail": message}, status=413)
    return JsonResponse({"errors": unreadable_request_errors(exception)}, status=400)


def unreadable_request_errors(exception: Exception) -> list[dict[str, str]]:
    """The API's error list for a request Django refused to read (also used by DRF views):
    the shape of axreg.api.errors.error_item, which imports this module."""
    if isinstance(exception, TooManyFieldsSent):
        message = gettext("Too many query parameters: %(reason)s") % {"reason": exception}
        return [{"field": "query", "code": "too_many_fields", "message": message}]
    message = gettext("The request could not be read.")
    return [{"field": "request", "code": "unreadable", "message": message}]
