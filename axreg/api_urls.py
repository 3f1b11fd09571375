from django.urls import include, path, re_path

from axreg.api.errors import api_not_found

urlpatterns = [
    # The audiences endpoint with its liability filter, which reads every app.
    path("", include("measurements.api.audience_urls")),
    path("", include("journeys.api.urls")),
    path("", include("measurements.api.urls")),
    path("", include("measurements.api.metrics_urls")),
    path("", include("measurements.api.alert_urls")),
    path("", include("webhooks.api.urls")),
    path("", include("measurements.api.followup_urls")),
]

# Last: any other path under /api/v1/ answers a JSON 404 (not Django's HTML page), with or
# without a trailing slash: every API route takes both, so APPEND_SLASH must never redirect
# here (a redirected POST comes back as a GET and stores nothing).
urlpatterns.append(re_path(r"^[\s\S]*$", api_not_found))
