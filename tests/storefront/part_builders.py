"""Uploaded parts as the analysis leaves them, for the page tests: a sample file (tests/uploads/samples.py) analysed
by the real analyser in this process, its original and preview stored in the network's media storage where
apps.uploads.storage puts them, and a PartUpload row in the given status. Call inside the network's schema.

The pages read what the analysis wrote; the analysis itself, its sandbox and its task are tested in tests/uploads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.uploads.analysis.core import analyse
from apps.uploads.analysis.result import Analysis, FileFormat
from apps.uploads.analysis.sniff import sniff
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.status import UploadStatus
from apps.uploads.storage import original_name, preview_name
from tests.uploads import samples

Sample = Callable[[Path], Path]


def _put(name: str, content: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def _blob(path: Path) -> CadFile:
    content = path.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    file_format = FileFormat(sniff(path))
    name = original_name(sha256, file_format)
    _put(name, content)
    blob, _ = CadFile.objects.get_or_create(
        sha256=sha256, defaults={"size": len(content), "format": file_format, "stored_name": name}
    )
    return blob


def analysed(sample: Sample, directory: Path) -> tuple[Path, Analysis, Path]:
    """The sample's file, its analysis and the folder holding its preview."""
    path = sample(directory)
    out = directory / f"{path.stem}-analysis"
    out.mkdir(exist_ok=True)
    return path, analyse(path, out), out


def part(owner, sample: Sample, directory: Path, *, status=UploadStatus.READY, **fields) -> PartUpload:
    """`owner`'s upload of `sample`, in `status` (ready: with the analyser's result and preview stored)."""
    path, analysis, out = analysed(sample, directory)
    blob = _blob(path)
    ready = status == UploadStatus.READY
    stored_preview = ""
    if ready and analysis.preview:
        stored_preview = preview_name(blob.folder, analysis.preview, analysis.units)
        _put(stored_preview, (out / analysis.preview).read_bytes())
    return PartUpload.objects.create(
        owner=owner,
        file=blob,
        original_name=path.name,
        name=path.stem,
        units=analysis.units.value,
        units_from_file=analysis.units_from_file,
        status=status,
        analysis=analysis.to_json() if ready else None,
        analysis_run=1,
        preview_name=stored_preview,
        **fields,
    )


def open_box(owner, directory: Path, **fields) -> PartUpload:
    """The 40 × 30 × 10 mm box with its top missing: not watertight (repairable), marked at 4 open edges; STL
    does not say its units."""
    return part(owner, samples.open_box_stl, directory, **fields)


def box(owner, directory: Path, **fields) -> PartUpload:
    """The closed 40 × 30 × 10 mm box: nothing to report."""
    return part(owner, samples.box_stl, directory, **fields)


def open_plate(owner, directory: Path, **fields) -> PartUpload:
    """A 100 × 50 mm DXF profile whose contour is open (ends 2 mm apart at the origin); DXF says mm."""
    return part(owner, samples.open_contour_dxf, directory, **fields)
