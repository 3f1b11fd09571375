import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audiences.access import Access, current_membership


class CurrentOrganisationMiddleware:
    """Puts `request.access` (membership of the current organisation, or None) on each request,
    and shows the pages' times in that organisation's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request)
        request.access = Access(membership) if membership else None
        # The API keeps answering in UTC whoever calls it (a key has no session), so the
        # same request gives the same bytes to a key and to a signed-in browser.
        if membership is None or request.path.startswith("/api/"):
            return self.get_response(request)
        timezone.activate(zoneinfo.ZoneInfo(membership.organisation.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
