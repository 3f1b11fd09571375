from django.db import migrations, models

DEFAULT_CURRENCY = "EUR"  # what the demo and most organisations so far use


def _most_common(events):
    counts = events.values("currency").annotate(c=models.Count("*")).order_by("-c", "currency")
    return counts.values_list("currency", flat=True).first()


def clv_currency_fill(apps, schema_editor):
    """Existing CLV definitions get the currency their numbers were summed in: the most common
    of their audience's revenue events, else of their organisation's, else EUR (ties: the
    first code alphabetically, so the migration gives one answer).

    A frozen copy of the service's default, not an import of it: a migration must do the same
    however the code changes later.
    """
    MetricDefinition = apps.get_model("measurements", "MetricDefinition")
    RevenueEvent = apps.get_model("measurements", "RevenueEvent")
    events = RevenueEvent._default_manager
    for definition in MetricDefinition._default_manager.filter(kind="clv", currency=""):
        definition.currency = (
            _most_common(events.filter(audience_id=definition.audience_id))
            or _most_common(events.filter(organisation_id=definition.organisation_id))
            or DEFAULT_CURRENCY
        )
        definition.save(update_fields=["currency"])


class Migration(migrations.Migration):
    """A CLV is money in one currency: the definition says which (issue 11)."""

    dependencies = [
        ("measurements", "0004_stalemark_one_per_write"),
    ]

    operations = [
        migrations.AddField(
            model_name="metricdefinition",
            name="currency",
            field=models.CharField(
                blank=True,
                default="",
                db_default="",
                help_text="CLV only: ISO 4217, e.g. EUR.",
                max_length=3,
            ),
        ),
        migrations.RunPython(clv_currency_fill, migrations.RunPython.noop),
    ]
