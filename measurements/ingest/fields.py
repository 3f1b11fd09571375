"""Per-field checks for pushed items: no queries, one message per bad field.

Each kind's fields are declared once in SPECS: name, check, whether required, limits, help
text and (for GET lists) the model attribute it reads. The API and the CSV import both run
these checks, so a field is refused with the same words in both (translated when refused, in
the language of the request) and the same machine `code`; the API's item serializers
(`measurements.api.serializers`) are built from SPECS, so the schema documents the same fields.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from journeys.models import Channel

RESPONSES, CASES, REVENUE, MEMBERS = "responses", "cases", "revenue-events", "members"
KINDS = (RESPONSES, CASES, REVENUE, MEMBERS)

# Matched with fullmatch: "$" would also accept a trailing newline ("EUR\n").
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_MAX_LENGTH = 80
CURRENCY_RE = re.compile(r"[A-Z]{3}")
CURRENCY_PATTERN = rf"^{CURRENCY_RE.pattern}$"  # the schema's; fullmatch of CURRENCY_RE agrees
# An id must hold something visible: "" or "  " stored as an id would make every later item
# with the same blank a duplicate (or overwrite one case). The schema says the same pattern.
ID_PATTERN = r"\S"
ID_RE = re.compile(ID_PATTERN)
# Times are RFC 3339 date-times (OpenAPI's `format: date-time`): extended format, seconds,
# an offset of hours and minutes. Python's fromisoformat alone also takes basic
# (20250301T0930Z) and week (2025-W09-6) formats, a space for the T and offsets with seconds;
# the schema carries the same pattern, so the two agree.
_DATE_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
TIME_PATTERN = rf"^{_DATE_TIME}(Z|[+-][0-9]{{2}}:[0-9]{{2}})$"
TIME_RE = re.compile(TIME_PATTERN)
NO_OFFSET_RE = re.compile(_DATE_TIME)
# Amounts sent as strings: plain decimals, ASCII digits only (Python's \d and Decimal also
# take "١٢٣", "1_000", "1e2" and " 19.99"), at most 12 digits before the point as the limit
# of 10^12 implies. JSON numbers are taken as numbers.
AMOUNT_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
AMOUNT_RE = re.compile(AMOUNT_PATTERN)
PLAIN_DECIMAL_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # for a message saying what is wrong
# A lone UTF-16 surrogate ("\ud800" in JSON) cannot be stored as UTF-8; DRF's CharField
# refuses it with this message, so the bulk endpoints do too.
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# A result from before 1900 is a typo in the year; earlier times also overflow when moved
# to a local day west of UTC (year 1).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_FUTURE = timedelta(days=1)
AMOUNT_LIMIT = Decimal(10) ** 12  # DecimalField(max_digits=14, decimal_places=2)
FORBIDDEN_FIELDS = {"organisation", "id", "pk", "organisation_id", "api_key", "batch_id"}
TEXT_LIMIT = 10_000  # comments

_REQUIRED = object()

SLUG_HELP = "Slug of the audience's object; slugs are scoped to your organisation."
TIME_HELP = (
    "RFC 3339 date-time with seconds and an offset (e.g. 2025-03-01T09:30:00+01:00 or "
    "2025-03-01T08:30:00Z); from 1900 to not over a day ahead."
)
EXTERNAL_ID_HELP = (
    "Your id for the item: a repeat is a duplicate (cases: an update). Not empty or "
    "blank: leave it out when the item has no id."
)
MEMBER_HELP = "Your id for the member (e.g. a customer number); not empty or blank."
# Help texts every field of a check shares unless its spec says otherwise.
CHECK_HELP = {"slug": SLUG_HELP, "time": TIME_HELP}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    check: str  # "str", "id", "slug", "time", "score", "amount", "currency", "channel"
    required: bool = True
    nullable: bool = False
    max_length: int = 200
    help_text: str | None = None  # None: the check's (CHECK_HELP), if it has one
    source: str | None = None  # the model attribute a GET list renders; None: `name`
    # Store without surrounding whitespace (str.strip: also no-break spaces and tabs), so " "
    # is stored as "": a blank comment or respondent is none (measurements.privacy).
    strip: bool = False

    @property
    def help(self) -> str | None:
        return self.help_text if self.help_text is not None else CHECK_HELP.get(self.check)


SPECS: dict[str, tuple[FieldSpec, ...]] = {
    RESPONSES: (
        FieldSpec("external_id", "id", required=False, nullable=True, help_text=EXTERNAL_ID_HELP),
        FieldSpec("audience", "slug", source="audience.slug"),
        FieldSpec("metric", "slug", source="definition.slug"),
        FieldSpec("score", "score", help_text="Integer on the metric's scale (NPS 0–10)."),
        FieldSpec("responded_at", "time"),
        FieldSpec("touchpoint", "slug", required=False, nullable=True, source="touchpoint.slug"),
        FieldSpec(
            "respondent",
            "str",
            required=False,
            nullable=True,
            strip=True,
            help_text="Pseudonymous id; stored without surrounding spaces (blank: none).",
        ),
        FieldSpec(
            "comment",
            "str",
            required=False,
            nullable=True,
            max_length=TEXT_LIMIT,
            strip=True,
            help_text="Stored without surrounding spaces. One without a letter or digit "
            '(" ", ".", "-") counts as no comment for small-group privacy and follow-ups.',
        ),
    ),
    CASES: (
        FieldSpec("external_id", "id", help_text=EXTERNAL_ID_HELP),
        FieldSpec("audience", "slug", source="audience.slug"),
        FieldSpec("opened_at", "time"),
        FieldSpec("resolved_at", "time", required=False, nullable=True),
        FieldSpec("touchpoint", "slug", required=False, nullable=True, source="touchpoint.slug"),
        FieldSpec("channel", "channel", required=False, nullable=True),
    ),
    REVENUE: (
        FieldSpec("external_id", "id", required=False, nullable=True, help_text=EXTERNAL_ID_HELP),
        FieldSpec("audience", "slug", source="audience.slug"),
        FieldSpec("member", "id", help_text=MEMBER_HELP),
        FieldSpec("amount", "amount"),
        FieldSpec("currency", "currency", help_text="ISO 4217, e.g. EUR."),
        FieldSpec("occurred_at", "time"),
    ),
    MEMBERS: (
        FieldSpec("audience", "slug", source="audience.slug"),
        FieldSpec("member", "id", help_text=MEMBER_HELP),
        FieldSpec("joined_at", "time"),
        FieldSpec("left_at", "time", required=False, nullable=True),
    ),
}


@dataclass(frozen=True)
class ItemError:
    """One refused field of one item: `index`, `field` and `code` are for machines and never
    change with the language; `message` is for people, already in the request's language."""

    index: int | None
    field: str
    message: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        if self.index is not None:
            return {"index": self.index, **out}
        return out


