"""A JSON parser for large bulk bodies: orjson, a size limit that answers 413, and NaN kept."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from measurements.api.errors import PayloadTooLarge


def _non_finite(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def json_loads(raw: bytes) -> Any:
    """Parse JSON fast; keep NaN/Infinity/1e400 as non-finite floats so validation can name
    the field that holds them, instead of refusing the whole body as unparseable."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw, parse_constant=_non_finite)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"The body is not valid JSON: {exc}") from exc


class BulkJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_large = PayloadTooLarge(
            f"The request body is larger than {limit} bytes; send at most "
            f"{settings.API_MAX_BULK_ITEMS} items per request."
        )
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise too_large
        if stream is None:
            raise ParseError("The body is empty.")
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large
        return json_loads(raw)
