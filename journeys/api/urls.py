from axreg.api.base import SlashOptionalRouter
from journeys.api.views import StageViewSet, TouchpointViewSet

router = SlashOptionalRouter()
router.register("stages", StageViewSet, basename="api-stage")
router.register("touchpoints", TouchpointViewSet, basename="api-touchpoint")
urlpatterns = router.urls
