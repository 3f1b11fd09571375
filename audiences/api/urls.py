from rest_framework.routers import SimpleRouter

from audiences.api.views import AudienceViewSet

router = SimpleRouter()
router.register("audiences", AudienceViewSet, basename="api-audience")
urlpatterns = router.urls
