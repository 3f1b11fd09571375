from django.urls import path
from rest_framework.routers import SimpleRouter

from measurements.api import views

router = SimpleRouter()
router.register("responses", views.ResponseViewSet, basename="api-response")
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("revenue-events", views.RevenueEventViewSet, basename="api-revenue-event")
router.register("members", views.MemberViewSet, basename="api-member")

definitions = views.DefinitionViewSet
urlpatterns = [
    path(
        "metric-definitions/",
        definitions.as_view({"get": "list", "post": "create"}),
        name="api-definition-list",
    ),
    path(
        "metric-definitions/<str:audience>/<str:slug>/",
        definitions.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-definition-detail",
    ),
    *router.urls,
]
