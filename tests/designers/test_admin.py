"""Staff decide on designers in the network's admin, with the participant actions: approve (e-mail with the
designer portal's address), reject with a reason, suspend with a reason; the audit rows name the designer."""

import pytest
from django_tenants.utils import schema_context

from apps.designers.models import Designer
from apps.outbox.models import OutboxMessage
from apps.suppliers.models import ParticipantStatusChange
from apps.suppliers.status import ParticipantStatus
from tests.mail import deliver_emails

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/designers/designer/"


def _status(tenant, pk) -> str:
    with schema_context(tenant.schema_name):
        return Designer.objects.get(pk=pk).status


def test_approving_a_designer_emails_the_way_to_their_portal(
    staff_a, applicant_designer_a, tenant_a, django_capture_on_commit_callbacks
):
    pk = applicant_designer_a.designer.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(CHANGELIST, {"action": "approve", "_selected_action": [pk]})

    assert response.status_code == 302 and _status(tenant_a, pk) == ParticipantStatus.APPROVED
    (message,) = deliver_emails(tenant_a)
    assert "http://alpha.localhost/designer/" in message.body and "royalties" in message.body
    assert "offered work" not in message.body


def test_rejecting_a_designer_needs_a_reason(
    staff_a, applicant_designer_a, tenant_a, django_capture_on_commit_callbacks
):
    pk = applicant_designer_a.designer.pk
    empty = staff_a.post(
        CHANGELIST, {"action": "reject", "_selected_action": [pk], "apply": "1", "reason": ""}
    )
    assert empty.status_code == 200 and _status(tenant_a, pk) == ParticipantStatus.APPLIED

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_a.post(
            CHANGELIST,
            {"action": "reject", "_selected_action": [pk], "apply": "1", "reason": "No portfolio yet"},
        )

    assert done.status_code == 302 and _status(tenant_a, pk) == ParticipantStatus.REJECTED
    (message,) = deliver_emails(tenant_a)
    assert "No portfolio yet" in message.body
    with schema_context(tenant_a.schema_name):
        change = ParticipantStatusChange.objects.get(designer_id=pk)
        assert (
            change.reason == "No portfolio yet"
            and change.asset_owner_id is None
            and change.carrier_id is None
        )


def test_suspending_a_designer_asks_for_no_replan(
    staff_a, designer_a, tenant_a, django_capture_on_commit_callbacks
):
    pk = designer_a.designer.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            CHANGELIST,
            {"action": "suspend", "_selected_action": [pk], "apply": "1", "reason": "Copied a design"},
        )

    assert response.status_code == 302 and _status(tenant_a, pk) == ParticipantStatus.SUSPENDED
    (message,) = deliver_emails(tenant_a)
    assert "Copied a design" in message.body and "re-planned" not in message.body
    with schema_context(tenant_a.schema_name):
        assert not OutboxMessage.objects.filter(task_name__startswith="matching.").exists()


def test_the_designer_admin_pages_render(staff_a, designer_a, designer_b):
    listing = staff_a.get(CHANGELIST).content.decode()
    assert designer_a.designer.name in listing and designer_b.designer.name not in listing
    assert staff_a.get(f"{CHANGELIST}{designer_a.designer.pk}/change/").status_code == 200
    assert staff_a.get("/admin/designers/productreview/").status_code == 200
