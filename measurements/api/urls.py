from django.urls import re_path

from axreg.api.base import PATH_SEGMENT, SlashOptionalRouter
from measurements.api import views
from measurements.api.opportunities import OpportunityViewSet

# Every path answers with and without its trailing slash (see SlashOptionalRouter).
router = SlashOptionalRouter()
router.register("responses", views.ResponseViewSet, basename="api-response")
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("revenue-events", views.RevenueEventViewSet, basename="api-revenue-event")
router.register("members", views.MemberViewSet, basename="api-member")
router.register("opportunities", OpportunityViewSet, basename="api-opportunity")

definitions = views.DefinitionViewSet
urlpatterns = [
    re_path(
        r"^metric-definitions/?$",
        definitions.as_view({"get": "list", "post": "create"}),
        name="api-definition-list",
    ),
    re_path(
        rf"^metric-definitions/(?P<audience>{PATH_SEGMENT})/(?P<slug>{PATH_SEGMENT})/?$",
        definitions.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-definition-detail",
    ),
    *router.urls,
]
