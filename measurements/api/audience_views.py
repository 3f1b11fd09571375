"""`/api/v1/audiences/` as served: the audiences endpoint with the `liability` filter.

The endpoint itself is `audiences.api.views.AudienceViewSet`; only its list filter, which reads
journeys and measurements through the liability rule, is added here.
"""

from __future__ import annotations

from audiences.api import views as audience_views
from audiences.api.views import AudienceApiFilter
from measurements.filters import REGISTRY_FIELDS, liability_filter


class RegistryApiFilter(AudienceApiFilter):
    """The API's audience filters and operational liability, as on the registry page."""

    liability = liability_filter()

    class Meta(AudienceApiFilter.Meta):
        fields = REGISTRY_FIELDS


class AudienceViewSet(audience_views.AudienceViewSet):
    """Audiences of your organisation, addressed by slug."""

    filterset_class = RegistryApiFilter
