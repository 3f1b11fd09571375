from django.urls import path

from measurements.views import alerts as alert_views
from measurements.views import (
    dashboards,
    followups,
    imports,
    journeys,
    opportunities,
    plans,
    registry,
)

app_name = "measurements"
urlpatterns = [
    # --- plans and metric definitions (measurements/views/plans.py) ---
    path("audiences/<slug:slug>/measurement/", plans.plan, name="plan"),
    path("audiences/<slug:slug>/measurement/plan/edit/", plans.plan_edit, name="plan_edit"),
    path(
        "audiences/<slug:slug>/measurement/plan/reviewed/",
        plans.plan_reviewed,
        name="plan_reviewed",
    ),
    path(
        "audiences/<slug:slug>/measurement/metrics/new/",
        plans.definition_create,
        name="definition_create",
    ),
    path(
        "audiences/<slug:slug>/measurement/metrics/<int:definition_id>/edit/",
        plans.definition_edit,
        name="definition_edit",
    ),
    path(
        "audiences/<slug:slug>/measurement/metrics/<int:definition_id>/active/",
        plans.definition_active,
        name="definition_active",
    ),
    # --- CSV import (measurements/views/imports.py) ---
    path("audiences/<slug:slug>/import/", imports.import_upload, name="import"),
    path("audiences/<slug:slug>/import/confirm/", imports.import_confirm, name="import_confirm"),
    path(
        "audiences/<slug:slug>/import/template.csv",
        imports.import_template,
        name="import_template",
    ),
    # --- dashboards (measurements/views/dashboards.py) ---
    path("audiences/<slug:slug>/dashboard/", dashboards.dashboard, name="dashboard"),
    path("audiences/<slug:slug>/dashboard.csv", dashboards.export_csv, name="dashboard_csv"),
    path("overview/", dashboards.overview, name="overview"),
    path("overview.csv", dashboards.export_csv, name="overview_csv"),
    path("health/", dashboards.health, name="health"),
    path("compare/", dashboards.compare, name="compare"),
    # --- follow-ups (measurements/views/followups.py) ---
    path("follow-ups/", followups.followup_list, name="followups"),
    path("follow-ups/target/", followups.followup_target, name="followup_target"),
    path("follow-ups/<int:pk>/", followups.followup_detail, name="followup_detail"),
    # --- opportunities (measurements/views/opportunities.py) ---
    path("opportunities/", opportunities.organisation_list, name="opportunities"),
    path(
        "audiences/<slug:slug>/opportunities/",
        opportunities.audience_list,
        name="opportunity_list",
    ),
    path(
        "audiences/<slug:slug>/opportunities/new/",
        opportunities.create,
        name="opportunity_create",
    ),
    path(
        "audiences/<slug:slug>/opportunities/<int:opportunity_id>/",
        opportunities.detail,
        name="opportunity_detail",
    ),
    path(
        "audiences/<slug:slug>/opportunities/<int:opportunity_id>/edit/",
        opportunities.edit,
        name="opportunity_edit",
    ),
    path(
        "audiences/<slug:slug>/opportunities/<int:opportunity_id>/status/",
        opportunities.status,
        name="opportunity_status",
    ),
    path(
        "audiences/<slug:slug>/opportunities/<int:opportunity_id>/delete/",
        opportunities.delete,
        name="opportunity_delete",
    ),
]

# --- alerts (measurements/views/alerts.py) ---
urlpatterns += [
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alert_views.alert_detail, name="alert_detail"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        alert_views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("alerts/<int:alert_id>/resolve/", alert_views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:alert_id>/note/", alert_views.alert_note, name="alert_note"),
]

# The registry pages that show liability and alerts read all three apps, so their views live
# here; axreg/urls.py serves these routes under the `audiences:` names they have always had,
# after the routes of `audiences.urls` (whose `audiences/new/` must win over a slug).
registry_urlpatterns = [
    path("", registry.home, name="home"),
    path("audiences/", registry.audience_list, name="list"),
    path("audiences/<slug:slug>/", registry.audience_detail, name="detail"),
]

# The journey pages that show the metrics measured at each touchpoint, likewise served under
# their `journeys:` names.
_journey = "audiences/<slug:slug>/journey/"
journey_urlpatterns = [
    path(_journey, journeys.journey_map, name="map"),
    path(_journey + "stages/<int:stage_id>/delete/", journeys.stage_delete, name="stage_delete"),
    path(
        _journey + "touchpoints/<int:touchpoint_id>/delete/",
        journeys.touchpoint_delete,
        name="touchpoint_delete",
    ),
]
