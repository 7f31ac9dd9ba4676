"""Certificate uploads: PDF or image, at most MAX_CERTIFICATE_BYTES, checked by content as well as by name."""

from pathlib import PurePath
from uuid import uuid4

from django.core.exceptions import ValidationError

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
CERTIFICATE_FOLDER = "certificates"  # private: its company's members and the network's staff and finance
ALLOWED_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".webp"}


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
    """Raises ValidationError unless the upload is a PDF or an image (PNG, JPEG, WebP) of at most 5 MB.

    The name alone proves nothing (a renamed executable is still an executable), so the leading bytes must
    match a known format too.
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
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            "Upload a PDF or an image (PNG, JPEG or WebP), not a %(ext)s file.",
            code="bad_type",
            params={"ext": extension or "nameless"},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if _sniff(head) is None:
        raise ValidationError(
            "This file is not a readable PDF or image; its content does not match its name.",
            code="bad_content",
        )


def certificate_upload_to(instance, filename: str) -> str:
    """A random name under the owner's folder: the uploader's file name never becomes a path."""
    extension = PurePath(filename).suffix.lower()
    return f"{CERTIFICATE_FOLDER}/{instance.asset_owner_id}/{uuid4().hex}{extension}"
