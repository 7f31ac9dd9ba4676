"""The platform's one door to the CAD analyser (apps.uploads.analysis, which knows nothing of Django).

The sniffer and the sandbox runner are cheap to import (the CAD libraries load only in the sandbox's child
process); they are imported on first use all the same, so a web process that never receives a file pays nothing.
"""

from __future__ import annotations

from pathlib import Path

from apps.uploads.analysis.result import Analysis, FileFormat, Units


def format_sniff(path: Path, *, filename: str | None = None) -> FileFormat:
    """The format of the file's content; `filename` (the customer's name for it) must agree. Raises
    AnalysisError naming what is wrong: unsupported, named as another format, cut off, empty."""
    from apps.uploads.analysis.sniff import sniff

    return sniff(path, filename)


def analyse(path: Path, out_dir: Path, *, units: Units | None) -> Analysis:
    """The analysis of the file at `path` in the sandbox, its preview written into `out_dir`. `units` apply when
    the file states none (default mm). Raises AnalysisError for a file it cannot analyse."""
    from apps.uploads.analysis.sandbox import analyse_in_sandbox

    return analyse_in_sandbox(path, out_dir, units=units)


def repair(path: Path, out_dir: Path, *, units: Units | None) -> tuple[Path, dict]:
    """A repaired copy (binary STL, millimetres) of the mesh at `path`, written into `out_dir`, and what the repair
    changed (MeshRepair.to_json(): "changes" in plain words, and the counts). Raises AnalysisError."""
    from apps.uploads.analysis.sandbox import repair_in_sandbox

    repaired = repair_in_sandbox(path, out_dir, units=units)
    return Path(out_dir) / repaired.file, repaired.to_json()
