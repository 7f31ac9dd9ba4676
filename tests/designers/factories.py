"""Builders for designers. They write to whatever schema the connection is set to."""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.designers.models import Designer
from apps.designers.services import designer_slug_free
from apps.suppliers.services import participant_member_add
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import PASSWORD
from tests.suppliers.factories import _company_fields, _promote, _seq


def make_designer(
    name: str = "Studio", *, status: str = ParticipantStatus.APPROVED, onboarded: bool = False, bio: str = ""
) -> Designer:
    fields = _company_fields(name)
    designer = Designer(**fields, slug=designer_slug_free(fields["name"]), bio=bio)
    designer.full_clean()
    designer.save()
    return _promote(designer, status, onboarded)


def make_designer_member(designer: Designer, *, role: str = MemberRole.OWNER, email: str | None = None):
    """A portal login of `designer` (in the connection's current schema)."""
    user = user_create(
        email=email or f"designer{next(_seq)}@example.test", password=PASSWORD, role=Role.DESIGNER_MEMBER
    )
    participant_member_add(participant=designer, user=user, role=role)
    return user
