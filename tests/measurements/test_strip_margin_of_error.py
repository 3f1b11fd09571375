"""Migration 0008: rollups stored before it lose `margin_of_error`; nothing else changes."""

from datetime import date
from importlib import import_module

from django.apps import apps
from django.db import connection

from measurements.models import MetricKind, Rollup
from tests.factories import MetricDefinitionFactory

migration = import_module("measurements.migrations.0008_rollup_details_without_margin_of_error")


class _SchemaEditor:
    connection = connection


def test_it_removes_only_the_margin_of_error(owned_audience):
    nps = MetricDefinitionFactory(audience=owned_audience, kind=MetricKind.NPS, slug="nps")
    kept = {"promoters": 1, "passives": 0, "detractors": 0}
    for day, margin in ((1, 0.0), (2, None)):
        Rollup.objects.create(
            organisation=owned_audience.organisation,
            audience=owned_audience,
            definition=nps,
            granularity="day",
            period_start=date(2025, 1, day),
            value=100.0,
            n=1,
            details={**kept, "margin_of_error": margin},
        )

    migration.strip_margin_of_error(apps, _SchemaEditor())

    stored = Rollup.objects.for_org(owned_audience.organisation).order_by("period_start")
    assert [row.details for row in stored] == [kept, kept]
