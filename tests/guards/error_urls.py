"""A URLconf for the error-page tests: the app's own, plus a view that fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from axreg.urls import handler400, handler500  # noqa: F401
from axreg.urls import urlpatterns as app_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *app_patterns]
