"""`/api/v1/webhooks/`: list, read, add, change and delete the organisation's webhooks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from axreg.api.authentication import ApiKeyPrincipal
from axreg.api.base import OrganisationMember, OrgScopedMixin
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS
from webhooks import services
from webhooks.api.serializers import (
    EndpointAnswer,
    NewEndpointAnswer,
    WebhookEndpointSerializer,
)
from webhooks.models import WebhookEndpoint


class LeadsOnly(permissions.BasePermission):
    """Webhooks send the organisation's events out, so only its leads manage them (issue 14):
    an API key is a survey tool's or a script's, and a leaked one must not be able to list,
    add or re-point where alerts go."""

    message = _(
        "Webhooks are managed by a lead: on /app/webhooks/ in the app, or here with a "
        "signed-in lead's session. API keys cannot manage them."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.user, ApiKeyPrincipal):
            return False
        access = getattr(request, "access", None)
        return access is not None and access.is_lead


# Examples that work as written (the generated ones had "url": "string").
CREATE_EXAMPLE = OpenApiExample(
    "Alerts to a helpdesk",
    value={
        "url": "https://example.com/ax-registry",
        "description": "Helpdesk",
        "events": ["alert.opened", "alert.resolved"],
        "format": "standard",
    },
    request_only=True,
)
UPDATE_EXAMPLE = OpenApiExample("Pause it", value={"active": False}, request_only=True)
LEADS_ONLY = " Leads only, with a signed-in session: API keys get 403."


@extend_schema_view(
    list=extend_schema(
        description="The organisation's webhooks, newest first. Secrets are never listed."
        + LEADS_ONLY,
        responses={200: EndpointAnswer.__class__(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        description="One webhook by id." + LEADS_ONLY,
        responses={200: EndpointAnswer, **READ_ERRORS},
    ),
    create=extend_schema(
        description="Add a webhook for some events. The answer holds its signing secret, "
        "the only time it is shown." + LEADS_ONLY,
        request=WebhookEndpointSerializer,
        examples=[CREATE_EXAMPLE],
        responses={201: NewEndpointAnswer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        description="Change the URL, description, events, body format or `active`." + LEADS_ONLY,
        examples=[UPDATE_EXAMPLE],
        responses={200: EndpointAnswer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Delete a webhook with its delivery log; nothing more is sent to it."
        + LEADS_ONLY,
        responses={204: OpenApiResponse(description="Deleted."), **READ_ERRORS},
    ),
)
class WebhookEndpointViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your organisation's outbound webhooks, by id."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    permission_classes = [permissions.IsAuthenticated, OrganisationMember, LeadsOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _actors(self) -> dict[str, Any]:
        return {"actor": self.actor_user, "actor_key": self.api_key}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.endpoint_create(
            organisation=self.organisation, **self._actors(), **serializer.validated_data
        )
        answer = {**self.get_serializer(created.endpoint).data, "secret": created.secret}
        return Response(answer, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            endpoint=endpoint, **self._actors(), **serializer.validated_data
        )
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.endpoint_delete(endpoint=self.get_object(), **self._actors())
        return Response(status=status.HTTP_204_NO_CONTENT)
