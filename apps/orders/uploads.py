"""Where quality-check and proof-of-delivery photos are stored: a random name, never the uploader's.

What a photo must be is checked by the one image validator, apps/core/uploads.py."""

from pathlib import PurePath
from uuid import uuid4

# Private folders: each photo is for the parties of its job or leg and the network's staff and finance.
QUALITY_PHOTO_FOLDER = "quality"
PROOF_PHOTO_FOLDER = "proof-of-delivery"


def _upload_to(folder: str, owner_id, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()[:8]
    return f"{folder}/{owner_id}/{uuid4().hex}{extension}"


def quality_photo_upload_to(instance, filename: str) -> str:
    """A random name under the work item's folder: the uploader's file name never becomes a path."""
    return _upload_to(QUALITY_PHOTO_FOLDER, instance.work_item_id, filename)


def proof_photo_upload_to(instance, filename: str) -> str:
    return _upload_to(PROOF_PHOTO_FOLDER, instance.pk or "new", filename)
