from audiences.api.base import SlashOptionalRouter
from audiences.api.views import AudienceViewSet

router = SlashOptionalRouter()
router.register("audiences", AudienceViewSet, basename="api-audience")
urlpatterns = router.urls
