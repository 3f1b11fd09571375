"""One alert per crossing (issue 11), and the definition's minimum n for an alert.

Alerts were one per month: the rows of consecutive months of a definition become one crossing
(the first row kept: it opened in the first month, and its e-mail state is the crossing's),
continued to the last month (`last_period_start`, `value`), resolved if that month's row was.
Of several crossings still open per definition only the latest stays open (a month between
them was back on the right side), so the one-open constraint can hold. The next recompute of
each definition derives its crossings again from the stored rollups anyway.
"""

from django.db import migrations, models
from django.utils import timezone


def _next_month(start):
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def merge_monthly_alerts(apps, schema_editor):
    Alert = apps.get_model("measurements", "Alert")
    rows = Alert._base_manager.order_by("definition_id", "granularity", "period_start")
    crossings = []  # lists of rows of one crossing
    for row in rows:
        current = crossings[-1] if crossings else None
        if (
            current is not None
            and (current[-1].definition_id, current[-1].granularity)
            == (row.definition_id, row.granularity)
            and row.granularity == "month"
            and _next_month(current[-1].period_start) == row.period_start
        ):
            current.append(row)
        else:
            crossings.append([row])
    now = timezone.now()
    latest_open = {}
    for rows_of in crossings:
        first, last = rows_of[0], rows_of[-1]
        first.last_period_start = last.period_start
        first.value = last.value
        first.resolved_at = last.resolved_at
        emailed = [r.emailed_at for r in rows_of if r.emailed_at is not None]
        if emailed and first.emailed_at is None:
            first.emailed_at = min(emailed)
            first.notified_to_id = next(r.notified_to_id for r in rows_of if r.emailed_at)
        first.save()
        Alert._base_manager.filter(pk__in=[r.pk for r in rows_of[1:]]).delete()
        if first.resolved_at is None:
            key = (first.definition_id, first.granularity)
            earlier = latest_open.get(key)
            if earlier is not None:
                Alert._base_manager.filter(pk=earlier.pk).update(resolved_at=now)
            latest_open[key] = first


class Migration(migrations.Migration):
    dependencies = [
        ("measurements", "0005_definition_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="metricdefinition",
            name="alert_min_n",
            field=models.PositiveSmallIntegerField(
                default=30,
                db_default=30,
                help_text="A month alerts only with at least this many responses, cases or "
                "members behind it. 30 by default: under 30 a value is indicative only, and "
                "one dip in a small sample would raise an alert that means nothing.",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="last_period_start",
            field=models.DateField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE measurements_alert SET last_period_start = period_start",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunPython(merge_monthly_alerts, migrations.RunPython.noop),
    ]
