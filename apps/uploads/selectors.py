"""Reads of uploaded parts."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from apps.uploads.models import PartUpload


def upload_list_for_owner(*, owner) -> QuerySet[PartUpload]:
    """The customer's uploads, newest first."""
    return (
        PartUpload.objects.filter(owner=owner).select_related("file", "repaired_file").order_by("-created_at")
    )


def made_from_design(design_id) -> Q:
    """The uploads a design is made from: its own (a customer's part) or its product's (a designer's CAD product).
    `design_id` may be an OuterRef (a job's "has a part" EXISTS)."""
    return Q(design_id=design_id) | Q(products__designs=design_id)


def upload_for_design(*, design_id: int) -> PartUpload | None:
    """The upload a catalog design was made from — the customer's own part, or the part of the designer's CAD product
    the design is of — (a job page shows its file), or None for a template design.
    Callers check access to the design (the job) first."""
    return (
        PartUpload.objects.select_related("file", "repaired_file").filter(made_from_design(design_id)).first()
    )


def upload_file_urls(upload: PartUpload) -> dict[str, str]:
    """Where the original, the repaired copy and the preview are served (the media view checks each fetch)."""
    return {
        "original_url": default_storage.url(upload.file.stored_name),
        "repaired_url": default_storage.url(upload.repaired_file.stored_name) if upload.repaired_file else "",
        "preview_url": default_storage.url(upload.preview_name) if upload.preview_name else "",
    }
