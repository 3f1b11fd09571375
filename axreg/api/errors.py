"""One error shape for the whole API.

Validation problems answer 400 `{"errors": [{"index"?, "field", "code", "message"}]}` (index
only for items of a bulk body); everything else keeps DRF's `{"detail": "..."}`. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE answers a JSON 413 wherever Django or a parser notices it.

`index`, `field` and `code` are machine data, the same in every language (`code` is DRF's
ErrorDetail.code — "required", "invalid", "max_length" … — or one this API names, such as
"unknown_field"); only `message` is for people and follows Accept-Language (axreg.i18n), so
every message is translated when it is raised, never at import time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
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
INVALID = "invalid"
# Django's own 404 says "No FollowUp matches the given query.": a model class is nothing a
# client can act on, and it differs from view to view. Every object lookup answers this.
NOT_FOUND = _("Not found in your organisation.")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def error_item(field: str, code: str, message: Any, *, index: int | None = None) -> dict[str, Any]:
    """One item of the error list, its keys in one order: index (bulk items only), field, code,
    message."""
    item: dict[str, Any] = {} if index is None else {"index": index}
    return {**item, "field": field, "code": code, "message": str(message)}


def error_list(detail: Any, *, field: str = BODY) -> list[dict[str, Any]]:
    """Flatten DRF / Django error details into [{"field", "code", "message"}]."""
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
    code = detail.code if isinstance(detail, ErrorDetail) and detail.code else INVALID
    return [error_item(field, code, detail)]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DATABASE_ERRORS):  # an outage to wait out, not a 500 (axreg.middleware)
        return Response({"detail": str(API_MESSAGE)}, status=503, headers=RETRY_HEADERS)
    if isinstance(exc, TooManyFieldsSent):
        # Answered here: left to DRF, DEBUG's error page re-reads the query and fails again.
        return Response({"errors": unreadable_request_errors(exc)}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            gettext("The request body is too large: %(reason)s") % {"reason": exc}
        )
    if isinstance(exc, DjangoValidationError):
        # get_error_detail keeps each message's code (Django's ValidationError(code=…)).
        detail = get_error_detail(exc)
        exc = exceptions.ValidationError(detail if isinstance(detail, dict) else {BODY: detail})
    if isinstance(exc, exceptions.ParseError):
        return Response({"errors": [error_item(BODY, exc.detail.code, exc.detail)]}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": error_list(exc.detail)}, status=400)
    return exception_handler(exc, context)


# Exempt: a POST to an unknown path is answered "not found", not with the HTML CSRF page.
@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The last API route: a path nothing matched answers JSON, not Django's HTML page."""
    return JsonResponse({"detail": gettext("No such API endpoint or object.")}, status=404)
