"""A CLV is money in one currency, stored on its definition (issue 11): the rules in
`definition_validate`, the form, the data migration, and the currency beside every CLV value."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services import api_key_create
from measurements.models import MetricDefinition
from measurements.periods import latest_complete_start, previous_start
from measurements.rollups import rollup_full
from measurements.services import definition_create, definition_update
from tests.factories import AudienceFactory, MetricDefinitionFactory
from tests.measurements.rollup_helpers import member, respond, revenue

migration = importlib.import_module("measurements.migrations.0005_definition_currency")


def _clv(audience, **data):
    return definition_create(audience=audience, actor_user=None, data={"kind": "clv", **data})


def _errors(audience, **data):
    with pytest.raises(ValidationError) as caught:
        definition_create(audience=audience, actor_user=None, data=data)
    return caught.value.message_dict


def _usd(audience):
    event = revenue(audience, "a", "10.00", datetime(2025, 3, 2, tzinfo=UTC))
    event.currency = "USD"
    event.save()


def test_a_clv_without_a_currency_takes_eur_when_no_revenue_names_one(owned_audience):
    assert _clv(owned_audience).currency == "EUR"


def test_a_clv_without_a_currency_takes_the_audiences_revenue_currency(owned_audience):
    _usd(owned_audience)
    assert _clv(owned_audience).currency == "USD"


def test_a_clv_takes_the_organisations_revenue_currency_when_its_audience_has_none(
    org, owned_audience
):
    _usd(AudienceFactory(organisation=org, slug="donors"))
    assert _clv(owned_audience).currency == "USD"


def test_it_keeps_the_currency_given(owned_audience):
    assert _clv(owned_audience, currency="GBP").currency == "GBP"


@pytest.mark.parametrize("bad", ["eur", "EURO", "E1R", "€"])
def test_it_refuses_a_currency_that_is_not_three_capitals(owned_audience, bad):
    errors = _errors(owned_audience, kind="clv", currency=bad)
    assert errors == {"currency": ["Enter a 3-letter ISO 4217 code in capitals, e.g. EUR."]}


def test_other_kinds_have_no_currency(owned_audience):
    errors = _errors(owned_audience, kind="nps", currency="EUR")
    assert errors == {"currency": ["Currency applies to CLV only; leave it empty."]}
    assert definition_create(audience=owned_audience, actor_user=None, data={"kind": "nps"})


def test_a_clv_must_use_the_currency_the_audiences_revenue_is_in(owned_audience):
    _usd(owned_audience)
    errors = _errors(owned_audience, kind="clv", currency="EUR")
    assert errors["currency"] == [
        "This audience's revenue is in USD (its stored revenue events); a CLV adds amounts "
        "of one currency, so use USD."
    ]


def test_a_second_clv_of_an_audience_uses_the_first_ones_currency(owned_audience):
    _clv(owned_audience, currency="GBP")
    errors = _errors(owned_audience, kind="clv", slug="clv-2", currency="EUR")
    assert "revenue is in GBP (its CLV metric “clv”)" in errors["currency"][0]
    assert _clv(owned_audience, slug="clv-2").currency == "GBP"


def test_the_currency_of_a_clv_with_revenue_cannot_move_to_another(owned_audience):
    clv = _clv(owned_audience)
    revenue(owned_audience, "a", "10.00", datetime(2025, 3, 2, tzinfo=UTC))  # in EUR
    with pytest.raises(ValidationError) as caught:
        definition_update(definition=clv, actor_user=None, data={"currency": "USD"})
    assert list(caught.value.message_dict) == ["currency"]


def test_the_form_saves_the_currency(owner_client, owned_audience):
    url = reverse("measurements:definition_create", args=[owned_audience.slug])
    page = owner_client.get(url).content.decode()
    assert 'name="currency"' in page and "Currency (CLV only)" in page
    data = {"kind": "clv", "name": "", "slug": "", "margin_percent": "100", "active": "on"}
    answer = owner_client.post(url, {**data, "currency": "usd"})
    assert answer.status_code == 200
    assert answer.context["form"].errors["currency"] == [
        "Enter a 3-letter ISO 4217 code in capitals, e.g. EUR."
    ]
    assert owner_client.post(url, {**data, "currency": "CHF"}).status_code == 302
    assert MetricDefinition.all_orgs.get(audience=owned_audience).currency == "CHF"


def test_the_migration_gives_existing_clvs_the_currency_their_revenue_is_in(org, owned_audience):
    # Parents: revenue 2 × USD, 1 × EUR → USD. Donors: none of their own; the organisation's
    # events are 2 USD, 1 EUR (and 1 GBP below) → USD. An organisation without revenue → EUR.
    parents = MetricDefinitionFactory(audience=owned_audience, kind="clv", slug="clv")
    _usd(owned_audience)
    _usd(owned_audience)
    revenue(owned_audience, "b", "5.00", datetime(2025, 3, 3, tzinfo=UTC))
    donors = MetricDefinitionFactory(
        audience=AudienceFactory(organisation=org, slug="donors"), kind="clv", slug="clv"
    )
    elsewhere = MetricDefinitionFactory(kind="clv", slug="clv")
    nps = MetricDefinitionFactory(audience=owned_audience, kind="nps", slug="nps")
    assert parents.currency == donors.currency == elsewhere.currency == ""

    migration.clv_currency_fill(apps, None)

    currencies = dict(MetricDefinition.all_orgs.values_list("pk", "currency"))
    assert currencies == {parents.pk: "USD", donors.pk: "USD", elsewhere.pk: "EUR", nps.pk: ""}


# --- shown with every CLV value ---------------------------------------------------------------


@pytest.fixture
def clv_month(owned_audience):
    """The latest complete month's CLV: S = 2 (a, b), b leaves → churn 1/2; revenue 100 from
    a → ARPU 100 / 2 = 50; margin 100% → CLV 50 / 0.5 = 100.0 EUR."""
    latest = latest_complete_start("month", "UTC", timezone.now())
    before = previous_start("month", latest)
    start = datetime(before.year, before.month, 2, tzinfo=UTC)
    member(owned_audience, "a", start)
    member(owned_audience, "b", start, datetime(latest.year, latest.month, 10, tzinfo=UTC))
    revenue(owned_audience, "a", "100.00", datetime(latest.year, latest.month, 5, tzinfo=UTC))
    _clv(owned_audience, target=80)
    nps = definition_create(audience=owned_audience, actor_user=None, data={"kind": "nps"})
    respond(nps, 10, datetime(latest.year, latest.month, 3, tzinfo=UTC))
    rollup_full(organisation=owned_audience.organisation)
    return latest


def test_the_dashboard_card_and_the_impact_table_show_the_currency(viewer_client, clv_month):
    page = viewer_client.get(reverse("measurements:dashboard", args=["parents"])).content.decode()
    card = page.split('data-definition="clv"')[1].split("</article>")[0]
    assert '<p class="metric-value" data-value="100.0">100.0 EUR</p>' in card
    assert "80 EUR" in card  # the target, as the chart's target line writes it
    assert "100.0 EUR <span" in page.split('id="impact"')[1]


def test_the_health_grid_shows_the_currency(viewer_client, clv_month):
    grid = viewer_client.get(reverse("measurements:health")).content.decode()
    assert '<strong class="cell-value">100.0 EUR</strong>' in grid


def test_the_metrics_api_gives_the_currency_on_clv_values_only(org, clv_month):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organisation=org, name='t').raw_key}"
    )
    results = client.get("/api/v1/audiences/parents/metrics/").json()["results"]
    by_metric = {(r["metric"], r["period_start"]): r for r in results}
    month = clv_month.isoformat()
    assert by_metric[("clv", month)]["value"] == pytest.approx(100.0)
    assert by_metric[("clv", month)]["currency"] == "EUR"
    assert by_metric[("nps", month)]["currency"] is None


def test_the_chart_draws_the_clv_in_its_currency(owned_audience, clv_month):
    from measurements.charts import chart_data
    from measurements.dashboard_selectors import dashboard_cards

    cards = dashboard_cards(audience=owned_audience, granularity="month")
    charts = {c["id"]: c for c in chart_data(cards=cards, granularity="month")}
    clv = next(card.definition for card in cards if card.definition.kind == "clv")
    assert (charts[clv.pk]["unit"], charts[clv.pk]["target_label"]) == ("EUR", "Target 80 EUR")
