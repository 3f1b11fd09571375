"""Stored NPS rollups lose the old `margin_of_error` detail, which the metrics API passed on.

It said "± 0" at n = 1; every value now carries its 95% interval instead. New rollups no
longer write it; this removes it from the rows written before, without waiting for the
nightly full rollup to rewrite them.
"""

from django.db import migrations


def strip_margin_of_error(apps, schema_editor):
    Rollup = apps.get_model("measurements", "Rollup")
    table = Rollup._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET details = details - 'margin_of_error'"
                " WHERE details ? 'margin_of_error'"
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET details = json_remove(details, '$.margin_of_error')"
                " WHERE json_extract(details, '$.margin_of_error') IS NOT NULL"
                " OR json_type(details, '$.margin_of_error') = 'null'"
            )


class Migration(migrations.Migration):
    dependencies = [("measurements", "0007_alert_constraints")]

    operations = [migrations.RunPython(strip_margin_of_error, migrations.RunPython.noop)]
