"""The one choke point for tenancy and roles in the browser.

Every view fetches organisation-owned objects through `org_object_or_404` and asks
`can_edit_audience` before writing, so isolation is decided in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from audiences.models import Audience, Membership, Organisation, Role

SESSION_KEY = "current_organisation_id"


@dataclass(frozen=True)
class Access:
    """The signed-in user's standing in their current organisation."""

    membership: Membership

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    def owns(self, audience: Audience) -> bool:
        owner = audience.owner
        return owner is not None and owner.user_id == self.membership.user_id

    def can_edit_audience(self, audience: Audience) -> bool:
        if audience.organisation_id != self.membership.organisation_id:
            return False
        return self.is_lead or (self.role == Role.OWNER and self.owns(audience))


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the organisation the user is working in (chosen in the session)."""
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.for_user(request.user).select_related("organisation", "user")
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        for membership in memberships:
            if membership.organisation_id == wanted:
                return membership
    # The first organisation the user joined is their home until they switch.
    return memberships.order_by("created_at", "id").first()


def member_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in users with a membership only; anyone else goes to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.is_authenticated or request.access is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def lead_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.access.is_lead:
            raise PermissionDenied(gettext("Only a lead of this organisation can do that."))
        return view(request, *args, **kwargs)

    return wrapper


def org_object_or_404(request: HttpRequest, queryset: QuerySet | type[Model], **lookup: Any) -> Any:
    """Fetch an object of the current organisation; another organisation's answers 404."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.for_org(request.access.organisation).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("No such object in this organisation.")) from exc


def audience_for_edit(request: HttpRequest, slug: str) -> Audience:
    """The current organisation's audience by slug, refusing users who may not edit it."""
    audience = org_object_or_404(request, Audience.objects.select_related("owner"), slug=slug)
    if not request.access.can_edit_audience(audience):
        raise PermissionDenied(gettext("You can only change audiences you own."))
    return audience
