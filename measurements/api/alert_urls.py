from axreg.api.base import SlashOptionalRouter
from measurements.api.alert_views import AlertViewSet

router = SlashOptionalRouter()
router.register("alerts", AlertViewSet, basename="api-alert")
urlpatterns = router.urls
