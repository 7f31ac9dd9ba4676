"""Builders for supplier-network rows. They write to whatever schema the connection is set to."""

from __future__ import annotations

import itertools
from decimal import Decimal

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.services import (
    participant_connect_account_set,
    participant_connect_update,
    participant_member_add,
    participant_transition,
    rate_card_update,
    resource_create,
)
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import PASSWORD

_seq = itertools.count(1)

EINDHOVEN = (Decimal("51.441642"), Decimal("5.469722"))
UTRECHT = (Decimal("52.090737"), Decimal("5.121420"))


def _company_fields(name: str, coordinates=EINDHOVEN) -> dict:
    n = next(_seq)
    return {
        "name": f"{name} {n}",
        "contact_name": "Pat Planner",
        "contact_email": f"planning{n}@{name.lower().replace(' ', '')}.test",
        "street": "Torenallee 20",
        "postal_code": "5617 BC",
        "city": "Eindhoven",
        "country": "NL",
        "latitude": coordinates[0],
        "longitude": coordinates[1],
    }


def _promote(participant, status: str, onboarded: bool):
    if status in (ParticipantStatus.APPROVED, ParticipantStatus.SUSPENDED):
        participant_transition(participant=participant, to=ParticipantStatus.APPROVED)
    if status == ParticipantStatus.SUSPENDED:
        participant_transition(participant=participant, to=ParticipantStatus.SUSPENDED, reason="test")
    if status == ParticipantStatus.REJECTED:
        participant_transition(participant=participant, to=ParticipantStatus.REJECTED, reason="test")
    if onboarded:
        account_id = f"acct_test{participant.kind}{participant.pk}"
        participant_connect_account_set(participant=participant, account_id=account_id)
        participant_connect_update(
            account_id=account_id,
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            transfers_active=True,
            requirements_due=[],
        )
    participant.refresh_from_db()
    return participant


def make_asset_owner(
    name: str = "Works",
    *,
    status: str = ParticipantStatus.APPROVED,
    onboarded: bool = False,
    coordinates=EINDHOVEN,
) -> AssetOwner:
    owner = AssetOwner(**_company_fields(name, coordinates))
    owner.full_clean()
    owner.save()
    return _promote(owner, status, onboarded)


def make_carrier(
    name: str = "Haulage",
    *,
    status: str = ParticipantStatus.APPROVED,
    onboarded: bool = False,
    coordinates=EINDHOVEN,
) -> Carrier:
    carrier = Carrier(**_company_fields(name, coordinates), coverage_radius_km=100, speed_kmh=60)
    carrier.full_clean()
    carrier.save()
    rate_card_update(
        carrier=carrier, base_fee_minor=1000, per_km_minor=50, per_kg_minor=10, max_weight_kg=Decimal(500)
    )
    return _promote(carrier, status, onboarded)


RESOURCE_DEFAULTS = {
    "name": "Haas VF-2",
    "process": "cnc_milling",
    "capacity": 1,
    "max_length_mm": 760,
    "max_width_mm": 400,
    "max_height_mm": 500,
    "materials": ["steel", "aluminium"],
    "tolerance_mm": Decimal("0.050"),
    "setup_cost_minor": 3000,
    "cost_per_minute_minor": 120,
    "minimum_charge_minor": 4000,
    "speed_factor": Decimal("1.00"),
}


def make_resource(asset_owner: AssetOwner, **overrides):
    return resource_create(asset_owner=asset_owner, **{**RESOURCE_DEFAULTS, **overrides})


def make_member(participant, *, role: str = MemberRole.OWNER, email: str | None = None):
    """A portal login of `participant` (in the connection's current schema)."""
    kind_role = Role.SUPPLIER_MEMBER if isinstance(participant, AssetOwner) else Role.CARRIER_MEMBER
    user = user_create(email=email or f"member{next(_seq)}@example.test", password=PASSWORD, role=kind_role)
    participant_member_add(participant=participant, user=user, role=role)
    return user
