"""Shapes of the uploads API: what a client sends (a file, units) and what it reads (status, analysis, files)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.uploads.analysis.result import KIND_OF_FORMAT, FileFormat, PartKind, Severity, Units
from apps.uploads.models import PartUpload
from apps.uploads.selectors import upload_file_urls
from apps.uploads.status import UploadStatus

UNITS = [(units.value, units.value) for units in Units]


class UploadCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="An STL, 3MF, OBJ, DXF or STEP file of at most 100 MB, checked by its content."
    )
    units = serializers.ChoiceField(
        choices=UNITS,
        required=False,
        help_text="The file's units when you know them; otherwise those the file states apply, else mm.",
    )
    name = serializers.CharField(required=False, max_length=100, help_text="Defaults to the file's name.")


class UnitsSerializer(serializers.Serializer):
    units = serializers.ChoiceField(choices=UNITS)


class MarkerSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()
    z = serializers.FloatField()
    radius_mm = serializers.FloatField()
    ref = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='Stable, e.g. "mesh_not_watertight".')
    severity = serializers.ChoiceField(choices=[(s.value, s.value) for s in Severity])
    message = serializers.CharField()
    fix = serializers.CharField(help_text="What to change.")
    where = MarkerSerializer(many=True, help_text="Places to highlight, in the part's coordinates (mm).")
    repairable = serializers.BooleanField()


class AnalysisSerializer(serializers.Serializer):
    """Analysis.to_json() (apps/uploads/analysis/result.py): every length in millimetres."""

    format = serializers.ChoiceField(choices=[(f.value, f.value) for f in FileFormat])
    kind = serializers.ChoiceField(choices=[(k.value, k.value) for k in PartKind])
    units = serializers.ChoiceField(choices=UNITS)
    units_from_file = serializers.BooleanField()
    features = serializers.DictField(
        help_text="Measured features of the kind: size_mm, volume_mm3, triangles… (mesh), cut_length_mm, "
        "pierces, hole_diameters_mm… (profile), stock_volume_mm3, removal_volume_mm3… (solid)."
    )
    findings = FindingSerializer(many=True)
    preview = serializers.CharField()
    seconds = serializers.FloatField()
    peak_memory_mb = serializers.FloatField()
    extra = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class UploadSerializer(serializers.ModelSerializer):
    format = serializers.CharField(source="file.format")
    kind = serializers.SerializerMethodField()
    size = serializers.IntegerField(source="file.size", help_text="Bytes, as uploaded.")
    status = serializers.ChoiceField(choices=UploadStatus.choices)
    units = serializers.ChoiceField(choices=UNITS)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PartUpload
        fields = [
            "id",
            "url",
            "name",
            "original_name",
            "format",
            "kind",
            "size",
            "status",
            "units",
            "units_from_file",
            "units_chosen",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=[(k.value, k.value) for k in PartKind]))
    def get_kind(self, upload: PartUpload) -> str:
        return KIND_OF_FORMAT[FileFormat(upload.file.format)].value

    def get_url(self, upload: PartUpload) -> str:
        return reverse("uploads_api:upload-detail", kwargs={"upload_id": upload.pk})


class UploadDetailSerializer(UploadSerializer):
    analysis = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    repairable = serializers.SerializerMethodField()
    repairs = serializers.ListField(
        child=serializers.DictField(), help_text="What each automatic repair changed."
    )
    original_url = serializers.SerializerMethodField()
    repaired_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()
    design = serializers.IntegerField(source="design_id", allow_null=True, help_text="The design it became.")

    class Meta(UploadSerializer.Meta):
        fields = [
            *UploadSerializer.Meta.fields,
            "analysed_at",
            "analysis",
            "error",
            "repairable",
            "repairs",
            "original_url",
            "repaired_url",
            "preview_url",
            "design",
        ]

    @extend_schema_field(AnalysisSerializer(allow_null=True))
    def get_analysis(self, upload: PartUpload) -> dict | None:
        return upload.analysis if upload.status == UploadStatus.READY else None

    @extend_schema_field(ErrorSerializer(allow_null=True))
    def get_error(self, upload: PartUpload) -> dict | None:
        if upload.status != UploadStatus.FAILED:
            return None
        return {"code": upload.error_code, "message": upload.error_message}

    def get_repairable(self, upload: PartUpload) -> bool:
        analysis = self.get_analysis(upload) or {}
        return any(finding.get("repairable") for finding in analysis.get("findings", ()))

    def _urls(self, upload: PartUpload) -> dict[str, str]:
        if not hasattr(upload, "_file_urls"):
            upload._file_urls = upload_file_urls(upload)
        return upload._file_urls

    def get_original_url(self, upload: PartUpload) -> str:
        return self._urls(upload)["original_url"]

    def get_repaired_url(self, upload: PartUpload) -> str:
        return self._urls(upload)["repaired_url"]

    def get_preview_url(self, upload: PartUpload) -> str:
        return self._urls(upload)["preview_url"]
