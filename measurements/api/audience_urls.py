from axreg.api.base import SlashOptionalRouter
from measurements.api.audience_views import AudienceViewSet

# The audiences endpoint with its liability filter (see audience_views); axreg/urls.py puts
# these routes before the rest of the API.
router = SlashOptionalRouter()
router.register("audiences", AudienceViewSet, basename="api-audience")
urlpatterns = router.urls
