from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from audiences import urls as audience_urls
from audiences.forms import EmailAuthenticationForm
from audiences.language import set_language
from axreg.api.errors import api_not_found
from journeys import urls as journey_urls
from measurements import urls as measurement_urls

# One namespace over two apps: the pages that show measurements (liability, alerts, the
# metrics at a touchpoint) have their views in measurements, since audiences and journeys do
# not import it, while templates keep naming them `audiences:home`, `journeys:map`…
registry_urls = (
    audience_urls.urlpatterns + measurement_urls.registry_urlpatterns,
    audience_urls.app_name,
)
journey_map_urls = (
    journey_urls.urlpatterns + measurement_urls.journey_urlpatterns,
    journey_urls.app_name,
)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# A database outage raised in a middleware (the session lookup) answers 503, not 500.
handler500 = "axreg.middleware.server_error"
# A request Django cannot read (too many query parameters…) answers JSON under /api/.
handler400 = "axreg.middleware.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="audiences:home", permanent=False)),
    # Failed sign-ins are counted and locked out by django-axes (settings.AXES_*).
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=EmailAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The switch in the header; signed out too (the sign-in page has it).
    path("language/", set_language, name="set_language"),
    # The interface's words for static/js (gettext() there), in the request's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("app/", include(registry_urls)),
    path("app/", include(journey_map_urls)),
    path("app/", include("measurements.urls")),
    path("app/webhooks/", include("webhooks.urls")),
    path("api/v1/", include("axreg.api_urls")),
    # With or without the slash, like every API path; anything else under /api answers a JSON
    # 404 instead of an APPEND_SLASH redirect (which turns a POST into a GET, or a 500).
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="api-schema"),
    re_path(
        r"^api/docs/?$",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    re_path(r"^api(?:/[\s\S]*)?$", api_not_found),
]
