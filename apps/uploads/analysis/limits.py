"""How much a file may ask of the analyser, checked before the expensive work, each with a plain-words refusal.

Every check raises `AnalysisError` whose message names the limit and what the file has, so the customer knows what
to change. The sandbox's CPU and memory limits are the last line behind these: they catch what no count predicts.
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from apps.uploads.analysis.result import AnalysisError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 100 * MB
    triangles: int = 2_000_000
    dxf_entities: int = 200_000
    step_entities: int = 2_000_000  # "#n = ..." records in the DATA section
    zip_ratio: float = 100.0  # uncompressed / compressed, per entry and for the whole archive
    zip_uncompressed_bytes: int = 500 * MB
    zip_entries: int = 1_000
    zip_depth: int = 8  # folders in an entry's path

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Limits:
        return cls(**data)


def size_text(count: float) -> str:
    return f"{count / MB:,.1f} MB" if count >= MB else f"{count / 1024:,.0f} KB"


def check_count(code: str, what: str, found: int, limit: int) -> None:
    """Refuse when a counted thing (triangles, entities) is over its limit."""
    if found > limit:
        raise AnalysisError(
            code, f"The file has {found:,} {what}; the limit is {limit:,}. Simplify or split it."
        )


def check_file_size(path: Path, limits: Limits) -> int:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise AnalysisError(
            "file_too_large",
            f"The file is {size_text(size)}; the limit is {size_text(limits.file_bytes)}. Export it with fewer details "
            "or split it.",
        )
    if size == 0:
        raise AnalysisError("empty", "The file is empty.")
    return size


def _declared_entries(path: Path) -> int | None:
    """The entry count the end-of-central-directory record declares (None when it cannot be found, or the
    archive is zip64 and the count lives elsewhere: zipfile's own reading then decides)."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    return None if entries == 0xFFFF else entries


def check_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open a zip package (3MF) after reading only its central directory: refuse too many entries, unsafe or too
    deep paths, and anything that would inflate past the ratio or the total size, before a byte is extracted.

    The sizes are those the archive declares; `read_zip_member` enforces them while inflating, so a lying header
    gains nothing."""
    declared = _declared_entries(path)
    if declared is not None:  # before zipfile builds an object for every entry of a hostile directory
        check_count("zip_too_many_entries", "entries in its zip package", declared, limits.zip_entries)
    try:
        archive = zipfile.ZipFile(path)
    except MemoryError:
        raise  # the sandbox's limit, not the file's fault
    except Exception as error:  # a damaged directory raises anything from BadZipFile to UnicodeDecodeError
        raise AnalysisError("corrupt", f"The file is not a readable zip package ({error}).") from error
    try:
        members = archive.infolist()
        check_count("zip_too_many_entries", "entries in its zip package", len(members), limits.zip_entries)
        total_compressed = total_uncompressed = 0
        for member in members:
            name = member.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise AnalysisError(
                    "zip_unsafe_path",
                    f"The package has an entry with an unsafe path ({name[:80]!r}); it is refused.",
                )
            depth = len(parts) - 1
            if depth > limits.zip_depth:
                raise AnalysisError(
                    "zip_too_deep",
                    f"The package has an entry {depth} folders deep; the limit is {limits.zip_depth}.",
                )
            compressed = max(member.compress_size, 1)
            ratio = member.file_size / compressed
            if member.file_size > MB and ratio > limits.zip_ratio:
                raise AnalysisError(
                    "zip_too_large",
                    f"The package's entry {name[:80]!r} would expand {ratio:,.0f} times (to {size_text(member.file_size)}); "
                    f"the limit is {limits.zip_ratio:,.0f} times. It looks like a zip bomb.",
                )
            total_compressed += member.compress_size
            total_uncompressed += member.file_size
        if total_uncompressed > limits.zip_uncompressed_bytes:
            raise AnalysisError(
                "zip_too_large",
                f"The package would expand to {size_text(total_uncompressed)}; the limit is "
                f"{size_text(limits.zip_uncompressed_bytes)}.",
            )
        if total_uncompressed > MB and total_uncompressed / max(total_compressed, 1) > limits.zip_ratio:
            raise AnalysisError(
                "zip_too_large",
                f"The package would expand {total_uncompressed / max(total_compressed, 1):,.0f} times; the limit is "
                f"{limits.zip_ratio:,.0f} times. It looks like a zip bomb.",
            )
    except AnalysisError:
        archive.close()
        raise
    return archive


def read_zip_member(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """Inflate one entry, stopping at its declared size (a forged header that understates it is caught here)."""
    info = archive.getinfo(name)
    limit = min(info.file_size, limits.zip_uncompressed_bytes)
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except MemoryError:
        raise  # the sandbox's limit, not the file's fault
    except Exception as error:  # bad CRC, unknown compression, encryption, a cut-off stream…
        raise AnalysisError("corrupt", f"The package's entry {name!r} cannot be read ({error!r}).") from error
    if len(data) > limit:
        raise AnalysisError(
            "zip_too_large", f"The package's entry {name!r} inflates past the size it declares."
        )
    return data
