from django.urls import include, path, re_path

from measurements.api.errors import api_not_found

urlpatterns = [
    path("", include("audiences.api.urls")),
    path("", include("measurements.api.urls")),
    path("", include("measurements.api.metrics_urls")),
]

# Last: any other path under /api/v1/ ending in "/" answers a JSON 404 (not Django's HTML page);
# paths without the slash still get APPEND_SLASH.
urlpatterns.append(re_path(r"^(?:[\s\S]*/)?$", api_not_found))
