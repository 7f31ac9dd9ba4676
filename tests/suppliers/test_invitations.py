"""Inviting colleagues, accepting, withdrawing and removing members (the services, in-process)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.outbox.models import OutboxMessage
from apps.suppliers.models import AssetOwnerMember, CarrierMember, MemberInvitation
from apps.suppliers.services.invitations import (
    INVITATION_EMAIL_TASK,
    MAX_OPEN_INVITATIONS,
    InvitationRefused,
    invitation_accept,
    invitation_email_compose,
    invitation_revoke,
    invitation_token_hash,
    member_invite,
    member_remove,
)
from apps.suppliers.services.participants import participant_member_add
from apps.suppliers.status import MemberRole
from tests.conftest import sign_in
from tests.suppliers.factories import make_member
from tests.suppliers.invitations import accept_url, invite, membership

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-42"


def test_an_invitation_is_written_with_its_email_task_and_no_secret(supplier_a, tenant_a):
    """The outbox row names the invitation, not a link; the secret is drawn when the mail is composed."""
    with schema_context(tenant_a.schema_name):
        invitation = member_invite(
            member=membership(supplier_a), email=" Colleague@Example.test ", accept_url=accept_url(tenant_a)
        )
        assert invitation.email == "colleague@example.test" and invitation.token_hash == ""
        assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
        message = OutboxMessage.objects.get(dedup_key=f"invitation:{invitation.pk}:email")
        assert message.task_name == INVITATION_EMAIL_TASK
        assert message.kwargs == {"invitation_id": invitation.pk, "accept_url": accept_url(tenant_a)}


def test_the_email_carries_the_only_copy_of_the_secret(supplier_a, tenant_a):
    invitation, secret, mail = invite(supplier_a, "colleague@example.test")
    assert mail["to"] == ["colleague@example.test"]
    assert supplier_a.company.name in mail["subject"] and "Alpha Works" in mail["body"]
    with schema_context(tenant_a.schema_name), connection.cursor() as cursor:
        stored = MemberInvitation.objects.get(pk=invitation.pk)
        assert stored.token_hash == invitation_token_hash(secret)
        cursor.execute(
            "SELECT row_to_json(t)::text FROM suppliers_memberinvitation t WHERE id = %s", [invitation.pk]
        )
        assert secret not in cursor.fetchone()[0]
        outbox = OutboxMessage._meta.db_table
        cursor.execute(f"SELECT count(*) FROM {outbox} WHERE kwargs::text LIKE %s", [f"%{secret}%"])  # noqa: S608
        assert cursor.fetchone()[0] == 0


def test_a_second_mail_of_the_same_invitation_replaces_the_first_link(supplier_a, tenant_a):
    invitation, first, _ = invite(supplier_a, "colleague@example.test")
    with schema_context(tenant_a.schema_name):
        second = invitation_email_compose(invitation_id=invitation.pk, accept_url=accept_url(tenant_a))
        assert first not in second["body"]
        with pytest.raises(Http404):
            invitation_accept(token=first, full_name="Col League", password=PASSWORD)


def test_no_mail_for_an_invitation_withdrawn_before_it_was_sent(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        owner = membership(supplier_a)
        invitation = member_invite(member=owner, email="late@example.test", accept_url=accept_url(tenant_a))
        invitation_revoke(member=owner, invitation_id=invitation.pk)
        assert invitation_email_compose(invitation_id=invitation.pk, accept_url=accept_url(tenant_a)) is None


def test_a_new_colleague_signs_up_by_accepting(supplier_a, tenant_a):
    invitation, secret, _ = invite(supplier_a, "new@example.test", role=MemberRole.OWNER)
    with schema_context(tenant_a.schema_name):
        member = invitation_accept(token=secret, full_name="New Colleague", password=PASSWORD)
        assert isinstance(member, AssetOwnerMember) and member.asset_owner_id == supplier_a.company.pk
        assert member.role == MemberRole.OWNER
        user = User.objects.get(email="new@example.test")
        assert user.check_password(PASSWORD) and user.has_role(Role.SUPPLIER_MEMBER) and not user.is_staff
        accepted = MemberInvitation.objects.get(pk=invitation.pk)
        assert accepted.accepted_at is not None and accepted.accepted_by == user


def test_a_link_works_once(supplier_a, tenant_a):
    _, secret, _ = invite(supplier_a, "new@example.test")
    with schema_context(tenant_a.schema_name):
        invitation_accept(token=secret, full_name="New Colleague", password=PASSWORD)
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=secret, full_name="Someone Else", password=PASSWORD)
    assert refused.value.reason == "accepted"


def test_an_expired_link_is_refused_and_writes_nothing(supplier_a, tenant_a):
    invitation, secret, _ = invite(supplier_a, "late@example.test")
    with schema_context(tenant_a.schema_name):
        MemberInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=secret, full_name="Late Comer", password=PASSWORD)
        assert refused.value.reason == "expired" and "expired" in refused.value.message
        assert not User.objects.filter(email="late@example.test").exists()


def test_a_weak_password_or_missing_name_is_a_field_error_and_writes_nothing(supplier_a, tenant_a):
    invitation, secret, _ = invite(supplier_a, "new@example.test")
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as error:
            invitation_accept(token=secret, full_name="", password="123")
        assert set(error.value.message_dict) == {"full_name", "password"}
        assert not User.objects.filter(email="new@example.test").exists()
        assert MemberInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_an_existing_account_joins_after_signing_in(supplier_a, tenant_a, make_user):
    customer = make_user(tenant_a, Role.CUSTOMER, email="known@example.test")
    _, secret, _ = invite(supplier_a, "Known@Example.test")
    with schema_context(tenant_a.schema_name):
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=secret, full_name="Impostor", password=PASSWORD)
        assert refused.value.reason == "sign_in"
        assert User.objects.get(pk=customer.pk).check_password(PASSWORD) is False
        member = invitation_accept(token=secret, user=customer)
        assert member.user == customer
        user = User.objects.get(pk=customer.pk)
        assert user.has_role(Role.CUSTOMER) and user.has_role(Role.SUPPLIER_MEMBER)


def test_nobody_can_accept_as_someone_else(supplier_a, other_supplier_a, tenant_a):
    """A member of another company holding the link is not the invited address: refused, nothing joins."""
    invitation, secret, _ = invite(supplier_a, "invited@example.test")
    with schema_context(tenant_a.schema_name):
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=secret, user=other_supplier_a.user)
        assert refused.value.reason == "wrong_account"
        assert (
            AssetOwnerMember.objects.get(user=other_supplier_a.user).asset_owner_id
            == other_supplier_a.company.pk
        )
        assert MemberInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_accepting_as_someone_already_in_the_company_is_refused_and_keeps_their_role(
    supplier_a, tenant_a, make_user
):
    """Staff added the invitee as an owner meanwhile: the old operator invitation must not demote them."""
    colleague = make_user(tenant_a, Role.CUSTOMER, email="colleague@example.test")
    invitation, secret, _ = invite(supplier_a, "colleague@example.test", role=MemberRole.OPERATOR)
    with schema_context(tenant_a.schema_name):
        participant_member_add(participant=supplier_a.company, user=colleague, role=MemberRole.OWNER)
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=secret, user=colleague)
        assert refused.value.reason == "member" and refused.value.status_code == 409
        assert AssetOwnerMember.objects.get(user=colleague).role == MemberRole.OWNER
        assert MemberInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_member_of_another_company_cannot_join_a_second(supplier_a, other_supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        email = other_supplier_a.user.email
    invitation, secret, _ = invite(supplier_a, email)
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError, match="another company"):
            invitation_accept(token=secret, user=other_supplier_a.user)
        assert MemberInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_carrier_invitation_makes_a_carrier_member(carrier_a, tenant_a):
    _, secret, _ = invite(carrier_a, "driver@example.test")
    with schema_context(tenant_a.schema_name):
        member = invitation_accept(token=secret, full_name="Dee Driver", password=PASSWORD)
        assert isinstance(member, CarrierMember) and member.carrier_id == carrier_a.company.pk
        assert member.user.has_role(Role.CARRIER_MEMBER) and member.role == MemberRole.OPERATOR


def test_an_operator_can_neither_invite_nor_revoke_nor_remove(supplier_a, tenant_a):
    invitation, _, _ = invite(supplier_a, "colleague@example.test")
    with schema_context(tenant_a.schema_name):
        operator_user = make_member(supplier_a.company, role=MemberRole.OPERATOR)
        operator = AssetOwnerMember.objects.get(user=operator_user)
        with pytest.raises(PermissionDenied):
            member_invite(member=operator, email="x@example.test", accept_url=accept_url(tenant_a))
        with pytest.raises(PermissionDenied):
            invitation_revoke(member=operator, invitation_id=invitation.pk)
        with pytest.raises(PermissionDenied):
            member_remove(member=operator, member_id=membership(supplier_a).pk)
        assert not MemberInvitation.objects.filter(email="x@example.test").exists()
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_another_companys_invitation_and_member_are_404(supplier_a, other_supplier_a, tenant_a):
    invitation, _, _ = invite(other_supplier_a, "theirs@example.test")
    with schema_context(tenant_a.schema_name):
        owner = membership(supplier_a)
        with pytest.raises(Http404):
            invitation_revoke(member=owner, invitation_id=invitation.pk)
        with pytest.raises(Http404):
            member_remove(member=owner, member_id=membership(other_supplier_a).pk)
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_inviting_a_member_or_a_bad_address_is_a_field_error(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        owner = membership(supplier_a)
        for email, message in [
            (supplier_a.user.email.upper(), "already a member"),
            ("not-an-address", "valid"),
        ]:
            with pytest.raises(ValidationError, match=message):
                member_invite(member=owner, email=email, accept_url=accept_url(tenant_a))
        with pytest.raises(ValidationError) as error:
            member_invite(
                member=owner, email="ok@example.test", role="admin", accept_url=accept_url(tenant_a)
            )
        assert "role" in error.value.message_dict


def test_inviting_an_address_again_replaces_its_open_invitation(supplier_a, tenant_a):
    first, first_secret, _ = invite(supplier_a, "again@example.test")
    _, second_secret, _ = invite(supplier_a, "again@example.test", role=MemberRole.OWNER)
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=first.pk).revoked_at is not None
        with pytest.raises(InvitationRefused) as refused:
            invitation_accept(token=first_secret, full_name="A Gain", password=PASSWORD)
        assert refused.value.reason == "revoked"
        assert (
            invitation_accept(token=second_secret, full_name="A Gain", password=PASSWORD).role
            == MemberRole.OWNER
        )


def test_open_invitations_are_capped(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        owner = membership(supplier_a)
        for n in range(MAX_OPEN_INVITATIONS):
            member_invite(member=owner, email=f"c{n}@example.test", accept_url=accept_url(tenant_a))
        with pytest.raises(ValidationError, match="still open"):
            member_invite(member=owner, email="one-more@example.test", accept_url=accept_url(tenant_a))


def test_the_last_owner_cannot_be_removed_but_another_can_leave(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        owner = membership(supplier_a)
        with pytest.raises(ValidationError, match="last owner"):
            member_remove(member=owner, member_id=owner.pk)
        second_user = make_member(supplier_a.company, role=MemberRole.OWNER)
        second = AssetOwnerMember.objects.get(user=second_user)
        member_remove(member=owner, member_id=owner.pk)  # another owner remains: leaving is fine
        assert not AssetOwnerMember.objects.filter(pk=owner.pk).exists()
        assert not User.objects.get(pk=supplier_a.user.pk).has_role(Role.SUPPLIER_MEMBER)
        with pytest.raises(ValidationError, match="last owner"):
            member_remove(member=second, member_id=second.pk)


def test_an_owner_removes_an_operator(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        operator_user = make_member(supplier_a.company, role=MemberRole.OPERATOR)
        operator = AssetOwnerMember.objects.get(user=operator_user)
        member_remove(member=membership(supplier_a), member_id=operator.pk)
        assert not AssetOwnerMember.objects.filter(pk=operator.pk).exists()
        assert User.objects.filter(pk=operator_user.pk, is_active=True).exists()


def test_an_unknown_link_is_404(tenant_a, in_tenant_a):
    for token in ["", "nope", "x" * 500]:
        with pytest.raises(Http404):
            invitation_accept(token=token, full_name="X", password=PASSWORD)


def test_another_networks_link_means_nothing_here(supplier_a, tenant_b):
    _, secret, _ = invite(supplier_a, "new@example.test")
    with schema_context(tenant_b.schema_name), pytest.raises(Http404):
        invitation_accept(token=secret, full_name="New Colleague", password=PASSWORD)


def test_staff_see_a_companys_invitations_in_the_admin_without_the_link(client_a, supplier_a, tenant_a):
    invitation, secret, _ = invite(supplier_a, "colleague@example.test")
    with schema_context(tenant_a.schema_name):
        staff = User.objects.get(email="owner@alpha.test")
        stored_hash = MemberInvitation.objects.get(pk=invitation.pk).token_hash
    sign_in(client_a, tenant_a, staff)
    page = client_a.get(f"/admin/suppliers/assetowner/{supplier_a.company.pk}/change/").content.decode()
    assert "colleague@example.test" in page
    assert secret not in page and stored_hash not in page
