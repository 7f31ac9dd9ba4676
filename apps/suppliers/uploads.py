"""Certificate uploads: PDF or image, at most MAX_CERTIFICATE_BYTES, checked by content as well as by name."""

from pathlib import PurePath
from uuid import uuid4

from django.core.exceptions import ValidationError

from apps.core.uploads import validate_image_upload

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
CERTIFICATE_FOLDER = "certificates"  # private: its company's members and the network's staff and finance
# What each accepted extension must contain (by its leading bytes), and the content types a browser may declare.
KIND_OF_EXTENSION = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}
CONTENT_TYPES = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpeg": {"image/jpeg", "image/pjpeg"},
    "webp": {"image/webp"},
}
UNDECLARED = {"", "application/octet-stream"}  # what clients send when they do not know


def _sniff(head: bytes) -> str | None:
    """The kind of file the first bytes announce, whatever its name says."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def certificate_file_validate(upload) -> None:
    """Raises ValidationError unless the upload is a PDF or an image (PNG, JPEG, WebP) of at most 5 MB whose
    content is what its extension (and its declared content type, if any) says.

    The name alone proves nothing (a renamed executable is still an executable; an HTML page named .pdf would be
    served as a PDF), so the leading bytes must match the extension: %PDF for a PDF, and an image must also be
    one Pillow reads, within the image limits every upload has (apps/core/uploads.py).
    """
    if upload is None:
        return
    if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
        raise ValidationError(
            "The file is %(size)s MB; certificates may be at most 5 MB.",
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in KIND_OF_EXTENSION:
        raise ValidationError(
            "Upload a PDF or an image (PNG, JPEG or WebP), not a %(ext)s file.",
            code="bad_type",
            params={"ext": extension or "nameless"},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    expected = KIND_OF_EXTENSION[extension]
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if _sniff(head) != expected or (declared not in UNDECLARED and declared not in CONTENT_TYPES[expected]):
        raise ValidationError(
            "This file's content does not match its name: a %(ext)s file must be a readable %(kind)s.",
            code="bad_content",
            params={"ext": extension, "kind": expected.upper()},
        )
    if expected != "pdf":
        # An image certificate is an image upload like any other: readable, and no pixel bomb.
        validate_image_upload(upload)


def certificate_upload_to(instance, filename: str) -> str:
    """A random name under the owner's folder: the uploader's file name never becomes a path."""
    extension = PurePath(filename).suffix.lower()
    return f"{CERTIFICATE_FOLDER}/{instance.asset_owner_id}/{uuid4().hex}{extension}"
