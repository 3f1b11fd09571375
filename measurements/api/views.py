"""`/api/v1/`: metric definitions, and the four kinds of pushed results (bulk, idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audiences.models import Audience
from axreg.api.base import SLUG_PATTERN, SLUG_RE, OrgScopedMixin
from axreg.api.schema import (
    READ_ERRORS,
    WRITE_ERRORS,
    WriteResult,
    bulk_body,
    response_component,
)
from measurements import ingest, privacy, services
from measurements.api.serializers import (
    CaseItemSerializer,
    MemberItemSerializer,
    MetricDefinitionSerializer,
    ResponseItemSerializer,
    RevenueEventItemSerializer,
)
from measurements.models import (
    AudienceMember,
    MetricDefinition,
    RevenueEvent,
    SupportCase,
)
from measurements.models import Response as SurveyResponse


def _param_slug(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and not SLUG_RE.match(value):
        message = gettext("Must be a slug: letters, digits, hyphens and underscores.")
        raise ValidationError({name: message}, code="invalid")
    return value


def _param_time(request: Request, name: str, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 time with an offset, or a date meaning its midnight in the org's zone."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        message = gettext("Must be an ISO 8601 date or date-time.")
        raise ValidationError({name: message}, code="invalid") from exc
    if len(value) == 10:
        parsed = datetime.combine(parsed.date(), time(), tz)
    if parsed.tzinfo is None:
        message = gettext("The time has no offset: add one, e.g. 'Z'.")
        raise ValidationError({name: message}, code="no_offset")
    try:
        # In UTC: PostgreSQL refuses offsets past ±15:59 that Python accepts.
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        message = gettext("The time is out of range.")
        raise ValidationError({name: message}, code="out_of_range") from exc


# What `_param_time` accepts: a date (midnight in the organisation's zone) or a date-time.
DATE_OR_TIME = {
    "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}


def _list_params(*, metric: bool, time_field: str) -> list[OpenApiParameter]:
    params = [OpenApiParameter("audience", str, description="Audience slug", pattern=SLUG_PATTERN)]
    if metric:
        params.append(
            OpenApiParameter("metric", str, description="Metric slug", pattern=SLUG_PATTERN)
        )
    for name, word in (("from", "at or after"), ("to", "before")):
        params.append(
            OpenApiParameter(
                name,
                DATE_OR_TIME,
                description=f"Only items whose {time_field} is {word} this time (with offset) "
                "or date (midnight in the organisation's time zone).",
            )
        )
    return params


DEFINITION_ANSWER = response_component(MetricDefinitionSerializer)


class DefinitionViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Metric definitions, addressed as `metric-definitions/{audience}/{slug}/`."""

    queryset = MetricDefinition.objects.select_related("audience", "touchpoint")
    serializer_class = MetricDefinitionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        audience = _param_slug(self.request, "audience")
        if audience is not None and self.action == "list":
            queryset = queryset.filter(audience__slug=audience)
        return queryset.order_by("audience__slug", "slug")

    def get_object(self) -> MetricDefinition:
        if not (SLUG_RE.match(self.kwargs["audience"]) and SLUG_RE.match(self.kwargs["slug"])):
            raise NotFound(gettext("No such metric definition in this organisation."))
        try:
            return self.get_queryset().get(
                audience__slug=self.kwargs["audience"], slug=self.kwargs["slug"]
            )
        except MetricDefinition.DoesNotExist as exc:
            raise NotFound(gettext("No such metric definition in this organisation.")) from exc

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "audience", str, description="Only this audience's (slug).", pattern=SLUG_PATTERN
            )
        ],
        responses={200: response_component(MetricDefinitionSerializer, many=True), **READ_ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: DEFINITION_ANSWER, **READ_ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses={201: DEFINITION_ANSWER, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        slug = request.data.get("audience") if isinstance(request.data, dict) else None
        audience = None
        if isinstance(slug, str) and SLUG_RE.match(slug):
            audience = self.scoped(Audience.objects.select_related("owner")).filter(slug=slug)
            audience = audience.first()
        serializer = self.get_serializer(data=request.data, context=self._context(audience))
        serializer.is_valid(raise_exception=True)
        if audience is None:
            message = gettext("No audience '%(audience)s' in this organisation.") % {
                "audience": slug
            }
            raise ValidationError({"audience": message}, code="not_found")
        self.check_audience_writable(audience)
        data = {k: v for k, v in serializer.validated_data.items() if k != "audience"}
        definition = services.definition_create(
            audience=audience, actor_user=self.actor_user, actor_key=self.api_key, data=data
        )
        return Response(self.get_serializer(definition).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: DEFINITION_ANSWER, **WRITE_ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        definition = self.get_object()
        self.check_audience_writable(definition.audience)
        serializer = self.get_serializer(
            definition, data=request.data, partial=True, context=self._context(definition.audience)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("audience", definition.audience.slug) != definition.audience.slug:
            message = gettext("A definition cannot move to another audience.")
            raise ValidationError({"audience": message}, code="immutable")
        definition = services.definition_update(
            definition=definition, actor_user=self.actor_user, actor_key=self.api_key, data=data
        )
        return Response(self.get_serializer(definition).data)

    def _context(self, audience: Audience | None) -> dict[str, Any]:
        return {**self.get_serializer_context(), "audience": audience}


class IngestViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET a paginated, filtered list; POST one item or a list of up to 10,000 (all or nothing)."""

    kind: str
    time_field: str
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        audience = _param_slug(self.request, "audience")
        if audience is not None:
            queryset = queryset.filter(audience__slug=audience)
        if self.kind == ingest.RESPONSES:
            metric = _param_slug(self.request, "metric")
            if metric is not None:
                queryset = queryset.filter(definition__slug=metric)
        tz = ZoneInfo(self.organisation.timezone)
        start = _param_time(self.request, "from", tz)
        end = _param_time(self.request, "to", tz)
        return self.filter_time(queryset, start, end).order_by(self.time_field, "id")

    def filter_time(
        self, queryset: QuerySet, start: datetime | None, end: datetime | None
    ) -> QuerySet:
        if start is not None:
            queryset = queryset.filter(**{f"{self.time_field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{self.time_field}__lt": end})
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        may_write = None if self.api_key is not None else self.can_write_audience
        try:
            result = ingest.ingest(
                kind=self.kind,
                organisation=self.organisation,
                payload=request.data,
                api_key=self.api_key,
                actor_user=self.actor_user,
                may_write=may_write,
            )
        except ingest.IngestRejected as exc:
            return Response(
                {"errors": [e.as_dict() for e in exc.errors]}, status=status.HTTP_400_BAD_REQUEST
            )
        except ingest.IngestForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)


def _ingest_schema(item: type, component: str, *, metric: bool, time_field: str) -> Any:
    return extend_schema_view(
        list=extend_schema(
            parameters=_list_params(metric=metric, time_field=time_field),
            responses={200: item(many=True), **READ_ERRORS},
        ),
        create=extend_schema(
            request={"application/json": bulk_body(component)},
            responses={201: WriteResult, **WRITE_ERRORS},
            description="One item or a JSON array of up to 10,000. All or nothing: any invalid "
            "item answers 400 listing every invalid item and field, and nothing is stored.",
        ),
    )


@_ingest_schema(ResponseItemSerializer, "ResponseItem", metric=True, time_field="responded_at")
class ResponseViewSet(IngestViewSet):
    """Survey responses (NPS, CSAT, CES…) of your audiences, oldest first."""

    kind, time_field = ingest.RESPONSES, "responded_at"
    queryset = SurveyResponse.objects.select_related("audience", "definition", "touchpoint")
    serializer_class = ResponseItemSerializer

    def filter_time(
        self, queryset: QuerySet, start: datetime | None, end: datetime | None
    ) -> QuerySet:
        # Protected answers compare by calendar day: narrowing `from`/`to` to the minute
        # would otherwise give back the exact time the list withholds (measurements.privacy).
        open_ = ~privacy.protected_q("definition__")
        guarded = privacy.protected_q("definition__")
        tz = ZoneInfo(self.organisation.timezone)
        if start is not None:
            day = start.astimezone(tz).date()
            queryset = queryset.filter(
                (open_ & Q(responded_at__gte=start)) | (guarded & Q(local_date__gte=day))
            )
        if end is not None:
            day = (end - timedelta(microseconds=1)).astimezone(tz).date()
            queryset = queryset.filter(
                (open_ & Q(responded_at__lt=end)) | (guarded & Q(local_date__lte=day))
            )
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        items = self.get_serializer(page, many=True).data
        return self.get_paginated_response(privacy.redact_response_items(page, items))


@_ingest_schema(CaseItemSerializer, "CaseItem", metric=False, time_field="opened_at")
class CaseViewSet(IngestViewSet):
    """Support cases (for time to resolution), by the time they were opened."""

    kind, time_field = ingest.CASES, "opened_at"
    queryset = SupportCase.objects.select_related("audience", "touchpoint")
    serializer_class = CaseItemSerializer


@_ingest_schema(
    RevenueEventItemSerializer, "RevenueEventItem", metric=False, time_field="occurred_at"
)
class RevenueEventViewSet(IngestViewSet):
    """Revenue events per member (for CLV), by the time they occurred."""

    kind, time_field = ingest.REVENUE, "occurred_at"
    queryset = RevenueEvent.objects.select_related("audience")
    serializer_class = RevenueEventItemSerializer


@_ingest_schema(MemberItemSerializer, "MemberItem", metric=False, time_field="joined_at")
class MemberViewSet(IngestViewSet):
    """Memberships (for retention and churn), by the time the member joined."""

    kind, time_field = ingest.MEMBERS, "joined_at"
    queryset = AudienceMember.objects.select_related("audience")
    serializer_class = MemberItemSerializer
