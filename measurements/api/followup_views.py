"""`/api/v1/followups/`: list and read follow-ups, and assign, move or note one (PATCH)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audiences.models import Person
from axreg.api.base import SLUG_PATTERN, OrgScopedMixin
from axreg.api.filters import ALL, choice_param, email_param, slug_param
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS
from measurements import followups
from measurements.api.followup_serializers import FollowUpSerializer, FollowUpUpdateSerializer
from measurements.models import FollowUp, FollowUpStatus

# As on the follow-ups page and alerts/: by default the ones not closed, `all` for every one.
STATUS_VALUES = [*FollowUpStatus.values, ALL]
LIST_PARAMS = [
    OpenApiParameter(
        "status",
        str,
        enum=STATUS_VALUES,
        description="open, in_progress, closed, or all (default: open and in_progress, the "
        "ones not closed, as on the follow-ups page).",
    ),
    OpenApiParameter(
        "audience",
        str,
        description="Only this audience's (slug); one your organisation does not have gives "
        "an empty list.",
        pattern=SLUG_PATTERN,
    ),
    OpenApiParameter(
        "assignee", OpenApiTypes.EMAIL, description="Only those assigned to this e-mail."
    ),
]


# Works as written on any follow-up (an assignee's e-mail would have to be one of yours).
PATCH_EXAMPLE = OpenApiExample(
    "Take it on",
    value={"status": "in_progress", "note": "Called back; waiting for the bus company."},
    request_only=True,
)


class FollowUpViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Follow-ups of your organisation: low responses with a comment or respondent, and who
    answers them."""

    queryset = FollowUp.objects.all()
    serializer_class = FollowUpSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return followups.followups_for(self.organisation)

    def _filtered(self) -> Any:
        status = choice_param(self.request, "status", STATUS_VALUES)
        slug = slug_param(self.request)
        email = email_param(self.request, "assignee")
        queryset = followups.followups_filter(
            self.organisation,
            status=status if status in FollowUpStatus.values else None,
            assignee_email=email,
        )
        if status is None:
            queryset = queryset.exclude(status=FollowUpStatus.CLOSED)
        return queryset.filter(audience__slug=slug) if slug is not None else queryset

    @extend_schema(
        description="Follow-ups of your organisation, newest first; by default the ones not "
        "closed. Small-group privacy holds: where the dashboard withholds a comment, "
        "respondent or exact time, so does this answer.",
        parameters=LIST_PARAMS,
        responses={200: FollowUpSerializer(many=True), **READ_ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self._filtered())
        shown = followups.followups_shown(page)
        return self.get_paginated_response(FollowUpSerializer(shown, many=True).data)

    @extend_schema(
        description="One follow-up by id, whatever its status, with the same privacy as the "
        "list (`withheld` says what is held back and why).",
        responses={200: FollowUpSerializer, **READ_ERRORS},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(FollowUpSerializer(followups.followup_shown(self.get_object())).data)

    @extend_schema(
        description="Assign (by the e-mail of a person of your organisation; null to "
        "unassign), move (open, in_progress, closed; a closed one may be reopened) or note a "
        "follow-up; every field optional, audited. Leads, the audience's owner, the assignee "
        "and API keys only.",
        request=FollowUpUpdateSerializer,
        examples=[PATCH_EXAMPLE],
        responses={200: FollowUpSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        followup = self.get_object()
        if self.api_key is None and not followups.followup_may_act(request.access, followup):
            raise PermissionDenied(
                gettext(
                    "Only a lead, the audience's owner or the assignee can change this follow-up."
                )
            )
        body = FollowUpUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "assignee" in data:
            data["assignee"] = self._person(data["assignee"])
        saved = followups.followup_update(
            followup=followup, actor=self.actor_user, actor_key=self.api_key, **data
        )
        return Response(FollowUpSerializer(followups.followup_shown(saved)).data)

    def _person(self, email: str | None) -> Person | None:
        if email is None:
            return None
        person = self.scoped(Person.objects.all()).filter(email__iexact=email).first()
        if person is None:
            message = gettext("No person with e-mail %(email)s here.") % {"email": email}
            raise ValidationError({"assignee": message}, code="not_found")
        return person
