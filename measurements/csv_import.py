"""CSV import of survey responses in the browser: parse, preview with per-row errors, confirm.

Rows are checked by `measurements.ingest.validate_items`, the function the API uses, so a row
is refused in the browser exactly when the same item would be refused by the API.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from audiences.models import Audience
from measurements.ingest import RESPONSES, validate_items

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("external_id", "metric", "score", "responded_at", "touchpoint", "respondent", "comment")
REQUIRED = ("metric", "score", "responded_at")
INTEGER = re.compile(r"^[+-]?\d+$")
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers it


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

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvImportError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            "The file is not UTF-8 text (byte "
            f"{exc.start + 1} cannot be read). Save it as “CSV UTF-8” and upload it again."
        ) from exc


def _item(audience: Audience, raw: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the API item it stands for: empty cells are absent, scores are numbers."""
    item: dict[str, Any] = {"audience": audience.slug}
    for name in COLUMNS:
        value = (raw.get(name) or "").strip()
        if value == "":
            continue
        item[name] = int(value) if name == "score" and INTEGER.match(value) else value
    return item


def csv_preview(*, audience: Audience, data: bytes) -> Preview:
    """Read a CSV of responses for one audience and check every row; nothing is stored."""
    text = _decode(data)
    if "\x00" in text:
        raise CsvImportError("The file contains NUL bytes; it is not a plain CSV file.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        raise CsvImportError(f"The header row has {'; '.join(parts)}. Use: {', '.join(COLUMNS)}.")
    reader.fieldnames = header
    try:
        raws = list(reader)
    except csv.Error as exc:
        raise CsvImportError(f"The file is not valid CSV: {exc}.") from exc
    limit = settings.API_MAX_BULK_ITEMS
    if len(raws) > limit:
        raise CsvImportError(f"At most {limit} rows per file; this one has {len(raws)}.")
    if not raws:
        raise CsvImportError("The file has a header but no rows.")
    items = [_item(audience, raw) for raw in raws]
    validation = validate_items(
        kind=RESPONSES,
        organisation=audience.organisation,
        items=items,
        first_index=FIRST_DATA_ROW,
    )
    rows = [
        PreviewRow(number=FIRST_DATA_ROW + i, values={c: (raw.get(c) or "") for c in COLUMNS})
        for i, raw in enumerate(raws)
    ]
    for error in validation.errors:
        rows[error.index - FIRST_DATA_ROW].errors.append(f"{error.field}: {error.message}")
    return Preview(rows=rows, items=items)
