"""Photo uploads (quality checks, proof of delivery): a real image of at most 5 MB, stored under a random name."""

from pathlib import PurePath
from uuid import uuid4

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Private folders: each photo is for the parties of its job or leg and the network's staff and finance.
QUALITY_PHOTO_FOLDER = "quality"
PROOF_PHOTO_FOLDER = "proof-of-delivery"


def photo_validate(upload) -> None:
    """Raises ValidationError unless the upload is a JPEG, PNG, WebP or GIF image of at most 5 MB.

    The content is decoded by Pillow: a renamed non-image fails whatever its name says.
    """
    if not upload:
        return
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            "The photo is %(size)s MB; photos may be at most 5 MB.",
            code="too_large",
            params={"size": f"{size / 1024 / 1024:.1f}"},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("This file is not a readable image.", code="bad_content") from None
    finally:
        upload.seek(position)
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            "Upload a JPEG, PNG, WebP or GIF photo, not %(kind)s.", code="bad_type", params={"kind": kind}
        )


def _upload_to(folder: str, owner_id, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()[:8]
    return f"{folder}/{owner_id}/{uuid4().hex}{extension}"


def quality_photo_upload_to(instance, filename: str) -> str:
    """A random name under the work item's folder: the uploader's file name never becomes a path."""
    return _upload_to(QUALITY_PHOTO_FOLDER, instance.work_item_id, filename)


def proof_photo_upload_to(instance, filename: str) -> str:
    return _upload_to(PROOF_PHOTO_FOLDER, instance.pk or "new", filename)
