"""The analysis of one upload, as the task `uploads.analyse` runs it (apps/uploads/tasks.py).

The stored file is copied into a private temporary folder, analysed there by the sandboxed analyser
(apps.uploads.analysis.sandbox: a child process with CPU-time and memory limits), and the result — the analysis
JSON on the row, the preview beside the stored original — is kept only if the run is still the current one.

Safe to run twice: each request for an analysis has a run number; a task whose run is over (finished, or
superseded by new units, a repair or a deletion) does nothing, and a task redelivered after its worker was lost
finds its run still analysing and does it again.
"""

from __future__ import annotations

import logging
import math
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.uploads.analyser import analyse, format_sniff, repair
from apps.uploads.analysis.result import Analysis, AnalysisError, Units
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.services import cad_file_store, upload_transition_if
from apps.uploads.status import DONE, UploadStatus
from apps.uploads.storage import preview_name, staged_from_path, storage_copy_to, storage_put

logger = logging.getLogger(__name__)

CRASHED = "analysis_crashed"
CRASHED_MESSAGE = (
    "The file could not be analysed. Check that it opens in your CAD program, then upload it again."
)


def upload_analyse(*, upload_id: str, run: int, repair_first: bool = False) -> str:
    """Analyses run `run` of the upload (repairing a copy first when asked); returns what became of it:
    "ready", "failed", or "skipped" (the run is over, or another worker finished it)."""
    upload = PartUpload.objects.select_related("file", "repaired_file").filter(pk=upload_id).first()
    if upload is None or upload.analysis_run != run or upload.status in DONE:
        return "skipped"
    if upload.status == UploadStatus.PENDING and not upload_transition_if(
        upload_id=upload.pk, to=UploadStatus.ANALYSING, run=run
    ):
        return "skipped"
    source = upload.file if repair_first else upload.analysed_file
    units = Units(upload.units) if upload.units_chosen else None
    with tempfile.TemporaryDirectory(prefix="cf-analyse-") as folder:
        work = Path(folder)
        (work / "repair").mkdir()
        (work / "out").mkdir()
        try:
            path = storage_copy_to(source.stored_name, work / source.stored_name.rsplit("/", 1)[1])
            repaired, changes = repair(path, work / "repair", units=units) if repair_first else (None, None)
            # A repaired copy is written in millimetres whatever the original's units were.
            analysis = analyse(repaired or path, work / "out", units=Units.MM if repaired else units)
        except AnalysisError as error:
            return _failed(upload, run, error.code, error.message)
        except Exception:  # the stored file gone, or a bug this side of the sandbox: the log gets the rest
            logger.exception("Analysis of upload %s (run %s) crashed", upload.pk, run)
            return _failed(upload, run, CRASHED, CRASHED_MESSAGE)
        return _ready(
            upload, run, analysis, source=source, out_dir=work / "out", repaired=repaired, changes=changes
        )


def upload_analysis_fail(*, upload_id: str, run: int, code: str, message: str) -> str:
    """Ends run `run` as failed (the task ran out of time); nothing happens when the run is already over."""
    upload = PartUpload.objects.filter(pk=upload_id).first()
    return "skipped" if upload is None else _failed(upload, run, code, message)


def _failed(upload: PartUpload, run: int, code: str, message: str) -> str:
    moved = upload_transition_if(
        upload_id=upload.pk,
        to=UploadStatus.FAILED,
        run=run,
        error_code=code[:64],
        error_message=message,
        analysis=None,
        preview_name="",
        analysed_at=timezone.now(),
    )
    return "failed" if moved else "skipped"


def _ready(
    upload: PartUpload,
    run: int,
    analysis: Analysis,
    *,
    source: CadFile,
    out_dir: Path,
    repaired: Path | None,
    changes: dict | None,
) -> str:
    fields: dict[str, Any] = {}
    with transaction.atomic():
        analysed = source
        if repaired is not None:
            analysed = cad_file_store(staged_from_path(repaired), format_sniff(repaired))
            fields["repaired_file"] = analysed
            fields["repairs"] = [
                *upload.repairs,
                {
                    "at": timezone.now().isoformat(),
                    "original_sha256": source.sha256,
                    "repaired_sha256": analysed.sha256,
                    "message": " ".join(changes.get("changes", ())),
                    "messages": list(changes.get("changes", ())),
                    "details": _finite(changes),
                },
            ]
        stored_preview = ""
        if analysis.preview:
            local = out_dir / analysis.preview
            stored_preview = preview_name(analysed.folder, analysis.preview, analysis.units)
            storage_put(stored_preview, local, replace=True)
        moved = upload_transition_if(
            upload_id=upload.pk,
            to=UploadStatus.READY,
            run=run,
            analysis=_finite(analysis.to_json()),
            units=analysis.units.value,
            units_from_file=analysis.units_from_file,
            preview_name=stored_preview,
            error_code="",
            error_message="",
            analysed_at=timezone.now(),
            **fields,
        )
        if not moved:
            transaction.set_rollback(True)
            return "skipped"
    return "ready"


def _finite(value):
    """The JSON with NaN and infinities (which PostgreSQL's jsonb refuses) as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
