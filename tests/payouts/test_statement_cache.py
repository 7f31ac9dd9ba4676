"""A participant's statement comes from the cache while nothing it is computed from changed
(apps/payouts/statement_cache.py). Each test changes one kind of input row with a queryset update (no save(), no
updated_at, no signal) and sees the next statement change: a cache keyed by less than every input fails one of
them. Entries never cross participants, parts or networks."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.orders.models import Order, OrderLine, TransportLeg, WorkItem
from apps.payouts.models import OrderMoney, OrderPolicyPin, ProfitSharePolicy, ProfitShareSplit, Transfer
from apps.payouts.profit_share.policies import order_policy_pin, policy_current, profit_share_policy_publish
from apps.payouts.profit_share.statements import statement_refresh_for_order, work_item_key
from apps.payouts.selectors import statement_for_leg, statement_for_work_item
from apps.payouts.statement_cache import STATEMENT_FINGERPRINT, statement_fingerprint_of
from apps.suppliers.models import AssetOwner
from tests.designers.factories import make_designer
from tests.payouts.money_builders import make_order, make_participants

pytestmark = pytest.mark.django_db


def job(item_id: int) -> WorkItem:
    """The job as its page reads it: with the fingerprint of its statement's inputs in the same statement."""
    return (
        WorkItem.objects.select_related("order")
        .annotate(**{STATEMENT_FINGERPRINT: statement_fingerprint_of(WorkItem)})
        .get(pk=item_id)
    )


@pytest.fixture
def order_of_two(in_tenant_a):
    policy_current()  # the network's default policy (a first computation would write it: a new input)
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1, onboarded=False)
    order = make_order(
        total_minor=12_000, items=[(owner_a, 4_000), (owner_b, 2_000)], legs=[(carrier, 1_000)]
    )
    mine = WorkItem.objects.get(order=order, asset_owner=owner_a)
    theirs = WorkItem.objects.get(order=order, asset_owner=owner_b)
    return order, mine, theirs


def cached_then(item_id: int, change) -> tuple:
    """The statement before `change()` (served from the cache on its second read: one statement fewer than the
    eight of a computation, none at all) and after it."""
    before = statement_for_work_item(job(item_id))
    with CaptureQueriesContext(connection) as queries:
        again = statement_for_work_item(job(item_id))
    assert again == before and len(queries) == 1, "the second read is the job's own statement only"
    change()
    return before, statement_for_work_item(job(item_id))


def test_the_orders_total_before_payment(order_of_two):
    order, mine, _ = order_of_two
    before, after = cached_then(mine.pk, lambda: Order.objects.filter(pk=order.pk).update(total_minor=15_000))
    assert after.amount_minor > before.amount_minor


def test_the_orders_money(order_of_two):
    order, mine, _ = order_of_two
    OrderMoney.objects.create(
        order=order, currency="EUR", charge_id="ch_cache", paid_minor=12_000, fee_minor=0
    )
    before, after = cached_then(
        mine.pk, lambda: OrderMoney.objects.filter(order=order).update(paid_minor=14_000)
    )
    assert not before.provisional and after.amount_minor > before.amount_minor


def test_the_pinned_policy_edited_in_place(order_of_two):
    order, mine, _ = order_of_two
    pin = order_policy_pin(order_id=order.pk)
    before, after = cached_then(
        mine.pk, lambda: ProfitSharePolicy.objects.filter(pk=pin.policy_id).update(platform_surplus_bp=5_000)
    )
    assert after.amount_minor < before.amount_minor


def test_a_pin_to_another_version(order_of_two):
    order, mine, _ = order_of_two
    pin = order_policy_pin(order_id=order.pk)
    other = ProfitSharePolicy.objects.create(version=pin.policy.version + 50, platform_surplus_bp=0)
    before, after = cached_then(
        mine.pk, lambda: OrderPolicyPin.objects.filter(pk=pin.pk).update(policy=other)
    )
    assert after.policy_version == other.version != before.policy_version


def test_a_newer_policy_while_the_order_is_not_pinned(order_of_two):
    _, mine, _ = order_of_two

    def publish():
        profit_share_policy_publish(
            method="proportional", platform_surplus_bp=0, min_platform_fee_minor=0, fee_bearer="platform"
        )

    before, after = cached_then(mine.pk, publish)
    assert after.policy_version > before.policy_version and after.amount_minor > before.amount_minor


