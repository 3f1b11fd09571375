from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audiences.access import Access, current_membership


class CurrentOrganisationMiddleware:
    """Puts `request.access` (membership of the current organisation, or None) on each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request)
        request.access = Access(membership) if membership else None
        return self.get_response(request)
