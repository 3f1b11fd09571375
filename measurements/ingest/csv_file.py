"""CSV import of survey responses in the browser: parse, preview with per-row errors, confirm.

Rows are checked by `measurements.ingest.validate_items`, the function the API uses, so a row
is refused in the browser exactly when the same item would be refused by the API. Two things
only a spreadsheet needs happen before that check, here: the delimiter is found from the
header (European Excel writes semicolons), and a time without an offset is taken in the
organisation's time zone and given its offset (a spreadsheet cell has no zone; the API still
requires one). An empty cell is an absent field: an empty `external_id` means "no id".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

from audiences.models import Audience
from journeys.models import Touchpoint
from measurements.ingest import RESPONSES, stored_external_ids, validate_items
from measurements.ingest.fields import ItemError
from measurements.models import MetricDefinition
from measurements.scales import scale_of

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("external_id", "metric", "score", "responded_at", "touchpoint", "respondent", "comment")
REQUIRED = ("metric", "score", "responded_at")
INTEGER = re.compile(r"^[+-]?\d+$")
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers it
DELIMITERS = (",", ";", "\t")
# A spreadsheet's date and time without an offset: "2025-03-01 09:30", "2025-03-01T09:30:00".
LOCAL_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
)


class CsvImportError(Exception):
    """The file as a whole cannot be read; the message says what to change."""


@dataclass
class PreviewRow:
    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[PreviewRow]
    items: list[dict[str, Any]]
    timezone: str = "UTC"
    local_times: int = 0  # rows whose time had no offset and was read in `timezone`
    already_stored: int = 0  # valid rows whose external_id is stored (or repeats in the file)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def new_count(self) -> int:
        return len(self.rows) - self.already_stored


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvImportError(
            gettext("The file is larger than %(size)s MB; split it.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            gettext(
                "The file is not UTF-8 text (byte %(byte)s cannot be read). Save it as “CSV "
                "UTF-8” and upload it again."
            )
            % {"byte": exc.start + 1}
        ) from exc


def _delimiter(text: str) -> str:
    """The delimiter that splits the header row into the most known column names."""
    first_line = text.split("\n", 1)[0]

    def known(delimiter: str) -> int:
        names = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(1 for name in names if name.strip() in COLUMNS)

    return max(DELIMITERS, key=known)  # ties (none known): the first, a comma


def _with_offset(value: str, zone: ZoneInfo) -> str | None:
    """An offset-less spreadsheet time as RFC 3339 in the zone, or None if it is not one."""
    if not LOCAL_TIME.fullmatch(value):
        return None
    try:
        naive = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        return None  # e.g. 30 February: the API's check says so
    return naive.replace(tzinfo=zone).isoformat()


def _item(audience: Audience, raw: dict[str, str], zone: ZoneInfo) -> tuple[dict[str, Any], bool]:
    """A CSV row as the API item it stands for: empty cells are absent, scores are numbers, an
    offset-less time is in the organisation's zone. Also whether the time was read so."""
    item: dict[str, Any] = {"audience": audience.slug}
    local = False
    for name in COLUMNS:
        value = (raw.get(name) or "").strip()
        if value == "":
            continue
        if name == "score" and INTEGER.match(value):
            item[name] = int(value)
        elif name == "responded_at" and (localised := _with_offset(value, zone)) is not None:
            item[name], local = localised, True
        else:
            item[name] = value
    return item, local


