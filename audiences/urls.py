from django.urls import path

from audiences import views

# The homes (`home`), the list (`list`) and an audience's page (`detail`) show liability, so
# their views are in measurements; axreg/urls.py adds their routes to this namespace.
app_name = "audiences"
urlpatterns = [
    path("audiences/new/", views.audience_create, name="create"),
    path("audiences/top-ten/", views.ranking, name="ranking"),
    path("audiences/top-ten/save/", views.rank, name="rank"),
    path("audiences/top-ten/move/", views.rank_move, name="rank_move"),
    path("audiences/<slug:slug>/edit/", views.audience_edit, name="edit"),
    path("audiences/<slug:slug>/archive/", views.audience_archive, name="archive"),
    path("audiences/<slug:slug>/restore/", views.audience_restore, name="restore"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("switch/", views.switch_organisation, name="switch_organisation"),
    path("audit/", views.audit_list, name="audit"),
    # --- API keys ---
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
