"""`/api/v1/audiences/`: list, read, create and change audiences by slug."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from audiences import services
from audiences.api.serializers import AudienceSerializer
from audiences.filters import AudienceFilter
from audiences.models import Audience
from axreg.api.base import OrgScopedMixin
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS, response_component

LEAD_ONLY = ("rank", "owner", "archived")


@extend_schema_field(OpenApiTypes.EMAIL)
class EmailFilter(django_filters.CharFilter):
    pass


class AudienceApiFilter(AudienceFilter):
    """The registry's filters, with the owner named by the e-mail the API shows."""

    owner = EmailFilter(
        field_name="owner__email", lookup_expr="iexact", label="E-mail of the owner."
    )


ANSWER = response_component(AudienceSerializer)


@extend_schema_view(
    list=extend_schema(
        description="The organisation's audiences, the top ten first in rank order. Archived "
        "audiences are left out unless `archived` asks for them.",
        responses={200: response_component(AudienceSerializer, many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        description="One audience by slug, archived or not (`archived` says which).",
        responses={200: ANSWER, **READ_ERRORS},
    ),
    create=extend_schema(
        description="Add an audience; a blank slug comes from the name. Keys and leads only.",
        responses={201: ANSWER, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        description="Change some fields. `rank`, `owner` and `archived` are for keys and "
        'leads; `{"archived": false}` restores an archived audience.',
        responses={200: ANSWER, **WRITE_ERRORS},
    ),
)
class AudienceViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Audiences of your organisation, addressed by slug."""

    queryset = Audience.objects.select_related("owner")
    serializer_class = AudienceSerializer
    lookup_field = "slug"
    filter_backends = [DjangoFilterBackend]
    filterset_class = AudienceApiFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The filters (which hide archived audiences) shape the list only: an audience's own
        # URL answers in any state, so an archived one can be read and restored.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organisation": self.organisation}

    def _actors(self) -> dict[str, Any]:
        return {"actor": self.actor_user, "actor_key": self.api_key}

    def _check_lead_fields(self, data: dict[str, Any]) -> None:
        if self.api_key is None and not self.request.access.is_lead:
            named = [name for name in LEAD_ONLY if name in data]
            if named:
                raise PermissionDenied(
                    gettext("Only a lead can change %(fields)s.") % {"fields": ", ".join(named)}
                )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.api_key is None and not request.access.is_lead:
            raise PermissionDenied(gettext("Only a lead can add audiences."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audience = services.audience_save(
            organisation=self.organisation, **self._actors(), **serializer.validated_data
        )
        return Response(self.get_serializer(audience).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audience = self.get_object()
        self.check_audience_writable(audience)
        serializer = self.get_serializer(audience, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self._check_lead_fields(serializer.validated_data)
        audience = services.audience_save(
            organisation=self.organisation,
            audience=audience,
            **self._actors(),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(audience).data)
