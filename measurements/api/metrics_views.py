"""`GET /api/v1/audiences/{slug}/metrics/`: rolled-up values of one audience."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audiences.models import Audience
from axreg.api.base import SLUG_PATTERN, SLUG_RE, OrgScopedMixin
from axreg.api.schema import READ_ERRORS
from measurements.intervals import with_intervals
from measurements.kinds import kind_of
from measurements.models import Granularity, MetricDefinition, MetricKind
from measurements.scales import scale_of
from measurements.selectors import audience_metric_series


class MetricValueSerializer(serializers.Serializer):
    """One rolled-up value (documentation only: the selector builds the dicts)."""

    metric = serializers.CharField(help_text="The metric definition's slug.")
    kind = serializers.ChoiceField(choices=MetricKind.choices)
    granularity = serializers.ChoiceField(choices=Granularity.choices)
    period_start = serializers.DateField(
        help_text="First day of the calendar period in the organisation's time zone."
    )
    value = serializers.FloatField(
        allow_null=True, help_text="Null when the period has no data (never 0)."
    )
    n = serializers.IntegerField(
        help_text="Responses; resolved cases (TTR); members at the start, S (retention, "
        "churn, CLV)."
    )
    interval = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text="95% interval [low, high] on the value's scale, clamped to it; null when "
        "the value is null or has none. NPS: adjusted Wald (centred on the adjusted "
        "estimate, so at small n it need not contain the raw NPS). CSAT, retention, churn: "
        "Wilson score interval of the share. CES mean: t interval, null until rollups "
        "store the standard deviation. TTR, CLV: always null.",
    )
    currency = serializers.CharField(
        allow_null=True,
        help_text="CLV: the definition's ISO 4217 currency, which value and the money details "
        "(revenue, arpu, realised_revenue_per_member) are in; null for every other kind.",
    )
    details = serializers.DictField(
        help_text="NPS: promoters, passives, detractors. CSAT: mean. "
        "CES: agree_share, sd (sample standard deviation; null under 2 scores). "
        "TTR: median, mean, p90 (hours), open. Retention/churn: S, R, "
        "N, E, joined_and_left. CLV: also revenue (null without revenue events), "
        "revenue_events, arpu, margin, churn, realised_revenue_per_member."
    )


class MetricValuesSerializer(serializers.Serializer):
    results = MetricValueSerializer(many=True)


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        message = gettext("'%(value)s' is not a date: use YYYY-MM-DD.") % {"value": value[:40]}
        raise ValidationError({name: message}, code="invalid") from exc


class AudienceMetricsView(OrgScopedMixin, APIView):
    """Rolled-up metric values of one audience of the caller's organisation."""

    @extend_schema(
        operation_id="audiences_metrics_list",
        parameters=[
            OpenApiParameter(
                "metric",
                str,
                description="Only this metric (definition slug).",
                pattern=SLUG_PATTERN,
            ),
            OpenApiParameter(
                "granularity",
                str,
                enum=Granularity.values,
                description="Calendar period; default month.",
            ),
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="Periods containing or after this date."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Periods starting on or before this date."
            ),
        ],
        responses={200: MetricValuesSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, slug: str) -> Response:
        audience = self.audience_by_slug(
            slug, queryset=Audience.objects.select_related("organisation")
        )
        params = self._params(request, audience)
        definitions = {
            d.slug: d
            for d in MetricDefinition.objects.for_org(audience.organisation_id).filter(
                audience=audience
            )
        }
        scales = {
            slug: scale_of(kind=d.kind, scale_min=d.scale_min, scale_max=d.scale_max)
            for slug, d in definitions.items()
        }
        values = with_intervals(audience_metric_series(audience=audience, **params), scales)
        for value in values:
            # Beside every CLV value, as on the dashboard: an amount means nothing without it.
            definition = definitions[value["metric"]]
            value["currency"] = (
                definition.currency or None if kind_of(definition.kind).uses_revenue else None
            )
        return Response({"results": values})

    def _params(self, request: Request, audience: Audience) -> dict[str, Any]:
        granularity = request.query_params.get("granularity", Granularity.MONTH)
        if granularity not in Granularity.values:
            message = gettext("Must be one of %(values)s.") % {
                "values": ", ".join(Granularity.values)
            }
            raise ValidationError({"granularity": message}, code="invalid_choice")
        metric = request.query_params.get("metric")
        if metric is not None and (
            not SLUG_RE.match(metric)
            or not MetricDefinition.objects.for_org(audience.organisation_id)
            .filter(audience=audience, slug=metric)
            .exists()
        ):
            message = gettext("No metric '%(metric)s' for this audience.") % {"metric": metric[:80]}
            raise ValidationError({"metric": message}, code="not_found")
        date_from, date_to = _date_param(request, "from"), _date_param(request, "to")
        if date_from and date_to and date_from > date_to:
            message = gettext("'%(from)s' is after '%(to)s'.") % {"from": "from", "to": "to"}
            raise ValidationError({"from": message}, code="after_to")
        return {
            "granularity": granularity,
            "metric": metric,
            "date_from": date_from,
            "date_to": date_to,
        }
