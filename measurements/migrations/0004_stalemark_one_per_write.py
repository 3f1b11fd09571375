from django.db import migrations


class Migration(migrations.Migration):
    """Stale marks are no longer unique per (definition, day): each write adds its own, so a
    write committing during a recompute of that day never loses its mark (see StaleMark)."""

    dependencies = [
        ("measurements", "0003_all_orgs_default_manager"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="stalemark",
            name="stalemark_unique_def_day",
        ),
    ]
