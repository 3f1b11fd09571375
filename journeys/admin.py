from django.contrib import admin

from journeys.models import Persona, PersonaQuote, Stage, Touchpoint


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "audience", "phase", "position", "organisation"]
    list_filter = ["organisation", "phase"]
    search_fields = ["name", "audience__name"]
    list_select_related = ["audience", "organisation"]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "stage", "audience", "channel", "owner"]
    list_filter = ["organisation", "channel"]
    search_fields = ["name", "slug", "audience__name"]
    list_select_related = ["stage", "audience", "owner"]
    raw_id_fields = ["stage", "owner"]


class PersonaQuoteInline(admin.TabularInline):
    model = PersonaQuote
    extra = 1


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "audience", "organisation", "updated_at"]
    list_filter = ["organisation"]
    search_fields = ["name", "role", "audience__name"]
    list_select_related = ["audience", "organisation"]
    inlines = [PersonaQuoteInline]
