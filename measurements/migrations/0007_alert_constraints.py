"""The alert rows merged by 0006 all have a last month, and at most one is open per definition:
their own migration, since PostgreSQL will not alter a table with the data migration's
deferred foreign-key checks still pending in the same transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measurements", "0006_alerts_once_per_crossing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="last_period_start",
            field=models.DateField(),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=("definition", "granularity"),
                name="alert_one_open_per_definition",
            ),
        ),
    ]
