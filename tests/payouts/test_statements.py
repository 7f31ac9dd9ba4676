"""Statements shown to participants before they accept a job, re-planned orders, and the versioned policy."""

from apps.accounts.roles import Role
from apps.orders.models import WorkItem
from apps.orders.services.transitions import work_item_transition
from apps.orders.status import WorkItemStatus
from apps.payouts.models import ProfitSharePolicy, ProfitShareSplit, ProfitShareStatement
from apps.payouts.payments.charges import charge_record
from apps.payouts.profit_share.statements import statement_refresh_for_order
from apps.payouts.selectors import statement_for_leg, statement_for_work_item
from apps.payouts.transfers.participant_transfers import transfer_release_for_work_item
from tests.conftest import sign_in
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay
from tests.suppliers.factories import make_asset_owner


def test_statement_for_a_work_item_explains_the_share_before_the_job_is_accepted(money_a):
    (owner_a, owner_b), (carrier,) = make_participants(owners=2, carriers=1, onboarded=False)
    order = make_order(
        total_minor=12_000, items=[(owner_a, 4_000), (owner_b, 2_000)], legs=[(carrier, 1_000)]
    )
    item = WorkItem.objects.filter(order=order, asset_owner=owner_a).get()
    before_payment = statement_for_work_item(item)
    assert before_payment.provisional and before_payment.revision is None
    # Surplus 50.00, the platform keeps 20 %; 40.00 shared by cost: 40/70 of it is 22.86.
    assert before_payment.part_amount_minor == before_payment.amount_minor == 4_000 + 2_286
    assert any("not known until the payment" in line for line in before_payment.lines)
    charge_record(charge_id=pay(order)["id"])
    statement = statement_for_work_item(item)
    assert not statement.provisional
    assert statement.part_cost_minor == 4_000 and statement.cost_minor == 4_000
    assert "You receive €40.00 + €22.86 = €62.86." in statement.lines
    assert statement.amount.format() == "€62.86"
    leg_statement = statement_for_leg(order.transport_legs.get())
    assert leg_statement.amount_minor == 1_000 + 571
    split = statement_refresh_for_order(order_id=order.pk)
    assert statement_for_work_item(item).revision == split.revision
    assert (
        sum(s.amount_minor for s in split.statements.all())
        + split.platform_commission_minor
        + split.stripe_fee_minor
        == 12_000
    )


def test_a_replan_makes_a_new_revision_and_released_parts_keep_their_amount(money_a):
    (owner_a, owner_b), _ = make_participants(owners=2, carriers=0)
    order = make_order(total_minor=10_000, items=[(owner_a, 3_000), (owner_b, 3_000)])
    charge_record(charge_id=pay(order)["id"])
    first_item, second_item = WorkItem.objects.filter(order=order).order_by("pk")
    finish_work_item(first_item)
    released = transfer_release_for_work_item(work_item_id=first_item.pk)
    first = statement_refresh_for_order(order_id=order.pk)
    # The second job is declined and re-planned on a dearer workshop.
    work_item_transition(work_item_id=second_item.pk, to=WorkItemStatus.DECLINED, actor_label="test")
    replacement_owner = make_asset_owner("Dearer")
    replacement = WorkItem.objects.create(
        order=order,
        line=second_item.line,
        step_key="step1b",
        name="Step 2 again",
        status=WorkItemStatus.OFFERED,
        asset_owner=replacement_owner,
        cost_minor=4_500,
        currency="EUR",
    )
    second = statement_refresh_for_order(order_id=order.pk)
    assert second.revision == first.revision + 1
    assert ProfitShareSplit.objects.get(pk=first.pk).is_current is False
    statements = {s.asset_owner_id: s for s in ProfitShareStatement.objects.filter(split=second)}
    assert set(statements) == {owner_a.pk, replacement_owner.pk}
    assert statements[owner_a.pk].amount_minor == released.amount_minor, "a released part keeps its amount"
    assert (
        statement_for_work_item(replacement).part_amount_minor
        == statements[replacement_owner.pk].amount_minor
    )
    assert (
        sum(s.amount_minor for s in statements.values())
        + second.platform_commission_minor
        + second.stripe_fee_minor
        == 10_000
    )


def test_staff_publish_a_new_policy_version_in_the_admin_and_old_ones_stay(
    client_a, tenant_a, make_user, money_a
):
    from apps.payouts.profit_share.policies import policy_current

    assert policy_current().version == 1
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    response = client_a.post(
        "/admin/payouts/profitsharepolicy/add/",
        {
            "method": "equal",
            "platform_surplus_bp": "1500",
            "min_platform_fee_minor": "200",
            "fee_bearer": "participants",
            "refund_mode": "pro_rata",
            "refund_fee_bearer": "pro_rata",
            "designer_royalty_max_bp": "1200",
            "designer_royalty_max_minor": "500",
            "note": "Spring terms",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    newest = ProfitSharePolicy.objects.get(version=2)
    assert (newest.method, newest.platform_surplus_bp, newest.fee_bearer) == ("equal", 1500, "participants")
    assert (newest.designer_royalty_max_bp, newest.designer_royalty_max_minor) == (1200, 500)
    assert newest.refund_fee_bearer == "pro_rata"
    assert newest.created_by.has_role(Role.STAFF)
    first = ProfitSharePolicy.objects.get(version=1)
    change = client_a.post(
        f"/admin/payouts/profitsharepolicy/{first.pk}/change/",
        {
            "method": "equal",
            "platform_surplus_bp": "9000",
            "min_platform_fee_minor": "0",
            "fee_bearer": "platform",
            "refund_mode": "pro_rata",
        },
    )
    first.refresh_from_db()
    assert change.status_code == 403
    assert first.platform_surplus_bp == 2_000 and first.method == "proportional"
