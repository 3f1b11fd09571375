"""Django admin for the registry. Audit entries and API key hashes are read-only here."""

from django.contrib import admin

from audiences.models import ApiKey, Audience, AuditEntry, Membership, Organisation, Person


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "title", "department", "organisation", "user"]
    list_filter = ["organisation", "department"]
    search_fields = ["name", "email", "title", "department"]
    autocomplete_fields = ["user"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "stage", "rank", "owner", "archived"]
    list_filter = ["organisation", "kind", "stage", "archived"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["organisation", "owner"]
    autocomplete_fields = ["owner"]
    ordering = ["organisation", "rank", "name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "organisation", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    search_fields = ["name", "prefix"]
    # Keys are issued in the app (the secret is shown once); the admin only shows what is stored.
    readonly_fields = ["prefix", "hashed_key", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "organisation", "action", "object_type", "object_repr", "actor_user"]
    list_filter = ["organisation", "action", "object_type"]
    search_fields = ["object_repr", "actor_user__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
