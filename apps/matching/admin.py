"""Matching in the network's admin: settings to edit, runs to read (the back office shows them live)."""

from django.contrib import admin

from apps.matching.models import MatchingRun, MatchingSettings


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "lateness_weight_per_minute",
        "horizon_days",
        "quote_time_limit_ms",
        "updated_at",
    )

    def has_add_permission(self, request):
        # A singleton: the one row, added by those the role table lets add it.
        return super().has_add_permission(request) and not MatchingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MatchingRun)
class MatchingRunAdmin(admin.ModelAdmin):
    list_display = ("id", "mode", "status", "outcome", "order", "objective", "gap", "wall_s", "created_at")
    list_filter = ("mode", "status", "outcome")
    search_fields = ("=id", "=order__id", "reason")
    list_select_related = ("order",)
    readonly_fields = [field.name for field in MatchingRun._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
