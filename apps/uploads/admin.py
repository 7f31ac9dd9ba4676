"""The network's uploaded parts in its admin: staff look (status, analysis, errors, the design it became) and change
nothing — an upload is its customer's. The files open through the media view, which checks who asks."""

from django.contrib import admin
from django.core.files.storage import default_storage
from django.utils.html import format_html

from apps.uploads.models import PartUpload


@admin.register(PartUpload)
class PartUploadAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "format", "status", "units", "error_code", "design", "created_at"]
    list_filter = ["status", "file__format", "units"]
    search_fields = ["name", "original_name", "owner__email", "file__sha256"]
    list_select_related = ["owner", "file", "design"]
    fields = [
        "id",
        "name",
        "original_name",
        "owner",
        "status",
        "units",
        "units_from_file",
        "units_chosen",
        "original_file",
        "repaired",
        "preview",
        "analysis",
        "error_code",
        "error_message",
        "repairs",
        "design",
        "analysis_run",
        "created_at",
        "analysed_at",
    ]
    readonly_fields = fields

    @admin.display(description="Format", ordering="file__format")
    def format(self, upload: PartUpload) -> str:
        return upload.file.get_format_display()

    def _link(self, name: str, label: str) -> str:
        return format_html('<a href="{}">{}</a>', default_storage.url(name), label) if name else "—"

    @admin.display(description="Original")
    def original_file(self, upload: PartUpload) -> str:
        return self._link(upload.file.stored_name, f"{upload.original_name} ({upload.file.size:,} bytes)")

    @admin.display(description="Repaired copy")
    def repaired(self, upload: PartUpload) -> str:
        return self._link(upload.repaired_file.stored_name if upload.repaired_file else "", "repaired.stl")

    @admin.display(description="Preview")
    def preview(self, upload: PartUpload) -> str:
        return self._link(upload.preview_name, upload.preview_name.rsplit("/", 1)[-1])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