def test_a_released_transfer(order_of_two):
    order, mine, _ = order_of_two

    def release():
        Transfer.objects.create(
            order=order,
            work_item=mine,
            asset_owner_id=mine.asset_owner_id,
            part_amount_minor=4_100,
            amount_minor=4_100,
            currency="EUR",
            idempotency_key=f"test:{uuid.uuid4()}",
        )

    before, after = cached_then(mine.pk, release)
    assert before.part_amount_minor != 4_100 and after.part_amount_minor == 4_100


def test_another_jobs_cost_on_the_order(order_of_two):
    _, mine, theirs = order_of_two
    before, after = cached_then(
        mine.pk, lambda: WorkItem.objects.filter(pk=theirs.pk).update(cost_minor=5_000)
    )
    assert after.surplus_share_minor < before.surplus_share_minor


def test_the_participants_name(order_of_two):
    _, mine, _ = order_of_two
    before, after = cached_then(
        mine.pk, lambda: AssetOwner.objects.filter(pk=mine.asset_owner_id).update(name="Renamed Works")
    )
    assert before.participant_name != "Renamed Works" == after.participant_name


def test_a_legs_cost(order_of_two):
    order, mine, _ = order_of_two
    before, after = cached_then(
        mine.pk, lambda: TransportLeg.objects.filter(order=order).update(cost_minor=3_000)
    )
    assert after.surplus_share_minor < before.surplus_share_minor


def test_a_royalty_on_a_line(order_of_two):
    order, mine, _ = order_of_two
    designer = make_designer()
    before, after = cached_then(
        mine.pk,
        lambda: OrderLine.objects.filter(order=order).update(designer=designer, royalty_minor=1_000),
    )
    assert after.amount_minor < before.amount_minor


def test_the_stored_revision(order_of_two):
    order, mine, _ = order_of_two
    before, after = cached_then(mine.pk, lambda: statement_refresh_for_order(order_id=order.pk))
    assert before.revision is None and after.revision == ProfitShareSplit.objects.get(order=order).revision


def test_without_the_annotation_the_fingerprint_costs_one_statement(order_of_two):
    order, _, _ = order_of_two
    leg = TransportLeg.objects.get(order=order)
    first = statement_for_leg(leg)
    with CaptureQueriesContext(connection) as queries:
        assert statement_for_leg(TransportLeg.objects.get(pk=leg.pk)) == first
    assert len(queries) == 2  # the leg and its fingerprint
    TransportLeg.objects.filter(pk=leg.pk).update(cost_minor=2_000)
    assert statement_for_leg(TransportLeg.objects.get(pk=leg.pk)).part_cost_minor == 2_000


def test_an_entry_is_read_for_its_own_participant_and_part_only(order_of_two):
    """Both jobs share the order's fingerprint; each gets its own statement, and a job that left the plan
    (declined) gets none, however the other's entry stands."""
    _, mine, theirs = order_of_two
    mine_statement = statement_for_work_item(job(mine.pk))
    theirs_statement = statement_for_work_item(job(theirs.pk))
    assert mine_statement.part_key == work_item_key(mine.pk) and theirs_statement.part_key == work_item_key(
        theirs.pk
    )
    assert mine_statement.participant_name != theirs_statement.participant_name
    WorkItem.objects.filter(pk=theirs.pk).update(status="declined")
    assert statement_for_work_item(job(theirs.pk)) is None
    assert statement_for_work_item(job(mine.pk)).part_amount_minor != mine_statement.part_amount_minor


def test_another_network_never_reads_the_entry(order_of_two, tenant_a, tenant_b):
    """The same key in beta's schema is another cache key (the tenant key function)."""
    _, mine, _ = order_of_two
    statement_for_work_item(job(mine.pk))
    fingerprint = getattr(job(mine.pk), STATEMENT_FINGERPRINT)
    key = (
        f"statement:{mine.order_id}:asset_owner:{mine.asset_owner_id}:{work_item_key(mine.pk)}:{fingerprint}"
    )
    assert cache.get(key) is not None
    with schema_context(tenant_b.schema_name):
        assert cache.get(key) is None
