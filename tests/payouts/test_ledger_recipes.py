"""Every ledger recipe posts exactly the lines, in the order, with the idempotency key and memo of the table in
`apps.payouts.ledger.recipes` for one representative order: an owner's work item and a carrier's leg, a
charge, a refund and a dispute each way, transfers and reversals for both participants, settlement and the
platform's payouts."""

from datetime import UTC, datetime

from apps.orders.models import TransportLeg, WorkItem
from apps.payouts.ledger import recipes
from apps.payouts.models import Reversal, Transfer
from tests.payouts.money_builders import make_order, make_participants

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _entry(result) -> tuple:
    entry, created = result
    assert created
    lines = [
        (
            posting.account.kind,
            "order"
            if posting.account.order_id
            else "owner"
            if posting.account.asset_owner_id
            else "carrier"
            if posting.account.carrier_id
            else "network",
            posting.currency,
            posting.amount_minor,
        )
        for posting in entry.postings.select_related("account").order_by("id")
    ]
    return (
        entry.kind,
        entry.order_id,
        entry.key,
        entry.stripe_object_id,
        entry.balance_transaction_id,
        entry.memo,
        lines,
    )


def _transfer(order, *, item=None, leg=None, amount: int) -> Transfer:
    transfer = Transfer(
        order=order,
        work_item=item,
        transport_leg=leg,
        asset_owner=item.asset_owner if item else None,
        carrier=leg.carrier if leg else None,
        part_amount_minor=amount,
        amount_minor=amount,
        currency="EUR",
        stripe_transfer_id=f"tr_{amount}",
    )
    transfer.idempotency_key = Transfer.key_for(transfer.id, 0)
    transfer.save()
    return transfer


def _reversal(transfer: Transfer, amount: int) -> Reversal:
    reversal = Reversal(transfer=transfer, amount_minor=amount, currency="EUR")
    reversal.idempotency_key = Reversal.key_for(reversal.id, 0)
    reversal.save()
    return reversal


