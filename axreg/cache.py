"""Django's database cache with an increment that holds when several processes count at once.

The API rate limit counts with cache.add() + cache.incr(). Redis increments atomically; the
database cache's incr() is a read and a write, so two web processes can both read 7 and both
write 8. Here the row is locked first (SELECT … FOR UPDATE) where the database can, so the
second increment waits for the first and reads its result.
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        with transaction.atomic(using=alias):
            if connection.features.has_select_for_update:
                quote = connection.ops.quote_name
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT 1 FROM {quote(self._table)} WHERE {quote('cache_key')} = %s "
                        "FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)
