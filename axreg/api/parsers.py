"""A JSON parser for large bulk bodies: orjson, a size limit that answers 413, and NaN kept.

Bodies are UTF-8 JSON as sent (RFC 8259): a compressed body (`Content-Encoding: gzip`) or
another charset answers 415 naming `body`, instead of a JSON decode error about bytes the
client never wrote, or latin-1 text read as UTF-8.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import BaseParser
from rest_framework.utils.mediatypes import _MediaType

from axreg.api.errors import BODY, PayloadTooLarge, error_item

UTF_8 = {"utf-8", "utf8"}
IDENTITY = {"", "identity"}


class BodyNotSupported(UnsupportedMediaType):
    """415 with `detail` (the API's shape for non-validation errors) and `errors` naming the
    body, like every other refusal of a body."""

    def __init__(self, message: str) -> None:
        super().__init__(media_type="")
        self.detail = {"detail": message, "errors": [error_item(BODY, "unsupported_body", message)]}


def check_body_encoding(media_type: str | None, content_encoding: str) -> None:
    """Refuse what this parser would misread: a compressed body, a charset other than UTF-8."""
    encoding = content_encoding.strip().lower()
    if encoding not in IDENTITY:
        raise BodyNotSupported(
            gettext("Content-Encoding '%(encoding)s' is not supported: send the JSON uncompressed.")
            % {"encoding": encoding[:40]}
        )
    charset = _MediaType(media_type or "").params.get("charset", "utf-8").strip().strip('"').lower()
    if charset not in UTF_8:
        raise BodyNotSupported(
            gettext(
                "charset=%(charset)s is not supported: send JSON as UTF-8 "
                "(Content-Type: application/json; charset=utf-8, or no charset)."
            )
            % {"charset": charset[:40]}
        )


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
        # Decoded first: json.loads(bytes) would also guess UTF-16 and UTF-32.
        return json.loads(raw.decode("utf-8"), parse_constant=_non_finite)
    except json.JSONDecodeError as exc:
        # Where, not the decoder's English reason: the message follows Accept-Language.
        raise ParseError(
            gettext("The body is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": exc.lineno, "column": exc.colno}
        ) from exc
    except UnicodeDecodeError as exc:
        raise ParseError(gettext("The body is not valid JSON: it is not UTF-8.")) from exc
    except RecursionError as exc:
        raise ParseError(gettext("The body is not valid JSON: it is nested too deeply.")) from exc
    except ValueError as exc:  # an integer of thousands of digits, and the like
        raise ParseError(gettext("The body is not valid JSON.")) from exc


class BulkJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_large = PayloadTooLarge(
            gettext(
                "The request body is larger than %(limit)s bytes; send at most %(items)s items "
                "per request."
            )
            % {"limit": limit, "items": settings.API_MAX_BULK_ITEMS}
        )
        request = (parser_context or {}).get("request")
        meta = request.META if request is not None else {}
        check_body_encoding(media_type, meta.get("HTTP_CONTENT_ENCODING", ""))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise too_large
        if stream is None:
            raise ParseError(gettext("The body is empty."))
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large
        return json_loads(raw)
