"""Admin for every measurement model: plans and definitions editable; pushed data and derived
tables are read-only (they come from the API and the rollup jobs, and editing them by hand
would put the rollups out of step)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from measurements.models import (
    Alert,
    AudienceMember,
    DailyScoreCount,
    MeasurementPlan,
    MetricDefinition,
    Response,
    RevenueEvent,
    Rollup,
    StaleMark,
    SupportCase,
)
from measurements.services import definition_validate


class MetricDefinitionAdminForm(forms.ModelForm):
    """Holds admin edits to the same rules as the browser and the API."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.instance.audience_id and not self.errors:
            try:
                definition_validate(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable and deletable (for clean-ups), never added or changed by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeasurementPlan)
class MeasurementPlanAdmin(admin.ModelAdmin):
    list_display = ["audience", "organisation", "cadence", "run_by", "last_reviewed_on"]
    list_filter = ["organisation"]
    search_fields = ["audience__name", "process"]
    list_select_related = ["audience", "organisation"]


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    form = MetricDefinitionAdminForm
    list_display = ["name", "slug", "kind", "audience", "organisation", "target", "active"]
    list_filter = ["organisation", "kind", "active"]
    search_fields = ["name", "slug", "audience__name"]
    list_select_related = ["audience", "organisation"]
    raw_id_fields = ["touchpoint"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["definition", "score", "responded_at", "local_date", "external_id"]
    list_filter = ["organisation", "definition__kind", "local_date"]
    search_fields = ["external_id", "respondent", "comment"]
    list_select_related = ["definition"]
    date_hierarchy = "responded_at"


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "audience", "opened_at", "resolved_at", "channel"]
    list_filter = ["organisation", "channel"]
    search_fields = ["external_id"]
    list_select_related = ["audience"]


@admin.register(RevenueEvent)
class RevenueEventAdmin(ReadOnlyAdmin):
    list_display = ["member", "amount", "currency", "occurred_at", "audience"]
    list_filter = ["organisation", "currency"]
    search_fields = ["member", "external_id"]
    list_select_related = ["audience"]


@admin.register(AudienceMember)
class AudienceMemberAdmin(ReadOnlyAdmin):
    list_display = ["member", "audience", "joined_at", "left_at"]
    list_filter = ["organisation"]
    search_fields = ["member"]
    list_select_related = ["audience"]


@admin.register(StaleMark)
class StaleMarkAdmin(ReadOnlyAdmin):
    list_display = ["definition", "day", "created_at"]
    list_filter = ["organisation"]


@admin.register(DailyScoreCount)
class DailyScoreCountAdmin(ReadOnlyAdmin):
    list_display = ["definition", "day", "score", "count"]
    list_filter = ["organisation"]


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = ["definition", "granularity", "period_start", "value", "n", "computed_at"]
    list_filter = ["organisation", "granularity", "definition__kind"]
    list_select_related = ["definition"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts may be acknowledged or resolved by hand; their numbers stay as recorded."""

    list_display = ["definition", "period_start", "value", "threshold", "created_at", "resolved_at"]
    list_filter = ["organisation", "granularity", "resolved_at"]
    readonly_fields = [
        "organisation",
        "audience",
        "definition",
        "granularity",
        "period_start",
        "value",
        "threshold",
        "created_at",
        "emailed_at",
        "notified_to",
    ]
    list_select_related = ["definition"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False
