from django.urls import path

from journeys import views

# The map (`map`) and the delete confirmations (`stage_delete`, `touchpoint_delete`) show the
# metrics measured at each touchpoint, so their views are in measurements; axreg/urls.py adds
# their routes to this namespace.
app_name = "journeys"

_journey = "audiences/<slug:slug>/journey/"
_personas = "audiences/<slug:slug>/personas/"

urlpatterns = [
    path(_journey + "stages/new/", views.stage_form, name="stage_create"),
    path(_journey + "stages/<int:stage_id>/edit/", views.stage_form, name="stage_edit"),
    path(_journey + "stages/<int:stage_id>/move/", views.stage_move, name="stage_move"),
    path(_journey + "stages/order/", views.stage_reorder, name="stage_reorder"),
    path(
        _journey + "stages/<int:stage_id>/touchpoints/order/",
        views.touchpoint_reorder,
        name="touchpoint_reorder",
    ),
    path(
        _journey + "stages/<int:stage_id>/touchpoints/new/",
        views.touchpoint_form,
        name="touchpoint_create",
    ),
    path(
        _journey + "touchpoints/<int:touchpoint_id>/edit/",
        views.touchpoint_form,
        name="touchpoint_edit",
    ),
    path(
        _journey + "touchpoints/<int:touchpoint_id>/move/",
        views.touchpoint_move,
        name="touchpoint_move",
    ),
    path(_personas, views.personas, name="personas"),
    path(_personas + "new/", views.persona_form, name="persona_create"),
    path(_personas + "<int:persona_id>/edit/", views.persona_form, name="persona_edit"),
    path(_personas + "<int:persona_id>/delete/", views.persona_delete, name="persona_delete"),
]
