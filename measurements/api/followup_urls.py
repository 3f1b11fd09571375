from axreg.api.base import SlashOptionalRouter
from measurements.api.followup_views import FollowUpViewSet

router = SlashOptionalRouter()
router.register("followups", FollowUpViewSet, basename="api-followup")
urlpatterns = router.urls
