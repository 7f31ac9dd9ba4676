"""Members and invitations over the supplier and carrier API, and accepting an invitation over the API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.suppliers.models import AssetOwnerMember, CarrierMember, MemberInvitation
from apps.suppliers.status import MemberRole
from tests.conftest import api_token_for, host_of
from tests.suppliers.factories import make_member
from tests.suppliers.invitations import invite, membership

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-42"


def api(user, tenant, host_tenant=None) -> Client:
    with schema_context(tenant.schema_name):
        token = api_token_for(user)
    return Client(HTTP_HOST=host_of(host_tenant or tenant), HTTP_AUTHORIZATION=f"Token {token}")


@pytest.fixture(params=["supplier", "carrier"])
def company(request):
    """(fixture owner, API prefix, member model) for both kinds of company."""
    if request.param == "supplier":
        return request.getfixturevalue("supplier_a"), "/api/v1/supplier/", AssetOwnerMember
    return request.getfixturevalue("carrier_a"), "/api/v1/carrier/", CarrierMember


def test_the_owner_invites_lists_and_withdraws(company, tenant_a):
    owner, prefix, _ = company
    client = api(owner.user, tenant_a)
    created = client.post(
        f"{prefix}invitations/", {"email": "New@Example.test", "role": "owner"}, "application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["email"] == "new@example.test" and body["role"] == "owner" and "token" not in str(body).lower()
    )
    listed = client.get(f"{prefix}invitations/").json()["results"]
    assert [i["email"] for i in listed] == ["new@example.test"]
    assert client.delete(f"{prefix}invitations/{body['id']}/").status_code == 204
    assert client.get(f"{prefix}invitations/").json()["results"] == []
    members = client.get(f"{prefix}members/").json()["results"]
    assert [m["role"] for m in members] == ["owner"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"email": "a@b.test", "role": "admin"}, "role"),
        ({"email": "x" * 300 + "@b.test"}, "email"),
    ],
)
def test_bad_invitations_are_400_with_the_field(supplier_a, tenant_a, payload, field):
    response = api(supplier_a.user, tenant_a).post(
        "/api/v1/supplier/invitations/", payload, "application/json"
    )
    assert response.status_code == 400 and field in response.json()
    with schema_context(tenant_a.schema_name):
        assert not MemberInvitation.objects.exists()


def test_an_operator_is_refused_by_the_server(supplier_a, tenant_a):
    invitation, _, _ = invite(supplier_a, "pending@example.test")
    with schema_context(tenant_a.schema_name):
        operator = make_member(supplier_a.company, role=MemberRole.OPERATOR)
        owner_row = membership(supplier_a).pk
    client = api(operator, tenant_a)
    assert client.get("/api/v1/supplier/members/").status_code == 200
    assert (
        client.post(
            "/api/v1/supplier/invitations/", {"email": "x@example.test"}, "application/json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/supplier/invitations/{invitation.pk}/").status_code == 403
    assert client.delete(f"/api/v1/supplier/members/{owner_row}/").status_code == 403
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None
        assert not MemberInvitation.objects.filter(email="x@example.test").exists()


def test_the_owner_removes_a_member_but_never_the_last_owner(company, tenant_a):
    owner, prefix, model = company
    with schema_context(tenant_a.schema_name):
        colleague = model.objects.get(user=make_member(owner.company, role=MemberRole.OPERATOR))
        own_row = model.objects.get(user=owner.user).pk
    client = api(owner.user, tenant_a)
    assert client.delete(f"{prefix}members/{colleague.pk}/").status_code == 204
    last = client.delete(f"{prefix}members/{own_row}/")
    assert last.status_code == 400 and "last owner" in str(last.json())
    with schema_context(tenant_a.schema_name):
        assert (
            not model.objects.filter(pk=colleague.pk).exists() and model.objects.filter(pk=own_row).exists()
        )


def test_another_companys_rows_are_404(supplier_a, other_supplier_a, tenant_a):
    invitation, _, _ = invite(other_supplier_a, "theirs@example.test")
    with schema_context(tenant_a.schema_name):
        their_member = membership(other_supplier_a).pk
    client = api(supplier_a.user, tenant_a)
    assert client.delete(f"/api/v1/supplier/invitations/{invitation.pk}/").status_code == 404
    assert client.delete(f"/api/v1/supplier/members/{their_member}/").status_code == 404
    assert "theirs@example.test" not in client.get("/api/v1/supplier/invitations/").content.decode()
    with schema_context(tenant_a.schema_name):
        assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_a_supplier_member_is_not_a_carrier_member(supplier_a, tenant_a):
    client = api(supplier_a.user, tenant_a)
    assert client.get("/api/v1/carrier/members/").status_code == 404
    assert (
        client.post(
            "/api/v1/carrier/invitations/", {"email": "x@example.test"}, "application/json"
        ).status_code
        == 404
    )


def test_another_networks_host_is_401_or_404(supplier_a, tenant_a, tenant_b, make_user):
    """Alpha's token means nothing on beta's host; beta's own customer finds no company there."""
    assert (
        api(supplier_a.user, tenant_a, host_tenant=tenant_b).get("/api/v1/supplier/members/").status_code
        == 401
    )
    stranger = make_user(tenant_b)
    with schema_context(tenant_a.schema_name):
        own_row = membership(supplier_a).pk
    client = api(stranger, tenant_b)
    assert client.get("/api/v1/supplier/members/").status_code == 404
    assert client.delete(f"/api/v1/supplier/members/{own_row}/").status_code == 404


