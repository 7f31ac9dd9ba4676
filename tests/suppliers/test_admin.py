"""Staff decide on applications in the network's admin; every decision is e-mailed. The staff member is not a
superuser: the role's own permissions are enough."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.suppliers.models import AssetOwner, Carrier, ParticipantStatusChange
from apps.suppliers.status import ParticipantStatus

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/suppliers/assetowner/"


def _status(tenant, model, pk) -> str:
    with schema_context(tenant.schema_name):
        return model.objects.get(pk=pk).status


def test_approving_sends_the_applicant_an_email_with_the_next_step(
    staff_a, applicant_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            CHANGELIST, {"action": "approve", "_selected_action": [applicant_a.company.pk]}
        )
    assert response.status_code == 302
    assert _status(tenant_a, AssetOwner, applicant_a.company.pk) == ParticipantStatus.APPROVED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {applicant_a.company.contact_email, applicant_a.user.email}
    assert "approved" in message.subject
    assert "http://alpha.localhost/portal/" in message.body and "payouts" in message.body


def test_rejecting_asks_for_a_reason_then_emails_it(
    staff_a, applicant_a, tenant_a, django_capture_on_commit_callbacks
):
    pk = applicant_a.company.pk
    form = staff_a.post(CHANGELIST, {"action": "reject", "_selected_action": [pk]})
    assert form.status_code == 200 and b'name="reason"' in form.content
    assert _status(tenant_a, AssetOwner, pk) == ParticipantStatus.APPLIED and mail.outbox == []

    empty = staff_a.post(
        CHANGELIST, {"action": "reject", "_selected_action": [pk], "apply": "1", "reason": ""}
    )
    assert empty.status_code == 200 and b"This field is required" in empty.content
    assert _status(tenant_a, AssetOwner, pk) == ParticipantStatus.APPLIED

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_a.post(
            CHANGELIST,
            {
                "action": "reject",
                "_selected_action": [pk],
                "apply": "1",
                "reason": "No workshops needed in your area",
            },
        )
    assert done.status_code == 302
    assert _status(tenant_a, AssetOwner, pk) == ParticipantStatus.REJECTED
    assert len(mail.outbox) == 1 and "No workshops needed in your area" in mail.outbox[0].body
    with schema_context(tenant_a.schema_name):
        change = ParticipantStatusChange.objects.get(asset_owner_id=pk)
        assert change.reason == "No workshops needed in your area"
        assert change.actor.has_role(Role.STAFF) and not change.actor.is_superuser


def test_suspending_a_carrier_with_a_reason(staff_a, carrier_a, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            "/admin/suppliers/carrier/",
            {
                "action": "suspend",
                "_selected_action": [carrier_a.company.pk],
                "apply": "1",
                "reason": "Lost parcels",
            },
        )
    assert response.status_code == 302
    assert _status(tenant_a, Carrier, carrier_a.company.pk) == ParticipantStatus.SUSPENDED
    assert "Lost parcels" in mail.outbox[0].body and "suspended" in mail.outbox[0].subject


def test_an_impossible_decision_is_reported_and_sends_nothing(
    staff_a, supplier_a, tenant_a, django_capture_on_commit_callbacks
):
    """An approved company cannot be rejected: the admin says so and nothing changes."""
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            CHANGELIST,
            {
                "action": "reject",
                "_selected_action": [supplier_a.company.pk],
                "apply": "1",
                "reason": "Changed mind",
            },
            follow=True,
        )
    assert b"cannot go from approved to rejected" in response.content
    assert _status(tenant_a, AssetOwner, supplier_a.company.pk) == ParticipantStatus.APPROVED
    assert mail.outbox == []


def test_the_admin_pages_render_with_inlines(staff_a, supplier_a, carrier_a):
    assert staff_a.get(f"{CHANGELIST}{supplier_a.company.pk}/change/").status_code == 200
    assert staff_a.get(f"/admin/suppliers/carrier/{carrier_a.company.pk}/change/").status_code == 200
    assert staff_a.get(f"/admin/suppliers/resource/{supplier_a.resource.pk}/change/").status_code == 200
    assert staff_a.get("/admin/suppliers/ratecard/").status_code == 200


def test_staff_of_one_network_do_not_see_another_networks_suppliers(staff_a, supplier_a, supplier_b):
    listing = staff_a.get(CHANGELIST)
    assert supplier_a.company.name.encode() in listing.content
    assert supplier_b.company.name.encode() not in listing.content
