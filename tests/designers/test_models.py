"""Designers are participants: applying, the shared status machine and its audit rows, Stripe Connect state,
and the templates they own."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate
from apps.designers.models import Designer, DesignerMember
from apps.designers.services import designer_apply
from apps.suppliers.models import ParticipantStatusChange
from apps.suppliers.selectors import participant_by_stripe_account
from apps.suppliers.services import (
    participant_approve,
    participant_connect_account_set,
    participant_connect_update,
    participant_reject,
    participant_suspend,
)
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import PASSWORD
from tests.designers.factories import make_designer
from tests.suppliers.factories import make_asset_owner, make_carrier

APPLICATION = {
    "name": "Ada Lamp Studio",
    "contact_name": "Ada Vos",
    "contact_email": "Ada@Studio.test",
    "password": PASSWORD,
    "street": "Keizersgracht 1",
    "postal_code": "1015 CJ",
    "city": "Amsterdam",
    "country": "nl",
    "latitude": Decimal("52.370216"),
    "longitude": Decimal("4.895168"),
    "bio": "Lamps and small furniture.",
}


def test_designer_apply_makes_an_applied_designer_with_an_owner_login(in_tenant_a):
    designer = designer_apply(**APPLICATION)

    assert designer.status == ParticipantStatus.APPLIED
    assert designer.slug == "ada-lamp-studio"
    assert designer.country == "NL"
    member = DesignerMember.objects.select_related("user").get(designer=designer)
    assert member.role == MemberRole.OWNER
    assert member.user.email == "ada@studio.test"
    assert not member.user.is_active  # until the e-mail is confirmed
    assert list(member.user.groups.values_list("name", flat=True)) == [Role.DESIGNER_MEMBER]


def test_a_second_designer_of_the_same_name_gets_a_numbered_slug(in_tenant_a):
    designer_apply(**APPLICATION)
    second = designer_apply(**{**APPLICATION, "contact_email": "other@studio.test"})

    assert second.slug == "ada-lamp-studio-2"


def test_designer_apply_writes_nothing_for_an_address_in_use(in_tenant_a):
    designer_apply(**APPLICATION)

    with pytest.raises(ValidationError) as error:
        designer_apply(**{**APPLICATION, "name": "Another"})

    assert "contact_email" in error.value.message_dict
    assert Designer.objects.count() == 1
    assert User.objects.filter(email="ada@studio.test").count() == 1


def test_staff_decisions_on_a_designer_write_its_audit_rows(in_tenant_a):
    approved = make_designer("Approved", status=ParticipantStatus.APPLIED)
    rejected = make_designer("Rejected", status=ParticipantStatus.APPLIED)

    participant_approve(participant=approved, actor=None)
    participant_suspend(participant=approved, actor=None, reason="Copied a product")
    with pytest.raises(ValidationError):
        participant_reject(participant=rejected, actor=None, reason=" ")
    participant_reject(participant=rejected, actor=None, reason="No portfolio")

    assert list(approved.status_changes.values_list("to_status", "reason")) == [
        (ParticipantStatus.SUSPENDED, "Copied a product"),
        (ParticipantStatus.APPROVED, ""),
    ]
    assert rejected.status_changes.get().reason == "No portfolio"
    assert not ParticipantStatusChange.objects.filter(
        designer__isnull=False, asset_owner__isnull=False
    ).exists()


def test_account_updates_reach_the_designer_not_a_supplier_of_the_same_id(in_tenant_a):
    owner, carrier, designer = make_asset_owner(), make_carrier(), make_designer()
    participant_connect_account_set(participant=designer, account_id="acct_designer1")

    assert participant_by_stripe_account(account_id="acct_designer1") == designer
    updated = participant_connect_update(
        account_id="acct_designer1",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        transfers_active=True,
        requirements_due=[],
    )

    designer.refresh_from_db()
    assert isinstance(updated, Designer) and designer.onboarded and designer.eligible
    owner.refresh_from_db(), carrier.refresh_from_db()
    assert not owner.onboarded and not carrier.onboarded


def test_a_designer_who_owns_a_template_cannot_be_deleted(in_tenant_a):
    designer = make_designer()
    template = ProductTemplate.objects.create(name="Lamp", slug="lamp-by-designer", category="Lamps")
    template.designer = designer
    template.save(update_fields=["designer"])

    assert list(designer.templates.all()) == [template]
    with pytest.raises(ProtectedError):
        designer.delete()
