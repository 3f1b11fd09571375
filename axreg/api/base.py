"""The one base for every API view: resolves the organisation and scopes every query to it.

For an API key the organisation is the key's; for a browser session it is the user's current
organisation (`request.access`). Every queryset goes through `.for_org(org)` and every slug
lookup is scoped, so two organisations may both have an audience `customers`.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from audiences.models import ApiKey, Audience, Organisation, Role
from axreg.api.authentication import ApiKeyPrincipal
from axreg.api.errors import NOT_FOUND
from axreg.api.parsers import BulkJSONParser
from axreg.api.throttles import ApiKeyRateThrottle

# What a slug may look like in a path or a query: anything else (a NUL byte, junk) is a JSON
# 404 before it reaches the database. Paths match any segment so that the API, not Django's
# HTML page, answers that 404.
SLUG_REGEX = r"[-a-zA-Z0-9_]+"
SLUG_PATTERN = f"^{SLUG_REGEX}$"  # for the schema: a pattern matches the whole value
SLUG_RE = re.compile(SLUG_PATTERN)
PATH_SEGMENT = r"[^/]+"


class SlashOptionalRouter(SimpleRouter):
    """Routes that answer with and without the trailing slash.

    A missing slash would otherwise get APPEND_SLASH's 301 (a 500 under DEBUG); clients that
    follow it re-send a POST as a GET, see 200 and store nothing. SimpleRouter only takes a
    bool, so the pattern is set after it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


class OrganisationMember(permissions.BasePermission):
    """Keys write everything in their organisation; session viewers only read."""

    message = _("Viewers can read but not change anything.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.user, ApiKeyPrincipal):
            return True
        access = getattr(request, "access", None)
        if access is None:
            self.message = gettext("You are not a member of any organisation.")
            return False
        return request.method in permissions.SAFE_METHODS or access.role != Role.VIEWER


class OrgScopedMixin:
    """Mix into every API view: `self.organisation`, scoped querysets, actor and write checks.

    Every view that uses it gives its own docstring: the schema publishes it (inherited
    docstrings, like this one, would be published too).
    """

    permission_classes = [permissions.IsAuthenticated, OrganisationMember]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [BulkJSONParser]
    lookup_value_regex = PATH_SEGMENT
    request: Request

    @cached_property
    def organisation(self) -> Organisation:
        user = self.request.user
        if isinstance(user, ApiKeyPrincipal):
            return user.organisation
        access = getattr(self.request, "access", None)
        if access is None:
            raise PermissionDenied(gettext("You are not a member of any organisation."))
        return access.organisation

    @property
    def api_key(self) -> ApiKey | None:
        user = self.request.user
        return user.api_key if isinstance(user, ApiKeyPrincipal) else None

    @property
    def actor_user(self) -> Any:
        return None if self.api_key is not None else self.request.user

    def scoped(self, queryset: QuerySet) -> QuerySet:
        return queryset.for_org(self.organisation)

    def get_queryset(self) -> QuerySet:
        return self.scoped(self.queryset.all())

    def get_object(self) -> Any:
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if not SLUG_RE.match(lookup):
            raise NotFound(NOT_FOUND)
        return super().get_object()

    def can_write_audience(self, audience: Audience) -> bool:
        if self.api_key is not None:
            return audience.organisation_id == self.organisation.pk
        return self.request.access.can_edit_audience(audience)

    def check_audience_writable(self, audience: Audience) -> None:
        if not self.can_write_audience(audience):
            raise PermissionDenied(
                gettext("You can only change audiences you own ('%(audience)s').")
                % {"audience": audience.slug}
            )

    def audience_by_slug(self, slug: str, *, queryset: QuerySet | None = None) -> Audience:
        qs = queryset if queryset is not None else Audience.objects.select_related("owner")
        not_found = gettext("No audience '%(audience)s' in this organisation.") % {"audience": slug}
        if not SLUG_RE.match(slug):
            raise NotFound(not_found)
        try:
            return self.scoped(qs).get(slug=slug)
        except (Audience.DoesNotExist, ValueError) as exc:
            raise NotFound(not_found) from exc


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer key in the OpenAPI schema (loaded with the views)."""

    target_class = "axreg.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation key: `Authorization: Bearer axr_<prefix>_<secret>`.",
        }
