"""The status machine of an uploaded part: pending → analysing → ready | failed, and back to pending when the
customer changes the units or asks for a repair (the file is analysed again).

Status changes only through `upload_transition` (apps/uploads/services.py), which checks TRANSITIONS and
compare-and-swaps the row.
"""

from django.db import models


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Waiting for analysis"
    ANALYSING = "analysing", "Analysing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


TRANSITIONS: dict[str, frozenset[str]] = {
    # Asked again while still waiting (new units): the newer request replaces the older one.
    UploadStatus.PENDING: frozenset({UploadStatus.PENDING, UploadStatus.ANALYSING, UploadStatus.FAILED}),
    # A worker lost mid-analysis leaves the row analysing; the redelivered task starts it again (ANALYSING → ANALYSING
    # is not a move, the task takes it as its own), then it ends ready or failed.
    UploadStatus.ANALYSING: frozenset({UploadStatus.READY, UploadStatus.FAILED, UploadStatus.PENDING}),
    UploadStatus.READY: frozenset({UploadStatus.PENDING}),
    UploadStatus.FAILED: frozenset({UploadStatus.PENDING}),
}

# Statuses in which an analysis task has work to do.
OPEN = frozenset({UploadStatus.PENDING, UploadStatus.ANALYSING})
DONE = frozenset({UploadStatus.READY, UploadStatus.FAILED})


def sources_of(to: str) -> frozenset[str]:
    """The statuses from which `to` may be reached."""
    return frozenset(state for state, targets in TRANSITIONS.items() if to in targets)
