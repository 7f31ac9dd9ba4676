"""Where quality-check and proof-of-delivery photos are stored: a random name, never the uploader's.

What a photo must be is checked by the one image validator, apps/core/uploads.py."""

from pathlib import PurePath
from uuid import uuid4


def _upload_to(folder: str, owner_id, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()[:8]
    return f"{folder}/{owner_id}/{uuid4().hex}{extension}"


def quality_photo_upload_to(instance, filename: str) -> str:
    """A random name under the work item's folder: the uploader's file name never becomes a path."""
    return _upload_to("quality", instance.work_item_id, filename)


def proof_photo_upload_to(instance, filename: str) -> str:
    return _upload_to("proof-of-delivery", instance.pk or "new", filename)
