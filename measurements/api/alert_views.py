"""`/api/v1/alerts/`: read the organisation's alerts, acknowledge or resolve one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from audiences.models import Audience
from axreg.api.base import SLUG_PATTERN, OrgScopedMixin
from axreg.api.filters import ALL, choice_param, slug_param
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS
from measurements import alert_selectors, alert_services
from measurements.alert_services import NOTE_MAX_LENGTH
from measurements.api.alert_serializers import MOVES, AlertAnswer, AlertUpdateSerializer
from measurements.models import Alert, AlertStatus

# The body as a plain schema: drf-spectacular makes every field of a PATCH body optional
# (a Patched… component), but a move needs its `status`.
ALERT_UPDATE_BODY = {
    "application/json": {
        "type": "object",
        "description": "Acknowledge or resolve an alert, with a note kept in its history.",
        "properties": {
            "status": {
                "type": "string",
                "enum": [value for value, _ in MOVES],
                "description": "acknowledged: someone is on it (it still counts as open); "
                "resolved: closed for everyone, final. Allowed: open → acknowledged → "
                "resolved, open → resolved.",
            },
            "note": {"type": "string", "maxLength": NOTE_MAX_LENGTH},
        },
        "required": ["status"],
        "additionalProperties": False,
    }
}
# A list in a stable order: the 400 and the schema name them alike every time.
STATUS_VALUES = [*AlertStatus.values, ALL]
SERVICES = {
    AlertStatus.ACKNOWLEDGED: alert_services.alert_acknowledge,
    AlertStatus.RESOLVED: alert_services.alert_resolve,
}


class AlertViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your organisation's alerts, by id: a metric past its alert threshold in complete months."""

    queryset = Alert.objects.all()
    serializer_class = AlertUpdateSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if self.action != "list":
            return alert_selectors.alert_list(self.organisation, status="all").select_related(
                "notified_to", "acknowledged_by", "closed_by"
            )
        status = choice_param(self.request, "status", STATUS_VALUES) or ""
        audience = None
        slug = slug_param(self.request)
        if slug is not None:
            audience = self.scoped(Audience.objects.all()).filter(slug=slug).first()
            if audience is None:
                return self.scoped(Alert.objects.none())
        return alert_selectors.alert_list(
            self.organisation, status=status, audience=audience
        ).select_related("notified_to", "acknowledged_by", "closed_by")

    @extend_schema(
        description="The organisation's alerts, newest crossing first. By default the ones "
        "still open (open or acknowledged).",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=STATUS_VALUES,
                description="open, acknowledged, resolved, or all (default: open and "
                "acknowledged).",
            ),
            OpenApiParameter(
                "audience",
                str,
                description="Only this audience's (slug); one your organisation does not have "
                "gives an empty list.",
                pattern=SLUG_PATTERN,
            ),
        ],
        responses={200: AlertAnswer.__class__(many=True), **READ_ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(description="One alert by id.", responses={200: AlertAnswer, **READ_ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        description="Acknowledge or resolve the alert, with a note. The audience's owner, "
        "leads and API keys only. Resolved is final; a refused move answers 400 on `status`.",
        request=ALERT_UPDATE_BODY,
        responses={200: AlertAnswer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alert = self.get_object()
        self.check_audience_writable(alert.audience)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        alert = SERVICES[data["status"]](
            alert=alert,
            actor_user=self.actor_user,
            actor_key=self.api_key,
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)
