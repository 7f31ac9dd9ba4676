import uuid

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", "Preparing"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class NetworkExport(models.Model):
    """A file with all of the network's data, prepared for its owner (apps/backoffice/exports.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PREPARING)
    file_name = models.CharField(max_length=200, blank=True, help_text="In the network's private storage.")
    size_bytes = models.BigIntegerField(null=True, blank=True)
    table_count = models.PositiveIntegerField(null=True, blank=True)
    row_count = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
