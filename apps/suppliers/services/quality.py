"""Writes on what feeds an asset owner's reputation: recorded outcomes and certifications."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.suppliers.models import (
    AssetOwner,
    Certification,
    CertificationStandard,
    SupplierOutcome,
    SupplierOutcomeKind,
)


@transaction.atomic
def supplier_outcome_record(
    *, asset_owner_id: int, kind: str, at: datetime | None = None, reference: str = ""
) -> SupplierOutcome:
    """Records one outcome (quality_pass, quality_fail, on_time, late) for the quality score.

    For the orders app: pass a `reference` naming the source row (e.g. "quality_check:17", "work_item:42");
    recording the same kind with the same reference again returns the stored row, so retries count once.
    """
    if kind not in SupplierOutcomeKind.values:
        raise ValueError(f"Unknown outcome kind {kind!r}.")
    at = at or timezone.now()
    if reference:
        outcome, _ = SupplierOutcome.objects.get_or_create(
            asset_owner_id=asset_owner_id, kind=kind, reference=reference, defaults={"at": at}
        )
        return outcome
    return SupplierOutcome.objects.create(asset_owner_id=asset_owner_id, kind=kind, at=at)


@transaction.atomic
def certification_add(
    *,
    asset_owner: AssetOwner,
    standard: str,
    valid_until: date,
    title: str = "",
    number: str = "",
    issued_by: str = "",
    file=None,
) -> Certification:
    """Adds a certification; the file (optional) must be a PDF or image of at most 5 MB."""
    if standard == CertificationStandard.OTHER and not title.strip():
        raise ValidationError({"title": "Name the certificate."})
    certification = Certification(
        asset_owner=asset_owner,
        standard=standard,
        title=title,
        number=number,
        issued_by=issued_by,
        valid_until=valid_until,
    )
    if file is not None:
        certification.file = file
    certification.full_clean()
    certification.save()
    return certification


@transaction.atomic
def certification_delete(*, certification: Certification) -> None:
    stored = certification.file.name if certification.file else ""
    storage = certification.file.storage if certification.file else None
    Certification.objects.filter(pk=certification.pk).delete()
    if stored and storage is not None:
        # A local clean-up of this process's storage, not work for another process: no outbox message.
        transaction.on_commit(lambda: storage.delete(stored))
