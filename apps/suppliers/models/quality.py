"""What an asset owner can show and what it has delivered: certifications and recorded outcomes."""

from django.db import models
from django.db.models import Q

from apps.suppliers.models.participants import AssetOwner
from apps.suppliers.uploads import certificate_file_validate, certificate_upload_to


class CertificationStandard(models.TextChoices):
    ISO_9001 = "iso_9001", "ISO 9001 (quality management)"
    ISO_14001 = "iso_14001", "ISO 14001 (environmental management)"
    ISO_45001 = "iso_45001", "ISO 45001 (occupational health and safety)"
    ISO_13485 = "iso_13485", "ISO 13485 (medical devices)"
    IATF_16949 = "iatf_16949", "IATF 16949 (automotive)"
    AS_9100 = "as_9100", "AS9100 (aerospace)"
    FSC = "fsc", "FSC chain of custody"
    OTHER = "other", "Other"


class Certification(models.Model):
    asset_owner = models.ForeignKey(AssetOwner, on_delete=models.CASCADE, related_name="certifications")
    standard = models.CharField(max_length=16, choices=CertificationStandard.choices)
    title = models.CharField(max_length=120, blank=True, help_text="Name of the certificate when 'Other'.")
    number = models.CharField("certificate number", max_length=80, blank=True)
    issued_by = models.CharField(max_length=120, blank=True)
    valid_until = models.DateField()
    file = models.FileField(
        upload_to=certificate_upload_to,
        blank=True,
        validators=[certificate_file_validate],
        help_text="PDF or image, at most 5 MB.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset_owner", "valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standard__in=CertificationStandard.values), name="certification_standard_valid"
            ),
        ]

    def __str__(self):
        return self.title or self.get_standard_display()

    def is_valid_on(self, day) -> bool:
        return self.valid_until >= day


class SupplierOutcomeKind(models.TextChoices):
    QUALITY_PASS = "quality_pass", "Quality check passed"
    QUALITY_FAIL = "quality_fail", "Quality check failed"
    ON_TIME = "on_time", "Delivered on time"
    LATE = "late", "Delivered late"


class SupplierOutcome(models.Model):
    """One recorded outcome of an asset owner's work: the input of its quality score.

    Written by the orders app through `supplier_outcome_record`; `reference` (e.g. "work_item:42") makes a
    retried write a no-op.
    """

    asset_owner = models.ForeignKey(AssetOwner, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=12, choices=SupplierOutcomeKind.choices)
    at = models.DateTimeField(db_index=True)
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["asset_owner", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["asset_owner", "kind", "reference"],
                condition=~Q(reference=""),
                name="supplier_outcome_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SupplierOutcomeKind.values), name="supplier_outcome_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.asset_owner}: {self.get_kind_display()} at {self.at:%Y-%m-%d}"
