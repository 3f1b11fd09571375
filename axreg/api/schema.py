"""OpenAPI pieces shared by every endpoint: the error shapes and the bulk request body."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorItem = inline_serializer(
    "ErrorItem",
    {
        "index": serializers.IntegerField(
            required=False, help_text="Position of the item in a bulk list; absent otherwise."
        ),
        "field": serializers.CharField(help_text="The field to fix, or 'body'."),
        "code": serializers.CharField(
            help_text="Machine-readable reason, the same in every language (e.g. required, "
            "invalid, not_found, unknown_field, too_many_items)."
        ),
        "message": serializers.CharField(
            help_text="For people, in the language of Accept-Language (English, Korean or "
            "Turkish; English when none matches)."
        ),
    },
)
ValidationErrors = inline_serializer(
    "ValidationErrors", {"errors": serializers.ListField(child=ErrorItem)}
)
Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
WriteResult = inline_serializer(
    "WriteResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
    },
)

READ_ERRORS: dict[int, Any] = {
    400: OpenApiResponse(ValidationErrors, description="A query parameter is invalid."),
    401: OpenApiResponse(Detail, description="No or an invalid/revoked API key."),
    403: OpenApiResponse(Detail, description="Not allowed for this user."),
    404: OpenApiResponse(Detail, description="No such object in your organisation."),
    429: OpenApiResponse(Detail, description="Too many requests; see Retry-After."),
}
WRITE_ERRORS: dict[int, Any] = {
    **READ_ERRORS,
    400: OpenApiResponse(
        ValidationErrors, description="Invalid input: every invalid item and field is listed."
    ),
    413: OpenApiResponse(Detail, description="The body is larger than the limit."),
    415: OpenApiResponse(
        Detail,
        description="Send application/json as UTF-8, uncompressed: another Content-Type, a "
        "Content-Encoding such as gzip or a charset other than UTF-8 is refused (the body's "
        "refusals also list `errors` naming `body`).",
    ),
}


def response_component(serializer: type[serializers.Serializer], *, many: bool = False) -> Any:
    """The serializer's fields as an answer: every field is always present (null where empty).

    Request and answer share one serializer, whose `required` describes the request; the
    answer's component (`<Name>Answer`) says what a client can rely on in what it reads.
    """
    name = serializer.__name__.removesuffix("Serializer")
    if name in _ANSWERS:  # one class per component, or the schema names two alike
        return _ANSWERS[name](many=many)
    fields = {
        # Rebuilt from the declaring arguments: a DRF field deep-copies itself from them.
        field_name: type(field)(*field._args, **{**field._kwargs, "required": True})
        for field_name, field in serializer._declared_fields.items()
    }
    _ANSWERS[name] = type(inline_serializer(f"{name}Answer", fields))
    return _ANSWERS[name](many=many)


_ANSWERS: dict[str, type] = {}


def bulk_body(component: str) -> dict[str, Any]:
    """Request body: one item, or a list of up to API_MAX_BULK_ITEMS items."""
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {
        "oneOf": [
            ref,
            {"type": "array", "items": ref, "minItems": 1, "maxItems": settings.API_MAX_BULK_ITEMS},
        ]
    }


# Request bodies refuse unknown fields (400 naming them), so the schema says so.
STRICT_COMPONENTS = {
    "Audience",
    "PatchedAudience",
    "MetricDefinition",
    "PatchedMetricDefinition",
    "ResponseItem",
    "CaseItem",
    "RevenueEventItem",
    "MemberItem",
    "WebhookEndpoint",
    "PatchedWebhookEndpoint",
}


def strict_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: `additionalProperties: false` on request bodies."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in STRICT_COMPONENTS & set(schemas):
        schemas[name]["additionalProperties"] = False
    return result


DETAIL_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
# Answers every operation may give that no view declares: DRF's 405 (a method the path does
# not take) and 406 (an Accept header without JSON), and gunicorn's 414, answered before the
# app runs (its default limit_request_line is 4094 bytes), so clients and schemathesis know.
SERVER_RESPONSES = {
    "405": {"description": "The path does not take this method.", "content": DETAIL_REF},
    "406": {"description": "The Accept header does not allow JSON.", "content": DETAIL_REF},
    "414": {
        "description": "The request line (path and query string) is longer than the server accepts."
    },
}


def server_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the server's own refusals, on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Detail",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].update(SERVER_RESPONSES)
    return result
