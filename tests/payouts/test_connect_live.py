"""`make run`'s webhooks, for real: `stripe_local_webhooks` registers every network's account and Connect endpoints
at loopback with the network's Host, and the local Stripe server's deliveries reach the live web server, land in
the right network's inbox and are processed by the worker.

The test works in a network of its own and commits (the live server and the worker are other processes);
it unregisters every endpoint the command registered, so no later test's events reach a live inbox."""

import io
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.payouts.connect.onboarding import connect_onboarding_start
from apps.payouts.models import Dispute, WebhookEvent, WebhookEventStatus
from apps.suppliers.models import AssetOwner
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_list_active
from apps.tenants.services import tenant_create
from tests.conftest import PASSWORD, sign_in, wait_for
from tests.payouts.money_builders import control, make_order, pay
from tests.suppliers.factories import make_asset_owner

SLUG = "connectlive"


def _network() -> Tenant:
    return Tenant.objects.filter(slug=SLUG).first() or tenant_create(
        name="Connect Live",
        subdomain=SLUG,
        currency="EUR",
        admin_email=f"owner@{SLUG}.test",
        admin_password=PASSWORD,
    )


def _inbox(tenant: Tenant, event_type: str) -> list[WebhookEvent]:
    with schema_context(tenant.schema_name):
        return list(WebhookEvent.objects.filter(type=event_type))


@pytest.fixture
def registered(platform_server, django_db_blocker):
    """Runs `stripe_local_webhooks` as `make run` does, against the live server's port; unregisters afterwards."""
    previous = settings.PLATFORM_PORT
    settings.PLATFORM_PORT = urlsplit(platform_server).port
    with django_db_blocker.unblock():
        network = _network()
        output = io.StringIO()
        call_command("stripe_local_webhooks", stdout=output)
        schemas = list(tenant_list_active().values_list("schema_name", flat=True))
    settings.PLATFORM_PORT = previous
    loopback = platform_server.replace("localhost", "127.0.0.1")
    assert f"{loopback}/stripe/webhook/connect/ (Host: {SLUG}.localhost:" in output.getvalue()
    yield network
    for schema in schemas:
        for endpoint_id in (schema, f"{schema}-connect"):
            requests.delete(f"{settings.STRIPE_LOCAL_URL}/_config/webhooks/{endpoint_id}", timeout=5)


@pytest.mark.worker
def test_disputes_and_account_updates_reach_the_networks_inbox_through_the_live_server(
    registered, django_db_blocker, tenant_a, make_user
):
    network = registered
    with django_db_blocker.unblock(), schema_context(network.schema_name):
        owner = make_asset_owner()
        connect_onboarding_start(
            participant=owner, return_url="http://x.test/r", refresh_url="http://x.test/f"
        )
        owner.refresh_from_db()
        order = make_order(total_minor=5000)
        charge = pay(order)
        finance = make_user(network, Role.FINANCE)
    with django_db_blocker.unblock(), schema_context(tenant_a.schema_name):
        before_a = WebhookEvent.objects.count()

    control(f"accounts/{owner.stripe_account_id}/complete_onboarding")
    dispute = control(f"charges/{charge['id']}/dispute", amount=5000)

    with django_db_blocker.unblock():
        [account_updated] = wait_for(lambda: _inbox(network, "account.updated"), timeout=30)
        [disputed] = wait_for(lambda: _inbox(network, "charge.dispute.created"), timeout=30)
        assert account_updated.account == owner.stripe_account_id  # arrived through the Connect endpoint
        assert disputed.payload["data"]["object"]["id"] == dispute["id"] and disputed.account == ""

        def payable():
            with schema_context(network.schema_name):
                return AssetOwner.objects.get(pk=owner.pk).eligible  # the worker processed account.updated

        wait_for(payable, timeout=60)

        def booked():
            with schema_context(network.schema_name):
                return Dispute.objects.filter(stripe_dispute_id=dispute["id"], order=order).exists()

        wait_for(booked, timeout=60)  # the worker processed charge.dispute.created for the order's charge
        with schema_context(network.schema_name):
            assert WebhookEvent.objects.get(pk=account_updated.pk).status == WebhookEventStatus.PROCESSED
        page = sign_in(Client(HTTP_HOST=f"{SLUG}.localhost"), network, finance).get(
            f"/backoffice/finance/orders/{order.pk}/"
        )
        assert page.status_code == 200 and dispute["id"] in page.content.decode()  # finance sees it
        with schema_context(tenant_a.schema_name):
            assert WebhookEvent.objects.count() == before_a  # another network's endpoints got nothing of it
