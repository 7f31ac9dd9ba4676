"""The platform's one door to the CAD analyser (apps.uploads.analysis, which knows nothing of Django).

Its modules import trimesh, ezdxf and OpenCascade: heavy, and needed only by the worker that analyses and by the
upload that sniffs, so they are imported on first use, not when a web process loads the URL conf.
"""

from __future__ import annotations

from pathlib import Path

from apps.uploads.analysis.result import Analysis, FileFormat, Units


def format_sniff(path: Path) -> FileFormat | None:
    """The format the file's content has (not its name), or None when it is none we read; may raise
    AnalysisError naming what is wrong with it."""
    from apps.uploads.analysis.sniff import sniff_format

    found = sniff_format(path)
    return FileFormat(found) if found is not None else None


def analyse(path: Path, *, units: Units | None) -> Analysis:
    """The analysis of the file at `path` in the sandbox; the preview is written beside it. `units` override the
    file's own (None: the file's, else millimetres). Raises AnalysisError for a file it cannot analyse."""
    from apps.uploads.analysis.sandbox import analyse_in_sandbox

    return analyse_in_sandbox(path, units=units)


def repair(path: Path) -> tuple[Path, dict]:
    """A repaired copy of the file at `path`, written beside it, and what the repair changed."""
    from apps.uploads.analysis.sandbox import repair_in_sandbox

    return repair_in_sandbox(path)
