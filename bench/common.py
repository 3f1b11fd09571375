"""What the benchmarks share: each one runs against a PostgreSQL database of its own."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg2


def recreate_database(url: str) -> None:
    """Drop (disconnecting any session) and create the database named in `url`."""
    name = urlparse(url).path.lstrip("/")
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