class _Invalid(Exception):
    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def parse_time(value: Any, *, now: datetime) -> datetime:
    """An RFC 3339 date-time (TIME_PATTERN), not more than a day ahead, normalised to UTC."""
    if not isinstance(value, str):
        raise _Invalid(gettext("Must be an RFC 3339 date-time string with an offset."))
    if not TIME_RE.fullmatch(value):
        if NO_OFFSET_RE.fullmatch(value):
            raise _Invalid(
                gettext("The time has no offset: add one, e.g. 'Z' or '+01:00'."), "no_offset"
            )
        raise _Invalid(
            gettext(
                "'%(value)s' is not an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS with an offset "
                "(e.g. 2025-03-01T09:30:00+01:00 or 2025-03-01T08:30:00Z)."
            )
            % {"value": value[:40]}
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:  # the shape is right but e.g. 31 February or 25 o'clock
        raise _Invalid(
            gettext("'%(value)s' is not a real date and time.") % {"value": value[:40]},
            "invalid_date",
        ) from exc
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError as exc:
        raise _Invalid(gettext("The time is out of range."), "out_of_range") from exc
    if parsed > now + MAX_FUTURE:
        raise _Invalid(gettext("The time is more than a day in the future."), "in_future")
    if parsed < EARLIEST:
        raise _Invalid(gettext("The time is before 1900: check the year."), "before_1900")
    return parsed


def _check_str(value: Any, spec: FieldSpec) -> str:
    if not isinstance(value, str):
        raise _Invalid(gettext("Must be a string."))
    if "\x00" in value:
        raise _Invalid(gettext("Must not contain NUL bytes."), "null_characters_not_allowed")
    if surrogate := SURROGATE_RE.search(value):
        raise _Invalid(
            gettext("Surrogate characters are not allowed: %(character)s.")
            % {"character": f"U+{ord(surrogate[0]):X}"},
            "surrogate_characters_not_allowed",
        )
    if len(value) > spec.max_length:
        raise _Invalid(
            gettext("At most %(limit)s characters.") % {"limit": spec.max_length}, "max_length"
        )
    return value.strip() if spec.strip else value


def _check_id(value: Any, spec: FieldSpec) -> str:
    value = _check_str(value, spec)
    if not ID_RE.search(value):
        if spec.required:
            raise _Invalid(gettext("Must not be empty."), "blank")
        raise _Invalid(
            gettext("Must not be empty: leave the field out when the item has no id."), "blank"
        )
    return value


def _check_slug(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(gettext("Must be a slug (a string)."))
    if not SLUG_RE.fullmatch(value) or len(value) > SLUG_MAX_LENGTH:
        raise _Invalid(gettext("Must be a slug: letters, digits, hyphens and underscores."))
    return value


def _check_score(value: Any) -> int:
    # Scores are whole points on a scale; daily histograms count them per point, so 8.5 or
    # 9.0 are refused for every scored kind rather than rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and not math.isfinite(value):
            raise _Invalid(
                gettext("Must be a finite integer (NaN and Infinity are not scores)."),
                "not_finite",
            )
        raise _Invalid(gettext("Must be an integer."))
    return value


def _check_amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Invalid(gettext('Must be a decimal number (e.g. 19.99 or "19.99").'))
    if isinstance(value, float) and not math.isfinite(value):
        raise _Invalid(
            gettext("Must be a finite number (NaN and Infinity are refused)."), "not_finite"
        )
    if isinstance(value, str) and not AMOUNT_RE.fullmatch(value):
        if PLAIN_DECIMAL_RE.fullmatch(value):
            if len(value.partition(".")[2]) > 2:
                raise _Invalid(gettext("At most 2 decimal places."), "max_decimal_places")
            raise _Invalid(
                gettext("At most 12 digits before the decimal point."), "max_whole_digits"
            )
        raise _Invalid(
            gettext(
                'Must be a decimal number: a JSON number or a string like "19.99" or "-5" '
                "(digits 0-9 and a point; no spaces, exponents or underscores)."
            )
        )
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation as exc:
        raise _Invalid(gettext("Must be a decimal number (e.g. 19.99).")) from exc
    if not amount.is_finite():
        raise _Invalid(
            gettext("Must be a finite number (NaN and Infinity are refused)."), "not_finite"
        )
    if abs(amount) >= AMOUNT_LIMIT:
        raise _Invalid(
            gettext("Must be less than 1,000,000,000,000 in absolute value."), "max_value"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise _Invalid(gettext("At most 2 decimal places."), "max_decimal_places")
    return amount.quantize(Decimal("0.01"))


def _check_currency(value: Any) -> str:
    if not isinstance(value, str) or not CURRENCY_RE.fullmatch(value):
        raise _Invalid(gettext("Must be a 3-letter ISO 4217 code in capitals, e.g. EUR."))
    return value


def _check_channel(value: Any) -> str:
    if value == "":
        return value
    if not isinstance(value, str) or value not in Channel.values:
        raise _Invalid(
            gettext("Must be one of: %(values)s.") % {"values": ", ".join(Channel.values)},
            "invalid_choice",
        )
    return value


_CHECKS: dict[str, Callable[[Any, FieldSpec, datetime], Any]] = {
    "str": lambda value, spec, now: _check_str(value, spec),
    "id": lambda value, spec, now: _check_id(value, spec),
    "slug": lambda value, spec, now: _check_slug(value),
    "time": lambda value, spec, now: parse_time(value, now=now),
    "score": lambda value, spec, now: _check_score(value),
    "amount": lambda value, spec, now: _check_amount(value),
    "currency": lambda value, spec, now: _check_currency(value),
    "channel": lambda value, spec, now: _check_channel(value),
}


def clean_item(
    item: Any, index: int | None, specs: tuple[FieldSpec, ...], now: datetime
) -> tuple[dict[str, Any] | None, list[ItemError]]:
    """Check one item's fields: its clean values, or None and an error per bad field."""
    if not isinstance(item, dict):
        message = gettext("Each item must be a JSON object.")
        return None, [ItemError(index, "body", message, "not_an_object")]
    errors: list[ItemError] = []
    known = {spec.name for spec in specs}
    for name in item:
        if name in known:
            continue
        if name in FORBIDDEN_FIELDS:
            message = gettext("This field is set by the server; remove it.")
            errors.append(ItemError(index, name, message, "server_field"))
        else:
            errors.append(
                ItemError(index, name, gettext("Unknown field; remove it."), "unknown_field")
            )
    clean: dict[str, Any] = {}
    for spec in specs:
        value = item.get(spec.name, _REQUIRED)
        if value is _REQUIRED or value is None:
            if spec.required and not spec.nullable:
                if value is _REQUIRED:
                    error = ItemError(
                        index, spec.name, gettext("This field is required."), "required"
                    )
                else:
                    error = ItemError(index, spec.name, gettext("Must not be null."), "null")
                errors.append(error)
            clean[spec.name] = None
            continue
        try:
            clean[spec.name] = _CHECKS[spec.check](value, spec, now)
        except _Invalid as exc:
            errors.append(ItemError(index, spec.name, str(exc), exc.code))
    return (None if errors else clean), errors
