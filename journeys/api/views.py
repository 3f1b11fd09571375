"""`GET /api/v1/touchpoints/`: the touchpoints results may name, per audience."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from axreg.api.base import SLUG_PATTERN, SLUG_RE, OrgScopedMixin
from axreg.api.schema import READ_ERRORS
from journeys.api.serializers import TouchpointSerializer
from journeys.models import Touchpoint
from journeys.selectors import touchpoint_list


class TouchpointViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Touchpoints of your organisation's journey maps, in journey order."""

    serializer_class = TouchpointSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no key
            return Touchpoint.objects.none()
        audience = self.request.query_params.get("audience")
        if audience is not None and not SLUG_RE.match(audience):
            raise ValidationError(
                {"audience": "Must be a slug: letters, digits, hyphens and underscores."}
            )
        return touchpoint_list(organisation=self.organisation, audience_slug=audience)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "audience", str, description="Only this audience's (slug).", pattern=SLUG_PATTERN
            )
        ],
        responses={200: TouchpointSerializer(many=True), **READ_ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
