"""A stale batch as a worker meets it: many organisations at once, in one transaction."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measurements.models import Rollup
from measurements.rollups import stale_rollups_recompute
from tests.factories import AudienceFactory, MetricDefinitionFactory, OrganisationFactory
from tests.measurements.rollup_helpers import respond, utc


def _one_mark_in_each_of(count: int, prefix: str) -> list:
    definitions = []
    for i in range(count):
        org = OrganisationFactory(slug=f"{prefix}-{i}", timezone="UTC")
        definition = MetricDefinitionFactory(
            organisation=org, audience=AudienceFactory(organisation=org), slug="nps"
        )
        respond(definition, 10, utc(2025, 3, 4, 9), mark=True)
        respond(definition, 0, utc(2025, 3, 4, 10), mark=True)
        definitions.append(definition)
    return definitions


def _or_branches_of_a_stale_run() -> int:
    with CaptureQueriesContext(connection) as ctx:
        stale_rollups_recompute(notify=False)
    return sum(query["sql"].count(" OR ") for query in ctx.captured_queries)


@pytest.mark.django_db
def test_a_batch_over_more_organisations_builds_no_longer_filters():
    """Filters with a branch per definition cost ~2 ms each to build and plan (5.7 s for a
    thousand organisations); definitions sharing their days share one branch."""
    few = _one_mark_in_each_of(2, "few")
    branches_for_two = _or_branches_of_a_stale_run()
    many = _one_mark_in_each_of(12, "many")
    assert _or_branches_of_a_stale_run() == branches_for_two
    # One 10 and one 0 on 4 March 2025 each: NPS (1 − 1) / 2 = 0 on n 2, in every period.
    for definition in few + many:
        rows = Rollup.objects.for_org(definition.organisation).filter(definition=definition)
        assert {(r.granularity, r.period_start, r.value, r.n) for r in rows} == {
            ("day", date(2025, 3, 4), 0.0, 2),
            ("week", date(2025, 3, 3), 0.0, 2),
            ("month", date(2025, 3, 1), 0.0, 2),
            ("quarter", date(2025, 1, 1), 0.0, 2),
        }


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
@pytest.mark.django_db(transaction=True)
def test_a_recompute_runs_with_more_work_mem_and_no_jit_inside_its_transaction_only(
    monkeypatch,
):
    from measurements.rollups import recompute

    definition = MetricDefinitionFactory(slug="nps")
    respond(definition, 9, utc(2025, 3, 4, 9), mark=True)
    seen = []
    compute = recompute.rollups_compute

    def observed(*args, **kwargs):
        seen.append(_settings())
        return compute(*args, **kwargs)

    monkeypatch.setattr(recompute, "rollups_compute", observed)
    before = _settings()
    assert stale_rollups_recompute(notify=False) == 1
    assert seen == [("64MB", "off")]
    assert before != ("64MB", "off")
    assert _settings() == before  # the connection's next work runs as configured
