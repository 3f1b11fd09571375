"""One error shape for the whole API.

Validation problems answer 400 `{"errors": [{"index"?, "field", "message"}]}` (index only for
items of a bulk body); everything else keeps DRF's `{"detail": "..."}`. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE answers a JSON 413 wherever Django or a parser notices it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from axreg.middleware import (
    API_MESSAGE,
    DATABASE_ERRORS,
    RETRY_AFTER_SECONDS,
    unreadable_request_errors,
)

BODY = "body"
RETRY_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}
# Django's own 404 says "No FollowUp matches the given query.": a model class is nothing a
# client can act on, and it differs from view to view. Every object lookup answers this.
NOT_FOUND = "Not found in your organisation."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def error_list(detail: Any, *, field: str = BODY) -> list[dict[str, Any]]:
    """Flatten DRF / Django error details into [{"field", "message"}]."""
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = BODY if key in ("non_field_errors", "__all__") else str(key)
            out.extend(error_list(value, field=name if field == BODY else f"{field}.{name}"))
        return out
    if isinstance(detail, (list, tuple)):
        out = []
        for item in detail:
            out.extend(error_list(item, field=field))
        return out
    return [{"field": field, "message": str(detail)}]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DATABASE_ERRORS):  # an outage to wait out, not a 500 (axreg.middleware)
        return Response({"detail": API_MESSAGE}, status=503, headers=RETRY_HEADERS)
    if isinstance(exc, TooManyFieldsSent):
        # Answered here: left to DRF, DEBUG's error page re-reads the query and fails again.
        return Response({"errors": unreadable_request_errors(exc)}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(f"The request body is too large: {exc}")
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {BODY: exc.messages}
        )
    if isinstance(exc, exceptions.ParseError):
        return Response({"errors": [{"field": BODY, "message": str(exc.detail)}]}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": error_list(exc.detail)}, status=400)
    return exception_handler(exc, context)


# Exempt: a POST to an unknown path is answered "not found", not with the HTML CSRF page.
@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The last API route: a path nothing matched answers JSON, not Django's HTML page."""
    return JsonResponse({"detail": "No such API endpoint or object."}, status=404)
