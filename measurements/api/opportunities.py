"""`/api/v1/opportunities/`: list (in priority order), read, add, change and remove the
improvements to a journey. Writes go through `measurements.opportunity_services`, as the
browser's do; touchpoints, the metric and the owner are named by slug and e-mail."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audiences.models import Audience, Person
from axreg.api.base import SLUG_PATTERN, OrgScopedMixin
from axreg.api.filters import ALL, choice_param, email_param, slug_param
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS
from axreg.api.serializers import StrictCharField, StrictIntegerField, StrictSerializer
from journeys.models import Touchpoint
from measurements import opportunity_services as services
from measurements.models import MetricDefinition, Opportunity, OpportunityStatus
from measurements.opportunities import opportunities_prioritised, opportunity_queryset

TEXT_LIMIT = 5000  # a problem or idea is a paragraph, not a document
STATUS_VALUES = [*OpportunityStatus.values, ALL]
ONE_TO_FIVE = {
    "min_value": gettext_lazy("Must be a whole number from 1 to 5."),
    "max_value": gettext_lazy("Must be a whole number from 1 to 5."),
}
LIST_PARAMS = [
    OpenApiParameter(
        "status", str, enum=STATUS_VALUES, description="Only this status; all (the default)."
    ),
    OpenApiParameter(
        "audience",
        str,
        description="Only this audience's (slug); one your organisation does not have gives "
        "an empty list.",
        pattern=SLUG_PATTERN,
    ),
    OpenApiParameter(
        "owner",
        OpenApiTypes.EMAIL,
        description="Only those owned by this e-mail (as `owner` shows it).",
    ),
]


class OpportunitySerializer(StrictSerializer):
    """An improvement to an audience's journey, prioritised by value over effort."""

    audience = serializers.SlugField(max_length=80, help_text="Audience slug (fixed once created).")
    problem = StrictCharField(min_length=1, max_length=TEXT_LIMIT)
    idea = StrictCharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    # The range in the message, as the score checks say theirs (DRF's own names only the bound).
    value = StrictIntegerField(
        min_value=1, max_value=5, help_text="1 (little) to 5.", error_messages=ONE_TO_FIVE
    )
    effort = StrictIntegerField(
        min_value=1, max_value=5, help_text="1 (little) to 5.", error_messages=ONE_TO_FIVE
    )
    status = serializers.ChoiceField(
        choices=OpportunityStatus.choices,
        required=False,
        help_text="New ones start as `idea`; `done` sets done_at, leaving done clears it.",
    )
    touchpoints = serializers.ListField(
        child=serializers.SlugField(max_length=80),
        required=False,
        max_length=100,
        help_text="Slugs of touchpoints on the audience's journey.",
    )
    owner = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="E-mail of a person of the organisation; omitted on create: the audience's "
        "owner.",
    )
    metric = serializers.SlugField(
        max_length=80,
        required=False,
        allow_null=True,
        help_text="Slug of the audience's metric it should move; omitted on create: the first "
        "one measured at its first touchpoint.",
    )

    def to_representation(self, instance: Opportunity) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "audience": instance.audience.slug,
            "problem": instance.problem,
            "idea": instance.idea,
            "value": instance.value,
            "effort": instance.effort,
            "status": instance.status,
            "touchpoints": [t.slug for t in instance.touchpoints.all()],
            "owner": instance.owner.email if instance.owner else None,
            "metric": instance.definition.slug if instance.definition else None,
            "done_at": instance.done_at,
            "created_at": instance.created_at,
            "updated_at": instance.updated_at,
        }


def _answer_fields() -> dict[str, serializers.Field]:
    return {
        "id": serializers.IntegerField(),
        "audience": serializers.SlugField(),
        "problem": serializers.CharField(),
        "idea": serializers.CharField(allow_blank=True),
        "value": serializers.IntegerField(min_value=1, max_value=5),
        "effort": serializers.IntegerField(min_value=1, max_value=5),
        "status": serializers.ChoiceField(choices=OpportunityStatus.choices),
        "touchpoints": serializers.ListField(child=serializers.SlugField()),
        "owner": serializers.EmailField(allow_null=True),
        "metric": serializers.SlugField(allow_null=True),
        "done_at": serializers.DateTimeField(allow_null=True),
        "created_at": serializers.DateTimeField(),
        "updated_at": serializers.DateTimeField(),
    }


OpportunityAnswer = inline_serializer("OpportunityAnswer", _answer_fields())


