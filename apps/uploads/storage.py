"""Where uploaded CAD files live: the network's own media storage (per schema), content-addressed.

    uploads/<sha256[:2]>/<sha256>/original.<ext>      the bytes as uploaded (or as a repair wrote them)
    uploads/<sha256[:2]>/<sha256>/preview.glb|svg     what the analysis drew, in millimetres
    uploads/<sha256[:2]>/<sha256>/preview-inch.glb    … when the same bytes were read as inches

An upload is first streamed into a private temporary file (hashed and counted as it arrives, refused as soon as it
passes the limit), checked by content, and only then copied into storage, once per content: the same bytes
uploaded again reuse the stored copy. Files are served only through apps.core.media's view with the check in
apps/uploads/access.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from apps.uploads.analysis.result import FileFormat, Units
from apps.uploads.analysis.sniff import EXTENSION_OF_FORMAT

UPLOAD_FOLDER = "uploads"  # registered with apps.core.media (apps/uploads/apps.py)
CHUNK_BYTES = 1024 * 1024


def max_upload_bytes() -> int:
    return settings.CAD_UPLOAD_MAX_BYTES


def too_large_error() -> ValidationError:
    limit = max_upload_bytes()
    return ValidationError(
        {
            "file": ValidationError(
                "The file is larger than %(limit)s; upload a smaller file.",
                code="too_large",
                params={"limit": _megabytes(limit)},
            )
        }
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


@dataclass(frozen=True)
class StagedFile:
    """An upload received into a private temporary file, not yet in storage."""

    path: Path
    sha256: str
    size: int


@contextmanager
def staged_upload(uploaded_file) -> Iterator[StagedFile]:
    """Streams `uploaded_file` (a Django UploadedFile, or any file object) into a temporary file, hashing it on the
    way; refuses (ValidationError on "file") as soon as it passes the size limit, and always removes the copy when
    the block ends."""
    limit = max_upload_bytes()
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise too_large_error()
    folder = Path(tempfile.mkdtemp(prefix="cf-upload-"))
    try:
        path = folder / "upload"
        digest = hashlib.sha256()
        size = 0
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        chunks = (
            uploaded_file.chunks(CHUNK_BYTES) if hasattr(uploaded_file, "chunks") else _chunks(uploaded_file)
        )
        with open(path, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large_error()
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationError({"file": ValidationError("The file is empty.", code="empty")})
        yield StagedFile(path=path, sha256=digest.hexdigest(), size=size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def staged_from_path(path: Path) -> StagedFile:
    """A local file (a repaired copy the analyser wrote) described like an upload, ready for storage."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in _chunks(handle):
            size += len(chunk)
            digest.update(chunk)
    return StagedFile(path=path, sha256=digest.hexdigest(), size=size)


def _chunks(handle) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def content_folder(sha256: str) -> str:
    return f"{UPLOAD_FOLDER}/{sha256[:2]}/{sha256}"


def original_name(sha256: str, file_format: FileFormat) -> str:
    return f"{content_folder(sha256)}/original.{EXTENSION_OF_FORMAT[file_format]}"


def preview_name(folder: str, preview: str, units: Units) -> str:
    """The stored name of a preview the analyser wrote as `preview` ("preview.glb"), for the units it applied."""
    if units == Units.MM:
        return f"{folder}/{preview}"
    stem, dot, extension = preview.rpartition(".")
    return f"{folder}/{stem}-{units.value}{dot}{extension}" if dot else f"{folder}/{preview}-{units.value}"


def sha_of_stored_name(name: str) -> str | None:
    """The content hash a stored name belongs to ("uploads/ab/<sha>/…"), None for anything else."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != UPLOAD_FOLDER or len(parts[2]) != 64 or parts[1] != parts[2][:2]:
        return None
    return parts[2]


def storage_put(name: str, source: Path, *, replace: bool = False) -> None:
    """Writes the file at `source` to storage under exactly `name`.

    Content-addressed names hold the same bytes whoever writes them, so an existing complete copy is kept (a
    partial one, from a crash mid-write, has another size and is written again); `replace` rewrites it (a
    preview drawn again). Storage never renames: a concurrent writer's copy of the same name wins and ours goes."""
    size = source.stat().st_size
    if default_storage.exists(name):
        if not replace and default_storage.size(name) == size:
            return
        default_storage.delete(name)
    with open(source, "rb") as handle:
        written = default_storage.save(name, File(handle, name=os.path.basename(name)))
    if written != name:  # someone wrote the same name meanwhile: theirs is as good as ours
        default_storage.delete(written)


def storage_copy_to(name: str, target: Path) -> Path:
    """The stored file `name` copied to the local path `target` (the analyser reads it and writes beside it)."""
    with default_storage.open(name, "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, CHUNK_BYTES)
    return target
