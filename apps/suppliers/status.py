"""The status machine shared by asset owners, carriers and designers: applied → approved ⇄ suspended, applied → rejected.

Status changes only through `participant_transition` (apps/suppliers/services/participants.py), which checks
TRANSITIONS, compare-and-swaps the row and writes a ParticipantStatusChange.
"""

from django.db import models


class ParticipantStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    APPROVED = "approved", "Approved"
    SUSPENDED = "suspended", "Suspended"
    REJECTED = "rejected", "Rejected"


TRANSITIONS: dict[str, frozenset[str]] = {
    ParticipantStatus.APPLIED: frozenset({ParticipantStatus.APPROVED, ParticipantStatus.REJECTED}),
    ParticipantStatus.APPROVED: frozenset({ParticipantStatus.SUSPENDED}),
    # Reinstating a suspended participant is an approval again.
    ParticipantStatus.SUSPENDED: frozenset({ParticipantStatus.APPROVED}),
    ParticipantStatus.REJECTED: frozenset(),
}

# Statuses whose members may still use their portal (a rejected applicant may not).
PORTAL_OPEN = frozenset({ParticipantStatus.APPLIED, ParticipantStatus.APPROVED, ParticipantStatus.SUSPENDED})


class ResourceStatus(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    OPERATOR = "operator", "Operator"


class ParticipantKind(models.TextChoices):
    ASSET_OWNER = "asset_owner", "Asset owner (workshop)"
    CARRIER = "carrier", "Carrier"
    DESIGNER = "designer", "Designer"
