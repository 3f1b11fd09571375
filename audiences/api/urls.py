from audiences.api.views import AudienceViewSet
from axreg.api.base import SlashOptionalRouter

router = SlashOptionalRouter()
router.register("audiences", AudienceViewSet, basename="api-audience")
urlpatterns = router.urls
