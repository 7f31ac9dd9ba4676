"""The invitation e-mail leaves through the outbox: committed, relayed to the broker, run by a real worker."""

import pytest
from django_tenants.utils import schema_context

from apps.outbox.models import OutboxMessage
from apps.suppliers.models import AssetOwnerMember, MemberInvitation
from apps.suppliers.services.invitations import member_invite
from apps.suppliers.status import MemberRole
from tests.conftest import wait_for
from tests.suppliers.factories import make_asset_owner, make_member
from tests.suppliers.invitations import accept_url


@pytest.mark.worker
def test_the_outbox_relay_and_the_worker_draw_the_link_after_commit(
    celery_worker, tenant_a, django_db_blocker
):
    """End to end: the committed invitation's outbox message reaches the worker, whose task stores the hash of
    the link it mails (and hands the mail to the e-mail task)."""
    with django_db_blocker.unblock(), schema_context(tenant_a.schema_name):
        company = make_asset_owner("Committed Works")
        owner = AssetOwnerMember.objects.get(user=make_member(company, role=MemberRole.OWNER))
        try:
            invitation = member_invite(
                member=owner, email="worker@example.test", accept_url=accept_url(tenant_a)
            )
            wait_for(lambda: MemberInvitation.objects.get(pk=invitation.pk).token_hash)
            assert (
                OutboxMessage.objects.get(dedup_key=f"invitation:{invitation.pk}:email").sent_at is not None
            )
        finally:
            user = owner.user
            company.delete()
            user.delete()
