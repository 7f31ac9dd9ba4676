"""The SaaS operator lists, suspends and deletes networks in the public-schema admin."""

import pytest
from django.test import Client
from django_tenants.utils import schema_exists

from apps.accounts.models import User
from apps.core.transitions import InvalidTransition
from apps.tenants.models import Tenant, TenantStatus
from apps.tenants.services import tenant_activate, tenant_create, tenant_suspend

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    operator = User.objects.create_superuser(email="op@cloudfactory.test", password="x-operator-pass-1")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    return client


def test_operator_lists_networks_but_not_the_template(operator_client, tenant_a):
    response = operator_client.get("/admin/tenants/tenant/")
    assert response.status_code == 200
    assert b"Alpha Works" in response.content
    assert b"Tenant template" not in response.content


def test_operator_suspends_a_network(operator_client, tenant_b):
    response = operator_client.post(
        "/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant_b.pk]}
    )
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_b.pk).status == TenantStatus.SUSPENDED
    assert Client(HTTP_HOST="beta.localhost").get("/").status_code == 503


def test_suspending_twice_is_refused_and_said_not_silently_skipped(operator_client, tenant_b):
    tenant_suspend(tenant=Tenant.objects.get(pk=tenant_b.pk))
    with pytest.raises(InvalidTransition) as refused:
        tenant_suspend(tenant=Tenant.objects.get(pk=tenant_b.pk))
    assert refused.value.current == TenantStatus.SUSPENDED
    response = operator_client.post(
        "/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant_b.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Suspended 0 network(s)." in page
    assert "This network is suspended; only active networks can be suspended." in page
    tenant_activate(tenant=Tenant.objects.get(pk=tenant_b.pk))
    assert Tenant.objects.get(pk=tenant_b.pk).status == TenantStatus.ACTIVE


def test_operator_deletes_a_network_only_after_typing_its_slug(operator_client):
    tenant = tenant_create(
        name="Doomed",
        subdomain="doomed",
        currency="EUR",
        admin_email="o@d.test",
        admin_password="x-doomed-pass-1",
    )
    url = f"/admin/tenants/tenant/{tenant.pk}/delete-network/"
    wrong = operator_client.post(url, {"confirm_slug": "nope"})
    assert wrong.status_code == 200
    assert b"exactly" in wrong.content
    assert schema_exists("t_doomed")
    right = operator_client.post(url, {"confirm_slug": "doomed"})
    assert right.status_code == 302
    assert not schema_exists("t_doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()


def test_network_staff_cannot_use_the_operator_admin(db, tenant_a):
    client = Client(HTTP_HOST="localhost")
    response = client.get("/admin/tenants/tenant/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
