"""The Team pages (members and invitations) of both portals, and the invitation link's page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.outbox.models import OutboxMessage
from apps.suppliers.models import AssetOwnerMember, CarrierMember, MemberInvitation
from apps.suppliers.services.invitations import INVITATION_EMAIL_TASK
from apps.suppliers.status import MemberRole
from tests.conftest import host_of, sign_in
from tests.suppliers.factories import make_member
from tests.suppliers.invitations import invite, membership

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-42"
PORTALS = [("supplier_a", "/portal/members/"), ("carrier_a", "/portal/carrier/members/")]


@pytest.fixture(params=PORTALS, ids=["supplier", "carrier"])
def team(request):
    """(fixture member, the Team page of its portal), for both portals."""
    fixture, url = request.param
    return request.getfixturevalue(fixture), url


def test_the_owner_invites_from_the_team_page(client_a, tenant_a, team):
    owner, url = team
    sign_in(client_a, tenant_a, owner.user)
    page = client_a.get(url)
    assert page.status_code == 200 and b"Invite a colleague" in page.content and b"Team" in page.content
    response = client_a.post(url, {"email": "New@Example.test", "role": "operator"})
    assert response.status_code == 302 and response["Location"] == url
    with schema_context(tenant_a.schema_name):
        invitation = MemberInvitation.objects.get(email="new@example.test")
        assert invitation.participant == owner.company and invitation.invited_by == owner.user
        assert OutboxMessage.objects.filter(task_name=INVITATION_EMAIL_TASK).exists()
    listed = client_a.get(url)
    assert b"new@example.test" in listed.content and b"Withdraw" in listed.content


def test_invite_errors_keep_the_input(client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    response = client_a.post("/portal/members/", {"email": "not-an-address", "role": "owner"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert b'value="not-an-address"' in response.content
    assert b'<option value="owner" selected>' in response.content
    member_again = client_a.post("/portal/members/", {"email": supplier_a.user.email, "role": "operator"})
    assert member_again.status_code == 400 and b"already a member" in member_again.content
    with schema_context(tenant_a.schema_name):
        assert not MemberInvitation.objects.exists()


def test_htmx_invite_swaps_the_team_panel_with_inline_errors(client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    bad = client_a.post("/portal/members/", {"email": "", "role": "operator"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and bad.content.lstrip().startswith(b'<div id="members"')
    good = client_a.post(
        "/portal/members/", {"email": "x@example.test", "role": "operator"}, HTTP_HX_REQUEST="true"
    )
    assert good.status_code == 200 and b"Invitation sent to x@example.test" in good.content
    assert b"<html" not in good.content


def test_an_operator_sees_the_team_but_the_server_refuses_their_invites(client_a, tenant_a, supplier_a):
    with schema_context(tenant_a.schema_name):
        operator = make_member(supplier_a.company, role=MemberRole.OPERATOR)
    invitation, _, _ = invite(supplier_a, "pending@example.test")
    sign_in(client_a, tenant_a, operator)
    page = client_a.get("/portal/members/")
    assert (
        page.status_code == 200
        and b"Invite a colleague" not in page.content
        and b"Withdraw" not in page.content
    )
    assert client_a.post("/portal/members/", {"email": "x@example.test", "role": "owner"}).status_code == 403
    assert client_a.post(f"/portal/members/invitations/{invitation.pk}/revoke/").status_code == 403
    with schema_context(tenant_a.schema_name):
        owner_row = membership(supplier_a).pk
        assert client_a.post(f"/portal/members/{owner_row}/remove/").status_code == 403
        assert not MemberInvitation.objects.filter(email="x@example.test").exists()
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None
        assert AssetOwnerMember.objects.filter(pk=owner_row).exists()


def test_the_owner_withdraws_an_invitation_and_removes_a_member(client_a, tenant_a, team):
    owner, url = team
    invitation, _, _ = invite(owner, "pending@example.test")
    with schema_context(tenant_a.schema_name):
        colleague = make_member(owner.company, role=MemberRole.OPERATOR)
        model = AssetOwnerMember if url == "/portal/members/" else CarrierMember
        colleague_row = model.objects.get(user=colleague).pk
    sign_in(client_a, tenant_a, owner.user)
    assert client_a.post(f"{url}invitations/{invitation.pk}/revoke/").status_code == 302
    removed = client_a.post(f"{url}{colleague_row}/remove/", HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and b"The member was removed." in removed.content
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is not None
        assert not model.objects.filter(pk=colleague_row).exists()


def test_the_last_owner_cannot_leave(client_a, tenant_a, supplier_a):
    sign_in(client_a, tenant_a, supplier_a.user)
    with schema_context(tenant_a.schema_name):
        own_row = membership(supplier_a).pk
    response = client_a.post(f"/portal/members/{own_row}/remove/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and b"last owner" in response.content
    with schema_context(tenant_a.schema_name):
        assert AssetOwnerMember.objects.filter(pk=own_row).exists()


def test_another_companys_rows_are_404_on_the_team_pages(client_a, tenant_a, supplier_a, other_supplier_a):
    invitation, _, _ = invite(other_supplier_a, "theirs@example.test")
    with schema_context(tenant_a.schema_name):
        their_member = membership(other_supplier_a).pk
    sign_in(client_a, tenant_a, supplier_a.user)
    assert client_a.post(f"/portal/members/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client_a.post(f"/portal/members/{their_member}/remove/").status_code == 404
    assert b"theirs@example.test" not in client_a.get("/portal/members/").content
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_strangers_and_other_networks_get_no_team_page(
    client_a, client_b, tenant_a, tenant_b, supplier_a, make_user
):
    assert client_a.get("/portal/members/").status_code == 302  # sign in first
    customer = make_user(tenant_a, email="shopper@example.test")
    sign_in(client_a, tenant_a, customer)
    assert client_a.get("/portal/members/").status_code == 404
    assert client_a.get("/portal/carrier/members/").status_code == 404
    stranger = make_user(tenant_b, email="someone@beta.test")
    sign_in(client_b, tenant_b, stranger)
    with schema_context(tenant_a.schema_name):
        own_row = membership(supplier_a).pk
    assert client_b.post(f"/portal/members/{own_row}/remove/").status_code == 404


# --- the link --------------------------------------------------------------------------------------------


def test_a_new_colleague_accepts_by_creating_an_account(client_a, tenant_a, supplier_a):
    _, secret, _ = invite(supplier_a, "new@example.test")
    link = f"/portal/invitations/{secret}/"
    page = client_a.get(link)
    assert page.status_code == 200
    assert supplier_a.company.name.encode() in page.content and b"new@example.test" in page.content
    assert "no-store" in page["Cache-Control"]
    bad = client_a.post(link, {"full_name": "New Colleague", "password": "123"})
    assert (
        bad.status_code == 400
        and b'value="New Colleague"' in bad.content
        and bad.context["form"].errors["password"]
    )
    done = client_a.post(link, {"full_name": "New Colleague", "password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/portal/"
    assert client_a.get("/portal/").status_code == 200  # signed in, in the portal
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email="new@example.test")
        assert AssetOwnerMember.objects.get(user=user).asset_owner_id == supplier_a.company.pk


def test_a_used_link_is_refused_clearly(client_a, tenant_a, carrier_a):
    _, secret, _ = invite(carrier_a, "driver@example.test")
    link = f"/portal/invitations/{secret}/"
    assert (
        client_a.post(link, {"full_name": "Dee Driver", "password": PASSWORD})["Location"]
        == "/portal/carrier/"
    )
    again = Client(HTTP_HOST=host_of(tenant_a)).get(link)
    assert again.status_code == 410 and b"already been used" in again.content
    posted = Client(HTTP_HOST=host_of(tenant_a)).post(link, {"full_name": "Eve", "password": PASSWORD})
    assert posted.status_code == 410


def test_an_expired_link_is_refused_clearly(client_a, tenant_a, supplier_a):
    invitation, secret, _ = invite(supplier_a, "late@example.test")
    with schema_context(tenant_a.schema_name):
        MemberInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    response = client_a.get(f"/portal/invitations/{secret}/")
    assert response.status_code == 410 and b"expired" in response.content and b"<form" not in response.content
    assert (
        client_a.post(f"/portal/invitations/{secret}/", {"full_name": "L", "password": PASSWORD}).status_code
        == 410
    )
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email="late@example.test").exists()


def test_a_withdrawn_or_unknown_link(client_a, tenant_a, supplier_a):
    invitation, secret, _ = invite(supplier_a, "gone@example.test")
    with schema_context(tenant_a.schema_name):
        MemberInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert client_a.get(f"/portal/invitations/{secret}/").status_code == 410
    assert client_a.get("/portal/invitations/not-a-real-secret/").status_code == 404


def test_an_existing_account_signs_in_then_joins(client_a, tenant_a, supplier_a, make_user):
    customer = make_user(tenant_a, email="known@example.test")
    _, secret, _ = invite(supplier_a, "known@example.test")
    link = f"/portal/invitations/{secret}/"
    page = client_a.get(link)
    assert (
        page.status_code == 200
        and b"Sign in to accept" in page.content
        and b"Choose a password" not in page.content
    )
    forced = client_a.post(link, {"full_name": "Impostor", "password": PASSWORD})
    assert forced.status_code == 302 and "/accounts/login/" in forced["Location"]
    sign_in(client_a, tenant_a, customer)
    assert b"Join " in client_a.get(link).content
    assert client_a.post(link).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert AssetOwnerMember.objects.get(user=customer).asset_owner_id == supplier_a.company.pk


def test_a_member_of_another_company_cannot_accept_as_the_invitee(
    client_a, tenant_a, supplier_a, other_supplier_a
):
    invitation, secret, _ = invite(supplier_a, "invited@example.test")
    sign_in(client_a, tenant_a, other_supplier_a.user)
    link = f"/portal/invitations/{secret}/"
    page = client_a.get(link)
    assert page.status_code == 403 and b"This invitation is for invited@example.test" in page.content
    assert client_a.post(link).status_code == 403
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=invitation.pk).accepted_at is None
        assert (
            AssetOwnerMember.objects.get(user=other_supplier_a.user).asset_owner_id
            == other_supplier_a.company.pk
        )


def test_another_networks_host_does_not_know_the_link(client_b, supplier_a):
    _, secret, _ = invite(supplier_a, "new@example.test")
    assert client_b.get(f"/portal/invitations/{secret}/").status_code == 404
    assert (
        client_b.post(f"/portal/invitations/{secret}/", {"full_name": "N", "password": PASSWORD}).status_code
        == 404
    )


def test_an_owner_leaves_when_another_owner_remains(client_a, tenant_a, carrier_a):
    with schema_context(tenant_a.schema_name):
        make_member(carrier_a.company, role=MemberRole.OWNER)
        own_row = membership(carrier_a).pk
    sign_in(client_a, tenant_a, carrier_a.user)
    response = client_a.post(f"/portal/carrier/members/{own_row}/remove/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == "/"
    assert client_a.get("/portal/carrier/members/").status_code == 404  # no longer a member
    with schema_context(tenant_a.schema_name):
        assert not CarrierMember.objects.filter(pk=own_row).exists()
