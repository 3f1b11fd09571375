"""What PostgreSQL says about the test database's lock waits, for deterministic race tests."""

from django.db import connection


def sessions_waiting_on_a_lock() -> int:
    """How many sessions of this database wait on a lock right now."""
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views are a snapshot taken at first read.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]
