"""The lean bulk path: validate up to 10,000 pushed items with plain checks, then write them in
a few statements.

Why not DRF serializers: a `ModelSerializer(many=True)` validates ~2k items/s (one SELECT per
item for its unique-together validator). Here each item is checked field by field with no
queries (`fields`); slugs are resolved with one query per kind for the whole batch
(`validate`); rows are written with `INSERT … ON CONFLICT`, on PostgreSQL from a `COPY`ed
temporary table (`write`), so idempotency is enforced by the database's unique constraints,
also when twenty clients send the same batch at once. `service.ingest` ties them together in
one transaction with the stale marks and the audit entry. The API and the CSV import both use
these checks, so the messages are the same everywhere.
"""

from measurements.ingest.fields import (
    CASES,
    KINDS,
    MEMBERS,
    RESPONSES,
    REVENUE,
    SPECS,
    FieldSpec,
    ItemError,
    parse_time,
)
from measurements.ingest.service import IngestForbidden, IngestRejected, ingest
from measurements.ingest.validate import Validation, validate_items
from measurements.ingest.write import IngestResult, stored_external_ids

__all__ = [
    "CASES",
    "KINDS",
    "MEMBERS",
    "RESPONSES",
    "REVENUE",
    "SPECS",
    "FieldSpec",
    "IngestForbidden",
    "IngestRejected",
    "IngestResult",
    "ItemError",
    "Validation",
    "ingest",
    "parse_time",
    "stored_external_ids",
    "validate_items",
]
