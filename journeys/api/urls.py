from axreg.api.base import SlashOptionalRouter
from journeys.api.views import TouchpointViewSet

router = SlashOptionalRouter()
router.register("touchpoints", TouchpointViewSet, basename="api-touchpoint")
urlpatterns = router.urls