def _resolve(audience: Audience, data: dict[str, Any]) -> dict[str, Any]:
    """Slugs and e-mails to rows of the audience (or organisation), each error on its field."""
    out: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("audience", "touchpoints", "owner", "metric")
    }
    errors: dict[str, ErrorDetail] = {}
    org_id = audience.organisation_id
    if "touchpoints" in data:
        slugs = list(dict.fromkeys(data["touchpoints"]))
        found = {
            t.slug: t
            for t in Touchpoint.objects.for_org(org_id).filter(audience=audience, slug__in=slugs)
        }
        missing = [s for s in slugs if s not in found]
        if missing:
            message = gettext("No touchpoint %(touchpoints)s on the journey of '%(audience)s'.") % {
                "touchpoints": ", ".join(repr(s) for s in missing),
                "audience": audience.slug,
            }
            errors["touchpoints"] = ErrorDetail(message, code="not_found")
        out["touchpoints"] = [found[s] for s in slugs if s in found]
    if "owner" in data:
        email = data["owner"]
        owner = (
            Person.objects.for_org(org_id).filter(email__iexact=email).first() if email else None
        )
        if email and owner is None:
            message = gettext("No person with e-mail '%(email)s' in this organisation.") % {
                "email": email
            }
            errors["owner"] = ErrorDetail(message, code="not_found")
        out["owner"] = owner
    if "metric" in data:
        slug = data["metric"]
        definition = (
            MetricDefinition.objects.for_org(org_id).filter(audience=audience, slug=slug).first()
            if slug
            else None
        )
        if slug and definition is None:
            message = gettext("No metric '%(metric)s' of the audience '%(audience)s'.") % {
                "metric": slug,
                "audience": audience.slug,
            }
            errors["metric"] = ErrorDetail(message, code="not_found")
        out["definition"] = definition
    if errors:
        raise ValidationError(errors)
    return out


@extend_schema_view(
    list=extend_schema(
        description="The organisation's opportunities in priority order: open ones first, "
        "done ones after them; then value ÷ effort, then the gap between the metric's latest "
        "complete month and its target. Every status by default.",
        parameters=LIST_PARAMS,
        responses={200: OpportunityAnswer.__class__(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        description="One opportunity by id.", responses={200: OpportunityAnswer, **READ_ERRORS}
    ),
    create=extend_schema(
        description="Add an opportunity to an audience you may change (its owner, a lead or a "
        "key).",
        responses={201: OpportunityAnswer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        description="Change any field but the audience; an unchanged body changes nothing.",
        responses={200: OpportunityAnswer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Remove an opportunity (the audit trail keeps what it was).",
        responses={204: OpenApiResponse(description="Deleted."), **READ_ERRORS},
    ),
)
class OpportunityViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Opportunities to improve your audiences' journeys, by id."""

    queryset = Opportunity.objects.all()
    serializer_class = OpportunitySerializer
    filter_backends: list[type] = []  # the list's filters are read below, as alerts' are
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no key
            return Opportunity.objects.none()
        return opportunity_queryset(organisation_id=self.organisation.pk)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = opportunities_prioritised(self._filtered(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _filtered(self, queryset: QuerySet) -> QuerySet:
        """Filters read like the other lists': a slug or e-mail that matches nothing gives an
        empty list, a status not allowed a 400 naming the values."""
        status = choice_param(self.request, "status", STATUS_VALUES)
        slug = slug_param(self.request)
        email = email_param(self.request, "owner")
        if status is not None and status != ALL:
            queryset = queryset.filter(status=status)
        if slug is not None:
            queryset = queryset.filter(audience__slug=slug)
        if email is not None:
            queryset = queryset.filter(owner__email__iexact=email)
        return queryset

    def _actors(self) -> dict[str, Any]:
        return {"actor_user": self.actor_user, "actor_key": self.api_key}

    def _answer(self, opportunity: Opportunity, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=opportunity.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug = serializer.validated_data["audience"]
        audience = (
            self.scoped(Audience.objects.select_related("owner", "organisation"))
            .filter(slug=slug)
            .first()
        )
        if audience is None:
            message = gettext("No audience '%(audience)s' in this organisation.") % {
                "audience": slug
            }
            raise ValidationError({"audience": message}, code="not_found")
        self.check_audience_writable(audience)
        data = _resolve(audience, serializer.validated_data)
        opportunity = services.opportunity_create(audience=audience, data=data, **self._actors())
        return self._answer(opportunity, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opportunity = self.get_object()
        self.check_audience_writable(opportunity.audience)
        serializer = self.get_serializer(opportunity, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("audience", opportunity.audience.slug) != opportunity.audience.slug:
            message = gettext("An opportunity cannot move to another audience.")
            raise ValidationError({"audience": message}, code="immutable")
        opportunity = services.opportunity_update(
            opportunity=opportunity, data=_resolve(opportunity.audience, data), **self._actors()
        )
        return self._answer(opportunity)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opportunity = self.get_object()
        self.check_audience_writable(opportunity.audience)
        services.opportunity_delete(opportunity=opportunity, **self._actors())
        return Response(status=status.HTTP_204_NO_CONTENT)
