"""The liability's "data in the last 90 days" for survey responses, at the edges of the window.

The check bounds `local_date` as well as `responded_at` (so an index answers it at once):
these cases pin that the bound never drops a response inside the window, whatever the
organisation's zone, and never admits one outside it.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from audiences.models import Audience
from measurements.liability import audiences_with_liability_flags
from measurements.models import Response
from tests.factories import MetricDefinitionFactory

# 02:00 UTC: 90 days earlier is also 02:00 UTC, when it is still the day before in UTC-11.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=90)  # 2026-08-22 02:00 UTC


def _flowing(org, zone_name: str, at: datetime) -> bool:
    org.timezone = zone_name
    org.save()
    definition = MetricDefinitionFactory(organisation=org, audience__organisation=org)
    Response.objects.create(
        organisation=org,
        audience=definition.audience,
        definition=definition,
        score=9,
        responded_at=at,
        local_date=at.astimezone(ZoneInfo(zone_name)).date(),  # as ingestion fixes it
    )
    audiences = Audience.objects.for_org(org).filter(pk=definition.audience_id)
    return audiences_with_liability_flags(audiences).get().data_flowing


def test_a_response_an_hour_inside_the_window_counts_where_its_day_is_the_day_before(
    org, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    at = SINCE + timedelta(hours=1)  # 2026-08-22 03:00 UTC = 2026-08-21 16:00 in Pago Pago
    assert at.astimezone(ZoneInfo("Pacific/Pago_Pago")).date().isoformat() == "2026-08-21"
    assert _flowing(org, "Pacific/Pago_Pago", at)


def test_a_response_an_hour_outside_the_window_does_not_count_where_its_day_is_later(
    org, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    at = SINCE - timedelta(hours=1)  # 2026-08-22 01:00 UTC = 2026-08-22 15:00 in Kiritimati
    assert at.astimezone(ZoneInfo("Pacific/Kiritimati")).date().isoformat() == "2026-08-22"
    assert not _flowing(org, "Pacific/Kiritimati", at)


def test_the_data_check_reads_the_responses_of_the_audiences_organisation_only(org):
    """A distributed responses table (Citus, docs/operations.md) is split by organisation: the
    check must name it to stay on one shard."""
    sql = str(audiences_with_liability_flags(Audience.objects.for_org(org)).query)
    responses = sql[sql.index('FROM "measurements_response" U0') :]
    assert 'U0."organisation_id" = ("audiences_audience"."organisation_id")' in responses
