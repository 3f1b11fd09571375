"""One naming rule on every card and list: the definition's name, with the kind as its
audience calls it as a small label, said once (walk1 #18, walk2 #16); one number formatter
for thresholds."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from measurements.models import Alert, MetricKind
from tests.factories import AudienceFactory, MetricDefinitionFactory

TITLED = (
    '<span class="metric-name">Student satisfaction</span> '
    '<span class="muted small metric-kind">CSAT</span>'
)


def _csat(audience):
    return MetricDefinitionFactory(
        audience=audience, kind=MetricKind.CSAT, slug="csat", name="Student satisfaction"
    )


def test_the_overview_and_the_viewer_home_name_a_metric_the_same_way(viewer_client, org):
    students = AudienceFactory(organisation=org, name="Students", slug="students", rank=1)
    _csat(students)

    overview = viewer_client.get(reverse("measurements:overview")).content.decode()
    home = viewer_client.get("/app/").content.decode()

    assert TITLED in overview
    assert TITLED in home


def test_a_name_that_is_the_kinds_audience_label_is_said_once(viewer_client, org):
    candidates = AudienceFactory(
        organisation=org, name="Candidates", slug="candidates", kind="candidate"
    )
    MetricDefinitionFactory(
        audience=candidates, kind=MetricKind.NPS, slug="nps", name="Candidate NPS"
    )

    page = viewer_client.get(reverse("measurements:dashboard", args=["candidates"]))

    title = page.content.decode().split('<h2 class="metric-title">')[1].split("</h2>")[0]
    assert title == '<span class="metric-name">Candidate NPS</span>'


def test_the_owner_home_and_the_alert_list_write_a_threshold_alike(owner_client, owned_audience):
    nps = MetricDefinitionFactory(
        audience=owned_audience, kind=MetricKind.NPS, slug="nps", name="Parent NPS"
    )
    Alert.objects.create(
        organisation=nps.organisation,
        audience=owned_audience,
        definition=nps,
        granularity="month",
        period_start=date(2026, 10, 1),
        last_period_start=date(2026, 10, 1),
        value=-25.0,
        threshold=-10,
    )

    home = owner_client.get("/app/").content.decode()
    alerts = owner_client.get(reverse("measurements:alerts")).content.decode()

    assert "<td>-10</td>" in home and "<td>-10</td>" in alerts
    assert "-10.0" not in home
    # "Parent NPS" already says its kind as a whole word: it stands alone (issue 15).
    parent_nps = '<span class="metric-name">Parent NPS</span>'
    assert parent_nps in home and parent_nps in alerts
    assert f'{parent_nps} <span class="muted small metric-kind">' not in home + alerts
