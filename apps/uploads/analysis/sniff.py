"""What a file is, decided by its content, never by its name.

The name only serves to catch a mismatch: a DXF saved as "part.stl" is refused with a message saying what it
really is, rather than analysed as something the customer did not mean (or, worse, parsed by the wrong reader).
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from apps.uploads.analysis.result import AnalysisError, FileFormat

HEAD_BYTES = 64 * 1024

FORMAT_OF_EXTENSION = {
    ".stl": FileFormat.STL,
    ".3mf": FileFormat.THREE_MF,
    ".obj": FileFormat.OBJ,
    ".dxf": FileFormat.DXF,
    ".step": FileFormat.STEP,
    ".stp": FileFormat.STEP,
}
EXTENSION_OF_FORMAT = {
    FileFormat.STL: "stl",
    FileFormat.THREE_MF: "3mf",
    FileFormat.OBJ: "obj",
    FileFormat.DXF: "dxf",
    FileFormat.STEP: "step",
}
DESCRIPTION = {
    FileFormat.STL: "an STL mesh",
    FileFormat.THREE_MF: "a 3MF package",
    FileFormat.OBJ: "an OBJ mesh",
    FileFormat.DXF: "a DXF drawing",
    FileFormat.STEP: "a STEP model",
}
THREEMF_MODEL = "3d/3dmodel.model"
BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
_OBJ_KEYWORDS = re.compile(rb"^(v|vn|vt|vp|f|l|p|o|g|s|mtllib|usemtl)\s", re.MULTILINE)
# Comments (group code 999) may precede the first SECTION. Each comment is an atomic group, taken whole and never
# re-split: its whitespace can be read several ways, and retrying every way of every comment on a head that fails
# to match afterwards took seconds at ten comments and grew fourfold with each one more (a 150-byte file held the upload
# request, and the uploads worker that guesses a file's kind, for ever).
_DXF_START = re.compile(rb"\A\s*(?>999\s*\r?\n[^\n]*\r?\n\s*)*+0\s*\r?\n\s*SECTION\s*\r?\n", re.IGNORECASE)


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head[:8192]


def binary_stl_triangles(head: bytes, size: int) -> int | None:
    """The triangle count a binary STL header promises, when the file's size matches it exactly (84 + 50 n)."""
    if size < 84 or len(head) < 84:
        return None
    (count,) = struct.unpack_from("<I", head, 80)
    return count if size == 84 + 50 * count else None


def sniff_bytes(head: bytes, size: int, *, is_zip_with_model: bool = False) -> FileFormat | None:
    """The format the first bytes say, or None when they say nothing we read."""
    if head.startswith(b"PK\x03\x04"):
        return FileFormat.THREE_MF if is_zip_with_model else None
    text = _is_text(head)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text and stripped.startswith(b"ISO-10303-21"):
        return FileFormat.STEP
    if text and stripped[:5].lower() == b"solid" and b"facet" in head.lower():
        return (
            FileFormat.STL
        )  # ASCII STL (some binary STLs also start with "solid": they have no "facet" text)
    if binary_stl_triangles(head, size) is not None:
        return FileFormat.STL
    if head.startswith(BINARY_DXF_SENTINEL) or (text and _DXF_START.match(head)):
        return FileFormat.DXF
    if text and re.search(rb"^v\s+[-+.\d]", head, re.MULTILINE) and _OBJ_KEYWORDS.search(head):
        return FileFormat.OBJ
    return None


def _zip_has_model(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower() == THREEMF_MODEL for name in archive.namelist())
    except MemoryError:
        raise  # the sandbox's limit, not the file's fault
    except Exception as error:  # a damaged directory raises anything from BadZipFile to NotImplementedError
        raise AnalysisError(
            "corrupt", f"The file is a zip package that cannot be read ({error!r})."
        ) from error


def sniff(path: Path, filename: str | None = None) -> FileFormat:
    """The file's format by content; `filename` (the name the customer gave, default the path's) is only checked
    against it. Raises AnalysisError: "unsupported_format", "wrong_extension", "corrupt" (a cut-off STL)."""
    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise AnalysisError("empty", "The file is empty.")
    extension = Path(filename or path.name).suffix.lower()
    named = FORMAT_OF_EXTENSION.get(extension)
    found = sniff_bytes(head, size, is_zip_with_model=head.startswith(b"PK\x03\x04") and _zip_has_model(path))
    if found is None:
        (count,) = struct.unpack_from("<I", head, 80) if len(head) >= 84 else (0,)
        if named == FileFormat.STL and size >= 84 and not _is_text(head) and 0 < 84 + 50 * count < 100 * size:
            raise AnalysisError(
                "corrupt",
                f"The file is not a complete binary STL: its header promises {count:,} triangles "
                f"({84 + 50 * count:,} bytes) but the file has {size:,} bytes. It may have been cut off while "
                "exporting or uploading; export it again.",
            )
        if head.startswith(b"PK\x03\x04"):
            raise AnalysisError(
                "unsupported_format",
                "The file is a zip archive but not a 3MF package (it has no 3D/3dmodel.model).",
            )
        raise AnalysisError(
            "unsupported_format",
            "The file's content is not one we read. Upload STL, 3MF or OBJ (3D printing), DXF (sheet cutting) "
            "or STEP (machining).",
        )
    if named is not None and named != found:
        raise AnalysisError(
            "wrong_extension",
            f"The file is named '{extension}' but its content is {DESCRIPTION[found]}. Rename it to "
            f"'.{EXTENSION_OF_FORMAT[found]}' or upload the file you meant.",
        )
    return found