# --- accepting ---------------------------------------------------------------------------------------------


def test_accept_over_the_api_signing_up(supplier_a, client_a, tenant_a):
    _, secret, _ = invite(supplier_a, "new@example.test")
    weak = client_a.post(
        "/api/v1/invitations/accept/", {"token": secret, "full_name": "", "password": "1"}, "application/json"
    )
    assert weak.status_code == 400 and {"full_name", "password"} <= set(weak.json())
    done = client_a.post(
        "/api/v1/invitations/accept/",
        {"token": secret, "full_name": "New One", "password": PASSWORD},
        "application/json",
    )
    assert done.status_code == 201
    assert done.json() == {
        "member_id": done.json()["member_id"],
        "company": supplier_a.company.name,
        "kind": "asset_owner",
        "role": "operator",
    }
    used = client_a.post("/api/v1/invitations/accept/", {"token": secret}, "application/json")
    assert used.status_code == 410 and used.json()["reason"] == "accepted"


def test_accept_over_the_api_with_a_token_of_the_invited_account(carrier_a, tenant_a, make_user):
    known = make_user(tenant_a, email="known@example.test")
    _, secret, _ = invite(carrier_a, "known@example.test")
    anonymous = Client(HTTP_HOST=host_of(tenant_a))
    refused = anonymous.post(
        "/api/v1/invitations/accept/",
        {"token": secret, "full_name": "X", "password": PASSWORD},
        "application/json",
    )
    assert refused.status_code == 409 and refused.json()["reason"] == "sign_in"
    accepted = api(known, tenant_a).post("/api/v1/invitations/accept/", {"token": secret}, "application/json")
    assert accepted.status_code == 201 and accepted.json()["kind"] == "carrier"
    with schema_context(tenant_a.schema_name):
        assert CarrierMember.objects.get(user=known).carrier_id == carrier_a.company.pk


def test_accept_over_the_api_refuses_others_expired_and_unknown(
    supplier_a, other_supplier_a, tenant_a, client_b
):
    invitation, secret, _ = invite(supplier_a, "invited@example.test")
    as_other = api(other_supplier_a.user, tenant_a).post(
        "/api/v1/invitations/accept/", {"token": secret}, "application/json"
    )
    assert as_other.status_code == 403 and as_other.json()["reason"] == "wrong_account"
    assert (
        client_b.post("/api/v1/invitations/accept/", {"token": secret}, "application/json").status_code == 404
    )
    with schema_context(tenant_a.schema_name):
        MemberInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    expired = Client(HTTP_HOST=host_of(tenant_a)).post(
        "/api/v1/invitations/accept/",
        {"token": secret, "full_name": "I", "password": PASSWORD},
        "application/json",
    )
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email="invited@example.test").exists()
