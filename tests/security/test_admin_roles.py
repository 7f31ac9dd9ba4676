"""Every screen and every action of a network's admin, as a platform staff member who is not a superuser and as
finance. The admin registry is walked, so a new ModelAdmin is covered without editing this file.

Staff see and do on every screen what the network's owner (a superuser) sees and does, except the owner's own
screens (users, groups, API tokens, the Stripe keys). Finance look at the order and money records, add and change
nothing, and run no action but retrying a stuck transfer (its own money operation)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.access import ROLE_PERMISSIONS
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.tokens import token_create
from apps.orders.models import Order
from apps.orders.scope import Scope
from apps.orders.services import refund_request_create, work_item_problem_report
from apps.orders.status import OrderStatus
from apps.outbox.services import outbox_enqueue
from apps.payouts.models import Transfer, TransferStatus, WebhookEvent, WebhookEventStatus
from apps.suppliers.status import ParticipantStatus
from tests.conftest import host_of, sign_in
from tests.designers.factories import make_designer
from tests.uploads.conftest import stored_part

pytestmark = pytest.mark.django_db

ADMINS = [
    pytest.param(model, model_admin, id=model._meta.label_lower)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)
]
ACTIONS = [
    pytest.param(model, name, id=f"{model._meta.label_lower}:{name}")
    for model, model_admin in admin.site._registry.items()
    for name in (model_admin.actions or ())
    if isinstance(name, str)
]

# The owner's screens: whoever may change users or groups may make itself anything; the Stripe keys.
OWNER_ONLY = {"auth.group", "payouts.stripesettings"}
# Staff look users up (to pick a company's member) but do not add or edit them.
STAFF_LOOK_ONLY = {"accounts.user"}
FINANCE_READS = {
    "orders.order",
    "orders.workitem",
    "orders.refundrequest",
    "orders.jobproblem",
    "outbox.outboxmessage",
    "orders.ordersettings",
    "orders.place",
    "payouts.profitsharepolicy",
    "payouts.journalentry",
    "payouts.ledgeraccount",
    "payouts.transfer",
    "payouts.reversal",
    "payouts.customerrefund",
    "payouts.dispute",
    "payouts.connectedpayout",
    "payouts.reconciliationrun",
    "payouts.payouthold",
}
FINANCE_MAY_RUN = {("payouts.transfer", "retry_now")}


@pytest.fixture
def records(plan_a, tenant_a):
    """Alpha with a row behind most screens, made without Stripe: the demo catalog, companies with members, a
    planned order with work items and legs, a problem report, a refund request, a transfer, an outbox message,
    a failed Stripe event, an API token and an uploaded part."""
    connection.set_tenant(tenant_a)
    order = plan_a.order
    work_item = plan_a.mine
    work_item_problem_report(
        work_item_id=work_item.pk, actor=None, reason="Oak delivery is late", scope=Scope.SYSTEM
    )
    # A refund request is made after delivery; the order then goes back to planned for the order actions.
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    refund_request_create(order_id=order.pk, customer=order.customer, reason="Dent", amount_minor=500)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PLANNED, delivered_at=None)
    Transfer.objects.create(
        order=order,
        work_item=work_item,
        asset_owner=work_item.asset_owner,
        part_amount_minor=1000,
        amount_minor=1000,
        currency="EUR",
        idempotency_key=f"transfer:test:{work_item.pk}",
        status=TransferStatus.FAILED,
    )
    outbox_enqueue(task_name="matching.replan_order", kwargs={"order_id": order.pk}, dedup_key="test:replan")
    WebhookEvent.objects.create(
        stripe_event_id="evt_admin_roles",
        type="test.unhandled",
        stripe_created=1,
        payload={},
        status=WebhookEventStatus.FAILED,
    )
    token_create(user=order.customer, name="Shop integration", expires_in_days=None)
    stored_part(order.customer)
    make_designer("Admin Studio", status=ParticipantStatus.APPLIED)
    return order


def _clients(tenant_a, make_user) -> dict[str, Client]:
    with schema_context(tenant_a.schema_name):
        owner = User.objects.get(email="owner@alpha.test")
    people = {
        "owner": owner,
        "staff": make_user(tenant_a, Role.STAFF),
        "finance": make_user(tenant_a, Role.FINANCE),
    }
    return {who: sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, user) for who, user in people.items()}


def _screens(model) -> dict[str, str]:
    info = (model._meta.app_label, model._meta.model_name)
    screens = {
        "changelist": reverse("admin:{}_{}_changelist".format(*info)),
        "add": reverse("admin:{}_{}_add".format(*info)),
    }
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        screens["change"] = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    return screens


def _status(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code == 302 and "/admin/login/" not in response["Location"]:
        # A singleton's list goes straight to its one row: follow it once.
        response = client.get(response["Location"])
    return response.status_code


@pytest.mark.parametrize(("model", "model_admin"), ADMINS)
def test_every_screen_as_staff_and_as_finance(records, tenant_a, make_user, model, model_admin):
    """Staff: the owner's answer on every screen but the owner's own. Finance: the order and money records to
    read (no add, change or delete, no save button), 403 elsewhere."""
    clients = _clients(tenant_a, make_user)
    label = model._meta.label_lower
    connection.set_tenant(tenant_a)
    screens = _screens(model)
    for screen, url in screens.items():
        owner, staff = _status(clients["owner"], url), _status(clients["staff"], url)
        # The owner's answer is the yardstick: it must be a working page (or a read-only admin's refused add).
        assert owner == 200 or (screen == "add" and owner == 403), ("owner", screen, url, owner)
        if label in OWNER_ONLY or (label in STAFF_LOOK_ONLY and screen == "add"):
            assert staff == 403, ("staff", screen, url)
        else:
            assert staff == owner, ("staff", screen, url, owner, staff)

    assert _status(clients["finance"], screens["add"]) == 403
    for screen in ("changelist", "change"):
        if screen not in screens:
            continue  # no row of this model in the fixture
        response = clients["finance"].get(screens[screen])
        if label not in FINANCE_READS:
            assert response.status_code == 403, ("finance", screen, screens[screen])
            continue
        assert response.status_code == 200, ("finance", screen, screens[screen])
        if screen == "change":
            context = response.context
            assert not (context["has_add_permission"] or context["has_change_permission"])
            assert not context["has_delete_permission"]
            assert b'name="_save"' not in response.content


def _snapshot(model, pks) -> tuple:
    """Every table's row count, and the selected rows as they are."""
    counts = tuple(
        (m._meta.label, m._default_manager.count())
        for m in apps.get_models()
        if m._meta.app_label
        in {
            "processes",
            "catalog",
            "suppliers",
            "designers",
            "orders",
            "outbox",
            "matching",
            "payouts",
            "accounts",
            "auth",
        }
    )
    return counts, tuple(model._default_manager.filter(pk__in=pks).order_by("pk").values())


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_every_action_is_offered_to_staff_and_refused_to_finance(records, tenant_a, make_user, model, action):
    clients = _clients(tenant_a, make_user)
    label = model._meta.label_lower
    connection.set_tenant(tenant_a)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    offered = clients["staff"].get(changelist)
    assert offered.status_code == 200
    assert f'value="{action}"'.encode() in offered.content, "staff are offered the action"
    if (label, action) in FINANCE_MAY_RUN:
        assert f'value="{action}"'.encode() in clients["finance"].get(changelist).content
        failed = list(model._default_manager.filter(status="failed").values_list("pk", flat=True))
        assert failed, "the records fixture holds a failed row for finance to retry"
        response = clients["finance"].post(changelist, {"action": action, "_selected_action": failed})
        assert response.status_code == 302
        retried = model._default_manager.filter(pk__in=failed)
        assert {(row.status, row.attempts) for row in retried} == {("pending", 0)}
        return
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:5])
    assert pks, "the records fixture holds a row for every model with an action, so a run could change it"
    before = _snapshot(model, pks)
    data = {"action": action, "_selected_action": pks, "apply": "1", "reason": "x", "note": "x"}
    response = clients["finance"].post(changelist, data)
    if label in FINANCE_READS:
        # The list is finance's to read, so the admin shows it again: the action is not one of finance's.
        assert response.status_code == 200
        assert f'value="{action}"'.encode() not in response.content
    else:
        assert response.status_code == 403
    assert _snapshot(model, pks) == before, "nothing changed"


def test_role_groups_hold_exactly_the_tables_permissions_in_a_provisioned_network(in_tenant_a):
    for role, permissions in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert held == set(permissions), role


def test_migrating_an_existing_network_brings_its_role_groups_in_step(in_tenant_a):
    """A network provisioned before a role got its permissions gets them at the next migrate."""
    staff = Group.objects.get(name=Role.STAFF)
    staff.permissions.clear()
    Group.objects.get(name=Role.FINANCE).permissions.add(
        *staff.permissions.model.objects.filter(codename="change_order")
    )
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    held = {
        f"{app}.{codename}"
        for app, codename in staff.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(ROLE_PERMISSIONS[Role.STAFF])
    assert not Group.objects.get(name=Role.FINANCE).permissions.filter(codename="change_order").exists()
