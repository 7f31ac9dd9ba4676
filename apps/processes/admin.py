from django.contrib import admin

from apps.core.jsonlimits import BOUNDED_JSON_FORM_FIELDS
from apps.processes.models import Process


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    formfield_overrides = BOUNDED_JSON_FORM_FIELDS
    list_display = ["code", "name", "materials", "max_length_mm", "max_width_mm", "max_height_mm", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
