"""Money follows the leg's delivery, and the delivery follows the part: a carrier cannot pick up (so cannot
deliver, so is not paid for) a leg whose part nobody has made yet. The report: a leg whose source job was only
accepted was picked up, delivered and paid at once."""

import pytest

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.services import transport_leg_deliver, transport_leg_pick_up
from apps.orders.status import InvalidTransition, LegWaiting
from apps.payouts.models import Transfer, TransferStatus
from apps.payouts.payments.charges import charge_record
from apps.payouts.transfers.participant_transfers import transfer_release_for_leg, transfer_send
from tests.payouts.money_builders import finish_work_item, make_order, make_participants, pay, platform_get


def test_a_carrier_is_paid_only_for_a_leg_whose_part_was_made(money_a):
    (owner,), (carrier,) = make_participants(owners=1, carriers=1)
    order = make_order(total_minor=10_000, items=[(owner, 4_000)], legs=[(carrier, 1_000)])
    item = WorkItem.objects.get(order=order)  # accepted, not made
    leg = TransportLeg.objects.get(order=order)
    TransportLeg.objects.filter(pk=leg.pk).update(from_work_item=item)
    charge_record(charge_id=pay(order)["id"])

    with pytest.raises(LegWaiting) as refused:
        transport_leg_pick_up(leg_id=leg.pk, actor=None, scope=carrier)
    assert refused.value.waiting_for == ("'Step 1' (accepted)",)
    with pytest.raises(InvalidTransition):
        transport_leg_deliver(leg_id=leg.pk, actor=None, receiver_name="Goods-in", scope=carrier)
    assert transfer_release_for_leg(leg_id=leg.pk) is None
    assert not Transfer.objects.filter(transport_leg=leg).exists()
    assert platform_get("/v1/transfers", transfer_group=order.transfer_group)["data"] == []

    finish_work_item(item)
    transport_leg_pick_up(leg_id=leg.pk, actor=None, scope=carrier)
    transport_leg_deliver(leg_id=leg.pk, actor=None, receiver_name="Goods-in", scope=carrier)
    transfer = transfer_release_for_leg(leg_id=leg.pk)
    transfer_send(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT and transfer.carrier_id == carrier.pk
    sent = platform_get("/v1/transfers", transfer_group=order.transfer_group)["data"]
    assert [t["destination"] for t in sent] == [carrier.stripe_account_id]
