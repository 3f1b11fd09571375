from axreg.api.base import SlashOptionalRouter
from webhooks.api.views import WebhookEndpointViewSet

router = SlashOptionalRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="api-webhook")
urlpatterns = router.urls
