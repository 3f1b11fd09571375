"""`/api/v1/stages/` and `/api/v1/touchpoints/`: read an organisation's journey maps, and
change those of audiences you may change. Writes go through `journeys.services`, as the
browser's do (locked per audience, audited with the user or key)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audiences.models import Audience
from axreg.api.base import SLUG_PATTERN, OrgScopedMixin
from axreg.api.filters import slug_param
from axreg.api.schema import READ_ERRORS, WRITE_ERRORS, ValidationErrors
from journeys import services
from journeys.api.serializers import (
    StageAnswer,
    StageSerializer,
    TouchpointSerializer,
    TouchpointWriteSerializer,
)
from journeys.models import Stage, Touchpoint
from journeys.selectors import touchpoint_list

AUDIENCE_PARAM = OpenApiParameter(
    "audience", str, description="Only this audience's (slug).", pattern=SLUG_PATTERN
)


def _audience_param(request: Request) -> str | None:
    return slug_param(request)  # the one reading every list shares (axreg.api.filters)


# A delete is refused, not half-done, while stored responses or support cases carry the
# touchpoint (or one of the stage's): they would lose it for good.
DELETE_ERRORS: dict[int, Any] = {
    **READ_ERRORS,
    400: OpenApiResponse(
        ValidationErrors,
        description="Stored responses or support cases carry the touchpoint (or one of the "
        "stage's): nothing is removed; each error names the touchpoint and the count.",
    ),
}


def _service_errors(exc: DjangoValidationError) -> ValidationError:
    """A model's ValidationError as the API's 400, field by field."""
    if hasattr(exc, "message_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class _JourneyWrites(OrgScopedMixin):
    def _actors(self) -> dict[str, Any]:
        return {"actor_user": self.actor_user, "actor_key": self.api_key}

    def get_object(self) -> Any:
        obj = super().get_object()
        obj.audience = self.scoped(Audience.objects.select_related("organisation")).get(
            pk=obj.audience_id
        )
        return obj


@extend_schema_view(
    list=extend_schema(
        description="Journey stages in order, per audience.",
        parameters=[AUDIENCE_PARAM],
        responses={200: StageAnswer.__class__(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        description="One stage by id.", responses={200: StageAnswer, **READ_ERRORS}
    ),
    create=extend_schema(
        description="Add a stage at the end of its phase in an audience's journey (before, during, "
        "after; later stages move one place right), by its owner, a lead or a key.",
        responses={201: StageAnswer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        description="Change a stage's name, phase or description; an unchanged body changes "
        "nothing.",
        responses={200: StageAnswer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Remove a stage and its touchpoints (metric definitions measured there stay, "
        "without their touchpoint). Refused with 400 while stored responses or support cases "
        "carry one of its touchpoints: move those touchpoints to another stage first.",
        responses={204: OpenApiResponse(description="Deleted."), **DELETE_ERRORS},
    ),
)
class StageViewSet(
    _JourneyWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Stages of your organisation's journey maps, by id."""

    queryset = Stage.objects.all()
    serializer_class = StageSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no key
            return Stage.objects.none()
        stages = self.scoped(Stage.objects.select_related("audience")).order_by(
            "audience__slug", "position", "id"
        )
        audience = _audience_param(self.request) if self.action == "list" else None
        return stages.filter(audience__slug=audience) if audience is not None else stages

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug = serializer.validated_data.pop("audience")
        audience = (
            self.scoped(Audience.objects.select_related("organisation")).filter(slug=slug).first()
        )
        if audience is None:
            raise ValidationError(
                {
                    "audience": gettext("No audience '%(slug)s' in this organisation.")
                    % {"slug": slug}
                }
            )
        self.check_audience_writable(audience)
        try:
            stage = services.stage_create(
                audience=audience, data=serializer.validated_data, **self._actors()
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(self.get_serializer(stage).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stage = self.get_object()
        self.check_audience_writable(stage.audience)
        serializer = self.get_serializer(stage, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("audience", stage.audience.slug) != stage.audience.slug:
            raise ValidationError({"audience": gettext("A stage cannot move to another audience.")})
        try:
            stage = services.stage_update(stage=stage, data=data, **self._actors())
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(self.get_serializer(stage).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stage = self.get_object()
        self.check_audience_writable(stage.audience)
        try:
            services.stage_delete(stage=stage, **self._actors())
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        description="Touchpoints in journey order; `slug` is what results send as `touchpoint`.",
        parameters=[AUDIENCE_PARAM],
        responses={200: TouchpointSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        description="One touchpoint by id.", responses={200: TouchpointSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        description="Add a touchpoint at the bottom of a stage (of an audience you may change).",
        request=TouchpointWriteSerializer,
        responses={201: TouchpointSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        description="Change a touchpoint; a new `stage` (of the same audience) puts it at the "
        "bottom of that stage.",
        request=TouchpointWriteSerializer,
        responses={200: TouchpointSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Remove a touchpoint (metric definitions measured there stay, without it). "
        "Refused with 400 while stored responses or support cases carry it: rename it or move "
        "it to another stage instead.",
        responses={204: OpenApiResponse(description="Deleted."), **DELETE_ERRORS},
    ),
)
class TouchpointViewSet(
    _JourneyWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Touchpoints of your organisation's journey maps, in journey order, by id."""

    queryset = Touchpoint.objects.all()
    serializer_class = TouchpointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self) -> type:
        if self.action in ("create", "partial_update"):
            return TouchpointWriteSerializer
        return TouchpointSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no key
            return Touchpoint.objects.none()
        audience = _audience_param(self.request) if self.action == "list" else None
        return touchpoint_list(organisation=self.organisation, audience_slug=audience)

    def _stage(self, stage_id: int, audience: Audience | None = None) -> Stage:
        stages = self.scoped(Stage.objects.select_related("audience__organisation"))
        if audience is not None:
            stages = stages.filter(audience=audience)
        stage = stages.filter(pk=stage_id).first()
        if stage is None:
            message = (
                gettext("No stage %(id)s of the audience '%(slug)s'.")
                % {"id": stage_id, "slug": audience.slug}
                if audience
                else gettext("No stage %(id)s in this organisation.") % {"id": stage_id}
            )
            raise ValidationError({"stage": message})
        return stage

    def _answer(self, touchpoint: Touchpoint, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=touchpoint.pk)
        return Response(TouchpointSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stage = self._stage(data.pop("stage"))
        self.check_audience_writable(stage.audience)
        try:
            touchpoint = services.touchpoint_create(stage=stage, data=data, **self._actors())
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return self._answer(touchpoint, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        touchpoint = self.get_object()
        self.check_audience_writable(touchpoint.audience)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "stage" in data:
            data["stage"] = self._stage(data["stage"], touchpoint.audience)
        try:
            touchpoint = services.touchpoint_update(
                touchpoint=touchpoint, data=data, **self._actors()
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return self._answer(touchpoint)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        touchpoint = self.get_object()
        self.check_audience_writable(touchpoint.audience)
        try:
            services.touchpoint_delete(touchpoint=touchpoint, **self._actors())
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
