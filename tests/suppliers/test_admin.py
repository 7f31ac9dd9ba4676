"""Staff decide on applications in the network's admin; every decision is e-mailed. The staff member is not a
superuser: the role's own permissions are enough."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.outbox.models import OutboxMessage
from apps.outbox.services import EMAIL_TASK
from apps.outbox.tasks import send_email
from apps.suppliers.models import AssetOwner, Carrier, ParticipantStatusChange
from apps.suppliers.services.participants import REPLAN_TASK
from apps.suppliers.status import ParticipantStatus
from tests.mail import deliver_emails

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
    (message,) = deliver_emails(tenant_a)
    assert set(message.to) == {applicant_a.company.contact_email, applicant_a.user.email}
    assert "approved" in message.subject
    assert "http://alpha.localhost/portal/" in message.body and "payouts" in message.body


def test_rejecting_asks_for_a_reason_then_emails_it(
    staff_a, applicant_a, tenant_a, django_capture_on_commit_callbacks
):
    pk = applicant_a.company.pk
    form = staff_a.post(CHANGELIST, {"action": "reject", "_selected_action": [pk]})
    assert form.status_code == 200 and b'name="reason"' in form.content
    assert _status(tenant_a, AssetOwner, pk) == ParticipantStatus.APPLIED and deliver_emails(tenant_a) == []

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
    (message,) = deliver_emails(tenant_a)
    assert "No workshops needed in your area" in message.body
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
    (message,) = deliver_emails(tenant_a)
    assert "Lost parcels" in message.body and "suspended" in message.subject


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
    assert deliver_emails(tenant_a) == []


def test_the_admin_pages_render_with_inlines(staff_a, supplier_a, carrier_a):
    assert staff_a.get(f"{CHANGELIST}{supplier_a.company.pk}/change/").status_code == 200
    assert staff_a.get(f"/admin/suppliers/carrier/{carrier_a.company.pk}/change/").status_code == 200
    assert staff_a.get(f"/admin/suppliers/resource/{supplier_a.resource.pk}/change/").status_code == 200
    assert staff_a.get("/admin/suppliers/ratecard/").status_code == 200


def test_staff_of_one_network_do_not_see_another_networks_suppliers(staff_a, supplier_a, supplier_b):
    listing = staff_a.get(CHANGELIST)
    assert supplier_a.company.name.encode() in listing.content
    assert supplier_b.company.name.encode() not in listing.content


def test_a_mail_server_outage_neither_fails_a_suspension_nor_skips_its_replan(
    staff_a, supplier_a, tenant_a, settings, django_capture_on_commit_callbacks
):
    """The decision e-mail used to be sent in an after-commit callback registered before the re-plan's: an SMTP
    error answered the admin with a 500 and the re-plan was never asked for. Both now leave through the
    outbox; the e-mail task retries on its own."""
    settings.EMAIL_BACKEND = "tests.outbox.backends.DownEmailBackend"
    pk = supplier_a.company.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            CHANGELIST, {"action": "suspend", "_selected_action": [pk], "apply": "1", "reason": "Late twice"}
        )
    assert response.status_code == 302
    assert _status(tenant_a, AssetOwner, pk) == ParticipantStatus.SUSPENDED
    with schema_context(tenant_a.schema_name):
        replan = OutboxMessage.objects.get(task_name=REPLAN_TASK)
        assert replan.kwargs == {"asset_owner_id": pk, "reason": "Late twice"} and replan.sent_at is not None
        email = OutboxMessage.objects.get(task_name=EMAIL_TASK)
        assert email.sent_at is not None and "Late twice" in email.kwargs["body"]
        assert send_email.apply(kwargs=email.kwargs).failed()  # the server is down: retried, then given up
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (message,) = deliver_emails(tenant_a)  # the server is back
    assert "suspended" in message.subject


def test_approving_with_the_mail_server_down_answers_the_admin(
    staff_a, applicant_a, tenant_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.outbox.backends.DownEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_a.post(
            CHANGELIST, {"action": "approve", "_selected_action": [applicant_a.company.pk]}
        )
    assert response.status_code == 302
    assert _status(tenant_a, AssetOwner, applicant_a.company.pk) == ParticipantStatus.APPROVED
    with schema_context(tenant_a.schema_name):
        assert OutboxMessage.objects.filter(task_name=EMAIL_TASK, sent_at__isnull=False).count() == 1
