from django.urls import re_path

from axreg.api.base import SLUG_REGEX
from measurements.api.metrics_views import AudienceMetricsView

urlpatterns = [
    re_path(
        rf"^audiences/(?P<slug>{SLUG_REGEX})/metrics/?$",
        AudienceMetricsView.as_view(),
        name="api-audience-metrics",
    ),
]
