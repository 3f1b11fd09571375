"""The table of the database cache (settings.CACHE_TABLE), where rate-limit counters live when
no Redis is configured. A migration, not a `createcachetable` step someone can forget: every
way the app is started (./ax up, CI, docker compose, the tests) already runs `migrate`."""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create(apps, schema_editor):
    # Created whichever cache is configured, so a switch from Redis to the database needs
    # no step of its own. Idempotent: an existing table is left alone.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(settings.CACHE_TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
