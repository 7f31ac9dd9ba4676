"""Suppliers models, one module per concern; every model is re-exported here for Django and callers."""

from apps.suppliers.models.invitations import MemberInvitation
from apps.suppliers.models.participants import (
    CARRIER_PROFILE_FIELDS,
    PROFILE_FIELDS,
    AssetOwner,
    AssetOwnerMember,
    Carrier,
    CarrierMember,
    Participant,
    ParticipantStatusChange,
    RateCard,
    onboarded_q,
    participant_models,
)
from apps.suppliers.models.quality import (
    Certification,
    CertificationStandard,
    SupplierOutcome,
    SupplierOutcomeKind,
)
from apps.suppliers.models.resources import CalendarException, CalendarExceptionKind, OpeningHours, Resource

__all__ = [
    "CARRIER_PROFILE_FIELDS",
    "PROFILE_FIELDS",
    "AssetOwner",
    "AssetOwnerMember",
    "CalendarException",
    "CalendarExceptionKind",
    "Carrier",
    "CarrierMember",
    "Certification",
    "CertificationStandard",
    "MemberInvitation",
    "OpeningHours",
    "Participant",
    "ParticipantStatusChange",
    "RateCard",
    "Resource",
    "SupplierOutcome",
    "SupplierOutcomeKind",
    "onboarded_q",
    "participant_models",
]
