from django.contrib import admin

from apps.core.jsonlimits import BOUNDED_JSON_FORM_FIELDS
from apps.processes.models import Process, ProcessRate


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    formfield_overrides = BOUNDED_JSON_FORM_FIELDS
    list_display = ["code", "name", "materials", "max_length_mm", "max_width_mm", "max_height_mm", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


@admin.register(ProcessRate)
class ProcessRateAdmin(admin.ModelAdmin):
    """The rates uploaded parts are compiled from; each workshop's own pace is its resource's speed factor."""

    formfield_overrides = BOUNDED_JSON_FORM_FIELDS
    list_display = [
        "process",
        "kind",
        "material",
        "thickness_mm",
        "setup_minutes",
        "min_wall_mm",
        "updated_at",
    ]
    list_filter = ["kind", "process"]
    search_fields = ["process__code", "process__name", "material"]
    list_select_related = ["process"]
    fieldsets = [
        (None, {"fields": ["process", "kind", "material", "thickness_mm", "setup_minutes", "min_wall_mm"]}),
        (
            "Printing",
            {
                "fields": [
                    "deposition_cm3_per_hour",
                    "build_mm_per_hour",
                    "density_g_per_cm3",
                    "infill_percents",
                    "colours",
                ]
            },
        ),
        ("Cutting", {"fields": ["cut_mm_per_minute", "pierce_seconds"]}),
        ("Bending and coating", {"fields": ["minutes_per_bend", "minutes_per_m2"]}),
        ("Machining", {"fields": ["removal_cm3_per_hour", "tolerance_factors"]}),
        (
            "Finishes and material",
            {"fields": ["finish_minutes", "material_minor_per_kg", "material_minor_per_m2"]},
        ),
    ]
