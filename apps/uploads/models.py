"""Uploaded CAD files: the stored blob (CadFile, once per content in a network) and the customer's part made of it
(PartUpload: its units, analysis status and result, repairs, and the catalog design it became)."""

import uuid

from django.conf import settings
from django.db import models

from apps.uploads.analysis.result import FileFormat, Units
from apps.uploads.status import UploadStatus

FORMAT_LABELS = {
    FileFormat.STL: "STL",
    FileFormat.THREE_MF: "3MF",
    FileFormat.OBJ: "OBJ",
    FileFormat.DXF: "DXF",
    FileFormat.STEP: "STEP",
}
FORMAT_CHOICES = [(fmt.value, label) for fmt, label in FORMAT_LABELS.items()]
UNITS_CHOICES = [(Units.MM.value, "millimetres"), (Units.INCH.value, "inches")]


class CadFile(models.Model):
    """The bytes of one uploaded file, stored once per content in the network's media storage under
    `uploads/<sha256[:2]>/<sha256>/original.<ext>`; uploading the same content again reuses this row."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    format = models.CharField(max_length=8, choices=FORMAT_CHOICES)
    stored_name = models.CharField(
        max_length=200, unique=True, help_text="Name in the network's media storage."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "CAD file"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="uploads_cadfile_sha256_hex"
            ),
        ]

    def __str__(self):
        return f"{self.format} {self.sha256[:12]}"

    @property
    def folder(self) -> str:
        """The storage folder of this content: the original, the analysis outputs and repaired copies live here."""
        return self.stored_name.rsplit("/", 1)[0]


class PartUpload(models.Model):
    """A customer's uploaded part: which file, in which units, and what its analysis found.

    `repaired_file` is set after an automatic repair: the part is then analysed from it, while `file` keeps the
    original as uploaded; `repairs` records what the repair changed. `design` is the catalog design the part
    became once the customer chose its options (apps/uploads/designs.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="part_uploads")
    file = models.ForeignKey(CadFile, on_delete=models.PROTECT, related_name="uploads")
    repaired_file = models.ForeignKey(
        CadFile, on_delete=models.PROTECT, null=True, blank=True, related_name="repaired_uploads"
    )
    original_name = models.CharField(max_length=255, help_text="The file's name on the customer's computer.")
    name = models.CharField(max_length=100)
    units = models.CharField(max_length=8, choices=UNITS_CHOICES, default=Units.MM.value)
    units_from_file = models.BooleanField(
        default=False,
        help_text="The file states its units (else the customer chose them, or the default applies).",
    )
    units_chosen = models.BooleanField(
        default=False, help_text="The customer chose the units (they win over what the file says)."
    )
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    analysis = models.JSONField(null=True, blank=True, help_text="Analysis.to_json() of the last analysis.")
    analysis_run = models.PositiveIntegerField(
        default=0,
        help_text="Increases each time an analysis is asked for; a task for an older run does nothing.",
    )
    preview_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The analysis's preview (GLB or SVG) in the network's media storage.",
    )
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    repairs = models.JSONField(default=list, blank=True, help_text="What each automatic repair changed.")
    design = models.OneToOneField(
        "catalog.Design", null=True, blank=True, on_delete=models.SET_NULL, related_name="part_upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="uploads_part_owner_created")]

    def __str__(self):
        return self.name

    @property
    def analysed_file(self) -> CadFile:
        """The file the analysis reads: the repaired copy once there is one, else the original."""
        return self.repaired_file or self.file