def csv_preview(*, audience: Audience, data: bytes) -> Preview:
    """Read a CSV of responses for one audience and check every row; nothing is stored."""
    text = _decode(data)
    if "\x00" in text:
        raise CsvImportError(gettext("The file contains NUL bytes; it is not a plain CSV file."))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        names = {
            "missing": ", ".join(missing),
            "unknown": ", ".join(unknown),
            "columns": ", ".join(COLUMNS),
        }
        if missing and unknown:
            message = gettext(
                "The header row has missing column(s): %(missing)s; unknown column(s): "
                "%(unknown)s. Use: %(columns)s."
            )
        elif missing:
            message = gettext(
                "The header row has missing column(s): %(missing)s. Use: %(columns)s."
            )
        else:
            message = gettext(
                "The header row has unknown column(s): %(unknown)s. Use: %(columns)s."
            )
        raise CsvImportError(message % names)
    reader.fieldnames = header
    try:
        raws = list(reader)
    except csv.Error as exc:
        raise CsvImportError(
            gettext("The file is not valid CSV: %(reason)s.") % {"reason": exc}
        ) from exc
    limit = settings.API_MAX_BULK_ITEMS
    if len(raws) > limit:
        raise CsvImportError(
            gettext("At most %(limit)s rows per file; this one has %(count)s.")
            % {"limit": limit, "count": len(raws)}
        )
    if not raws:
        raise CsvImportError(gettext("The file has a header but no rows."))
    organisation = audience.organisation
    zone = ZoneInfo(organisation.timezone or "UTC")
    read = [_item(audience, raw, zone) for raw in raws]
    items = [item for item, _ in read]
    validation = validate_items(
        kind=RESPONSES,
        organisation=organisation,
        items=items,
        first_index=FIRST_DATA_ROW,
    )
    rows = [
        PreviewRow(number=FIRST_DATA_ROW + i, values={c: (raw.get(c) or "") for c in COLUMNS})
        for i, raw in enumerate(raws)
    ]
    for error in validation.errors:
        row = rows[error.index - FIRST_DATA_ROW]
        row.errors.append(f"{error.field}: {_csv_message(error, row.values, zone)}")
    return Preview(
        rows=rows,
        items=items,
        timezone=str(zone),
        local_times=sum(1 for _, local in read if local),
        already_stored=_already_stored(organisation, items),
    )


ISO_DAY_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}")


def _csv_message(error: ItemError, values: dict[str, str], zone: ZoneInfo) -> str:
    """The API's message, except for a time in a shape neither reads: the API's hint asks for
    an offset, which a spreadsheet cell need not have here (a Turkish Excel's 10.11.2026 09:30
    was told to add one), so name the form this import takes without it."""
    value = values.get("responded_at", "").strip()
    # A time that starts as ISO does (2025-03-01T09:30:00+0100) keeps the API's RFC 3339 hint.
    if error.field == "responded_at" and value and not ISO_DAY_FIRST.match(value):
        return gettext(
            "'%(value)s' is not a date and time this import reads: write it as "
            "2026-11-10 09:30 (read in the organisation's time zone, %(zone)s), or with an "
            "offset, e.g. 2026-11-10T09:30:00+03:00."
        ) % {"value": value[:40], "zone": str(zone)}
    return error.message


def _already_stored(organisation: Any, items: list[dict[str, Any]]) -> int:
    """Rows the import would skip as duplicates: their external_id is stored, or an earlier
    row of the file has it (the writer's rule, `ingest.stored_external_ids`)."""
    ids = [item.get("external_id") for item in items]
    stored = stored_external_ids(RESPONSES, organisation, {i for i in ids if i})
    seen: set[str] = set()
    skipped = 0
    for external_id in ids:
        if not external_id:
            continue
        if external_id in stored or external_id in seen:
            skipped += 1
        seen.add(external_id)
    return skipped


# --- what the upload page offers ------------------------------------------------------------


def scored_metrics(audience: Audience) -> list[MetricDefinition]:
    """The audience's active metrics that take scores, i.e. what a row's `metric` may name."""
    definitions = MetricDefinition.objects.for_org(audience.organisation).filter(
        audience=audience, active=True
    )
    return [
        d
        for d in definitions.order_by("slug")
        if scale_of(kind=d.kind, scale_min=d.scale_min, scale_max=d.scale_max) is not None
    ]


def touchpoint_slugs(audience: Audience) -> list[str]:
    touchpoints = Touchpoint.objects.for_org(audience.organisation).filter(audience=audience)
    return list(touchpoints.order_by("slug").values_list("slug", flat=True))


EXAMPLE_DAY = date(2025, 3, 1)


def template_csv(audience: Audience) -> str:
    """A CSV to fill in: the header row and one example row that the preview accepts."""
    metrics = scored_metrics(audience)
    metric = metrics[0] if metrics else None
    scale = (
        scale_of(kind=metric.kind, scale_min=metric.scale_min, scale_max=metric.scale_max)
        if metric
        else (0, 10)
    )
    zone = ZoneInfo(audience.organisation.timezone or "UTC")
    touchpoints = touchpoint_slugs(audience)
    example = {
        "external_id": "example-1",
        "metric": metric.slug if metric else "nps",
        "score": str(scale[1]),
        "responded_at": datetime.combine(EXAMPLE_DAY, time(9, 30), zone).isoformat(),
        "touchpoint": touchpoints[0] if touchpoints else "",
        "respondent": "p-1",
        "comment": gettext("An example row: replace it with your responses."),
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([example[name] for name in COLUMNS])
    return out.getvalue()
