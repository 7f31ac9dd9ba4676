"""Writes of the supplier network (`<entity>_<action>`, keyword-only, atomic), one module per concern."""

from apps.suppliers.services.carriers import rate_card_update
from apps.suppliers.services.invitations import (
    invitation_accept,
    invitation_revoke,
    member_invite,
    member_remove,
)
from apps.suppliers.services.participants import (
    CARRIER_REPLAN_TASK,
    REPLAN_TASK,
    asset_owner_suspend,
    carrier_suspend,
    participant_apply,
    participant_approve,
    participant_connect_account_set,
    participant_connect_update,
    participant_member_add,
    participant_profile_update,
    participant_register,
    participant_reject,
    participant_suspend,
    participant_transition,
)
from apps.suppliers.services.quality import certification_add, certification_delete, supplier_outcome_record
from apps.suppliers.services.resources import (
    calendar_exception_add,
    calendar_exception_delete,
    opening_hours_add,
    opening_hours_delete,
    opening_hours_replace,
    resource_create,
    resource_delete,
    resource_update,
)

__all__ = [
    "CARRIER_REPLAN_TASK",
    "REPLAN_TASK",
    "asset_owner_suspend",
    "calendar_exception_add",
    "calendar_exception_delete",
    "carrier_suspend",
    "certification_add",
    "certification_delete",
    "invitation_accept",
    "invitation_revoke",
    "member_invite",
    "member_remove",
    "opening_hours_add",
    "opening_hours_delete",
    "opening_hours_replace",
    "participant_apply",
    "participant_approve",
    "participant_connect_account_set",
    "participant_connect_update",
    "participant_member_add",
    "participant_profile_update",
    "participant_register",
    "participant_reject",
    "participant_suspend",
    "participant_transition",
    "rate_card_update",
    "resource_create",
    "resource_delete",
    "resource_update",
    "supplier_outcome_record",
]
