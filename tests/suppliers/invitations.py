"""Builders for invitation tests: an owner's invitation and the link's secret its e-mail carries."""

from __future__ import annotations

import re

from django_tenants.utils import schema_context

from apps.suppliers.models import AssetOwnerMember, Carrier, CarrierMember, MemberInvitation
from apps.suppliers.services.invitations import invitation_email_compose, member_invite
from apps.suppliers.status import MemberRole
from tests.conftest import host_of

LINK = re.compile(r"https?://[^/\s]+/portal/invitations/([A-Za-z0-9_-]+)/")


def membership(member):
    """The fixture member's AssetOwnerMember or CarrierMember row."""
    model = CarrierMember if isinstance(member.company, Carrier) else AssetOwnerMember
    return model.objects.select_related("user").get(user=member.user)


def accept_url(tenant) -> str:
    return f"http://{host_of(tenant)}/portal/invitations/"


def invite(member, email: str, role: str = MemberRole.OPERATOR) -> tuple[MemberInvitation, str, dict]:
    """`member` (a fixture owner) invites `email`; returns the invitation, the link's secret and the e-mail
    the task would send (composed in-process, as the task does)."""
    with schema_context(member.tenant.schema_name):
        invitation = member_invite(
            member=membership(member), email=email, role=role, accept_url=accept_url(member.tenant)
        )
        mail = invitation_email_compose(invitation_id=invitation.pk, accept_url=accept_url(member.tenant))
    return invitation, LINK.search(mail["body"]).group(1), mail