def test_every_recipe_posts_the_lines_of_its_table_row(in_tenant_a):
    (owner,), (carrier,) = make_participants(owners=1, carriers=1, onboarded=False)
    order = make_order(total_minor=10_000, items=[(owner, 4_000)], legs=[(carrier, 1_500)])
    item = WorkItem.objects.get(order=order)
    leg = TransportLeg.objects.get(order=order)
    owner_transfer = _transfer(order, item=item, amount=4_000)
    carrier_transfer = _transfer(order, leg=leg, amount=1_500)
    owner_reversal = _reversal(owner_transfer, 700)
    carrier_reversal = _reversal(carrier_transfer, 300)
    common = {"order_id": order.pk, "currency": "EUR"}
    order_id, C = order.pk, "EUR"

    posted = [
        _entry(
            recipes.book_charge(
                **common,
                charge_id="ch_1",
                balance_transaction_id="txn_ch",
                amount_minor=10_000,
                fee_minor=320,
                effective_at=AT,
            )
        ),
        _entry(
            recipes.book_refund(
                **common,
                refund_id="re_1",
                balance_transaction_id="txn_re",
                amount_minor=1_000,
                fee_minor=5,
                effective_at=AT,
            )
        ),
        _entry(recipes.book_refund_allocation(**common, refund_id="re_1", amount_minor=1_000)),
        _entry(recipes.book_transfer_release(transfer=owner_transfer)),
        _entry(
            recipes.book_transfer_sent(
                transfer=owner_transfer,
                stripe_transfer_id="tr_1",
                balance_transaction_id="txn_tr",
                effective_at=AT,
            )
        ),
        _entry(recipes.book_transfer_release(transfer=carrier_transfer)),
        _entry(recipes.book_transfer_void(transfer=carrier_transfer)),
        _entry(recipes.book_reversal_claim(reversal=owner_reversal, transfer=owner_transfer)),
        _entry(
            recipes.book_reversal_sent(
                reversal=owner_reversal,
                transfer=owner_transfer,
                stripe_reversal_id="trr_1",
                balance_transaction_id="txn_trr",
                effective_at=AT,
            )
        ),
        _entry(recipes.book_reversal_claim(reversal=carrier_reversal, transfer=carrier_transfer)),
        _entry(recipes.book_reversal_void(reversal=carrier_reversal, transfer=carrier_transfer)),
        _entry(
            recipes.book_dispute(
                **common,
                dispute_id="dp_1",
                balance_transaction_id="txn_dp",
                amount_minor=2_000,
                fee_minor=1_500,
                effective_at=AT,
            )
        ),
        _entry(recipes.book_dispute_lost(**common, dispute_id="dp_1", amount_minor=2_000)),
        _entry(
            recipes.book_dispute(
                **common,
                dispute_id="dp_2",
                balance_transaction_id="txn_dp2",
                amount_minor=500,
                fee_minor=0,
                effective_at=AT,
            )
        ),
        _entry(
            recipes.book_dispute_won(
                **common,
                dispute_id="dp_2",
                balance_transaction_id="txn_won",
                amount_minor=500,
                effective_at=AT,
            )
        ),
        _entry(
            recipes.book_dispute_won(
                **common, dispute_id="dp_3", balance_transaction_id="", amount_minor=100, effective_at=AT
            )
        ),
        _entry(recipes.book_settlement(order_id=order_id, currency=C, clearing_balance=-2_980, sequence=1)),
        _entry(
            recipes.book_platform_payout(
                currency=C,
                payout_id="po_1",
                balance_transaction_id="txn_po",
                amount_minor=3_000,
                effective_at=AT,
            )
        ),
        _entry(
            recipes.book_platform_payout_failed(
                currency=C, payout_id="po_1", balance_transaction_id="", amount_minor=3_000, effective_at=AT
            )
        ),
    ]

    release_key = f"transfer_release:{owner_transfer.pk}"
    assert posted == [
        (
            "charge",
            order_id,
            "",
            "ch_1",
            "txn_ch",
            "Payment ch_1",
            [
                ("platform_cash", "network", C, 9_680),
                ("stripe_fees", "network", C, 320),
                ("order_clearing", "order", C, -10_000),
            ],
        ),
        (
            "refund",
            order_id,
            "",
            "re_1",
            "txn_re",
            "Refund re_1",
            [
                ("refunds", "network", C, 1_000),
                ("stripe_fees", "network", C, 5),
                ("platform_cash", "network", C, -1_005),
            ],
        ),
        (
            "refund_allocation",
            order_id,
            "refund_allocation:re_1",
            "",
            "",
            "Refund re_1 charged to its order",
            [("order_clearing", "order", C, 1_000), ("refunds", "network", C, -1_000)],
        ),
        (
            "transfer_release",
            order_id,
            release_key,
            "",
            "",
            f"Released for work item {item.pk}",
            [("order_clearing", "order", C, 4_000), ("payable_asset_owner", "owner", C, -4_000)],
        ),
        (
            "transfer",
            order_id,
            "",
            "tr_1",
            "txn_tr",
            f"Transfer tr_1 for work item {item.pk}",
            [("payable_asset_owner", "owner", C, 4_000), ("platform_cash", "network", C, -4_000)],
        ),
        (
            "transfer_release",
            order_id,
            f"transfer_release:{carrier_transfer.pk}",
            "",
            "",
            f"Released for transport leg {leg.pk}",
            [("order_clearing", "order", C, 1_500), ("payable_carrier", "carrier", C, -1_500)],
        ),
        (
            "transfer_void",
            order_id,
            f"transfer_void:{carrier_transfer.pk}",
            "",
            "",
            f"Release for transport leg {leg.pk} cancelled",
            [("payable_carrier", "carrier", C, 1_500), ("order_clearing", "order", C, -1_500)],
        ),
        (
            "reversal_claim",
            order_id,
            f"reversal_claim:{owner_reversal.pk}",
            "",
            "",
            f"Reversal claimed from work item {item.pk}",
            [("payable_asset_owner", "owner", C, 700), ("order_clearing", "order", C, -700)],
        ),
        (
            "reversal",
            order_id,
            "",
            "trr_1",
            "txn_trr",
            "Reversal trr_1 of tr_4000",
            [("platform_cash", "network", C, 700), ("payable_asset_owner", "owner", C, -700)],
        ),
        (
            "reversal_claim",
            order_id,
            f"reversal_claim:{carrier_reversal.pk}",
            "",
            "",
            f"Reversal claimed from transport leg {leg.pk}",
            [("payable_carrier", "carrier", C, 300), ("order_clearing", "order", C, -300)],
        ),
        (
            "reversal_void",
            order_id,
            f"reversal_void:{carrier_reversal.pk}",
            "",
            "",
            "Reversal claim cancelled",
            [("order_clearing", "order", C, 300), ("payable_carrier", "carrier", C, -300)],
        ),
        (
            "dispute",
            order_id,
            "",
            "dp_1",
            "txn_dp",
            "Dispute dp_1: funds withdrawn",
            [
                ("disputes", "network", C, 2_000),
                ("stripe_fees", "network", C, 1_500),
                ("platform_cash", "network", C, -3_500),
            ],
        ),
        (
            "dispute_lost",
            order_id,
            "dispute_lost:dp_1",
            "",
            "",
            "Dispute dp_1 lost",
            [("order_clearing", "order", C, 2_000), ("disputes", "network", C, -2_000)],
        ),
        (
            "dispute",
            order_id,
            "",
            "dp_2",
            "txn_dp2",
            "Dispute dp_2: funds withdrawn",
            [("disputes", "network", C, 500), ("platform_cash", "network", C, -500)],
        ),
        (
            "dispute_won",
            order_id,
            "dispute_won:dp_2",
            "txn_won",
            "txn_won",
            "Dispute dp_2 won: funds reinstated",
            [("platform_cash", "network", C, 500), ("disputes", "network", C, -500)],
        ),
        (
            "dispute_won",
            order_id,
            "dispute_won:dp_3",
            "dp_3:won",
            "",
            "Dispute dp_3 won: funds reinstated",
            [("platform_cash", "network", C, 100), ("disputes", "network", C, -100)],
        ),
        (
            "settlement",
            order_id,
            f"settlement:{order_id}:1",
            "",
            "",
            "Order settled: remaining money recognised as platform revenue",
            [("order_clearing", "order", C, 2_980), ("platform_revenue", "network", C, -2_980)],
        ),
        (
            "platform_payout",
            None,
            "",
            "po_1",
            "txn_po",
            "Payout po_1 to the platform's bank",
            [("platform_bank", "network", C, 3_000), ("platform_cash", "network", C, -3_000)],
        ),
        (
            "platform_payout_failed",
            None,
            "payout_failed:po_1",
            "po_1:failed",
            "",
            "Payout po_1 failed: money back on the platform balance",
            [("platform_cash", "network", C, 3_000), ("platform_bank", "network", C, -3_000)],
        ),
    ]
