"""Benchmark of the ledger: a full money lifecycle per order, then a reconciliation of all of it.

    python manage.py bench_ledger --orders 10000

Runs in a network of its own (created from the template, dropped at the end unless --keep). Per order, in one
transaction (so the deferred balance triggers run at each commit, as in production): the charge with Stripe's fee,
a release and a transfer per part (two jobs and a transport leg), for every tenth order a partial refund with its
allocation and pro-rata reversal claims and reversals, and the settlement closing the clearing account.

Ledger only: no Stripe calls. The reconciliation runs against synthetic balance transactions generated
in-process from what was booked (one per Stripe-side entry), instead of listing tens of thousands over HTTP.
The last line printed is JSON with timings and peak memory.
"""

from __future__ import annotations

import json
import resource
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.orders.models import Order
from apps.orders.status import OrderStatus
from apps.payouts.ledger.balances import order_clearing_balance
from apps.payouts.ledger.posting import account_cache
from apps.payouts.ledger.recipes import (
    book_charge,
    book_refund,
    book_refund_allocation,
    book_reversal_claim,
    book_reversal_sent,
    book_settlement,
    book_transfer_release,
    book_transfer_sent,
)
from apps.payouts.models import JournalEntry, OrderMoney, Posting, Reversal, RunStatus, Transfer
from apps.payouts.profit_share import rule as profit_share
from apps.payouts.reconciliation.runs import reconciliation_run
from apps.suppliers.models import AssetOwner, Carrier
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_delete

CURRENCY = "EUR"


def _max_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _fee(amount: int) -> int:
    # The local Stripe server's fee model: 1.5 % (half up) + 25 minor units.
    return int((Decimal(amount) * Decimal("1.5") / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP")) + 25


class Command(BaseCommand):
    help = "Posts a full money lifecycle per order to the ledger, reconciles it, prints timings as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=10_000)
        parser.add_argument(
            "--refund-every", type=int, default=10, help="Every n-th order gets a partial refund."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark network afterwards.")
        parser.add_argument(
            "--limit-search-path",
            action="store_true",
            help="Measure with TENANT_LIMIT_SET_CALLS=True (django-tenants sets search_path once per connection "
            "instead of before every statement).",
        )

    def handle(self, *args, orders: int, refund_every: int, keep: bool, limit_search_path: bool, **options):
        with override_settings(TENANT_LIMIT_SET_CALLS=limit_search_path):
            self._handle(
                orders=orders, refund_every=refund_every, keep=keep, limit_search_path=limit_search_path
            )

    def _handle(self, *, orders: int, refund_every: int, keep: bool, limit_search_path: bool):
        slug = f"bench-ledger-{uuid.uuid4().hex[:6]}"
        started = time.perf_counter()
        tenant = tenant_create(
            name="Ledger benchmark",
            subdomain=slug,
            currency=CURRENCY,
            admin_email=f"bench@{slug}.test",
            admin_password=uuid.uuid4().hex,
        )
        setup_s = time.perf_counter() - started
        try:
            with schema_context(tenant.schema_name):
                result = self._bench(orders=orders, refund_every=refund_every)
        finally:
            if not keep:
                connection.set_schema_to_public()
                tenant_delete(tenant=Tenant.objects.get(pk=tenant.pk), confirm_slug=slug)
        result = {
            "orders": orders,
            "network_setup_s": round(setup_s, 2),
            **result,
            "tenant_limit_set_calls": limit_search_path,
            "kept_network": slug if keep else None,
        }
        self.stdout.write(json.dumps(result))

    def _participants(self):
        def fields(n: int) -> dict:
            return {
                "name": f"Bench {n}",
                "contact_name": "Bench",
                "contact_email": f"bench{n}@example.test",
                "street": "Torenallee 20",
                "postal_code": "5617 BC",
                "city": "Eindhoven",
                "country": "NL",
                "latitude": Decimal("51.44"),
                "longitude": Decimal("5.47"),
            }

        owners = AssetOwner.objects.bulk_create(AssetOwner(**fields(n)) for n in range(20))
        carriers = Carrier.objects.bulk_create(Carrier(**fields(100 + n)) for n in range(5))
        return owners, carriers

    def _orders(self, count: int) -> list[int]:
        customer = user_create(email="customer@bench.test", password=uuid.uuid4().hex, role=Role.CUSTOMER)
        now = timezone.now()
        ids = []
        for start in range(0, count, 2_000):
            batch = [
                Order(
                    customer=customer,
                    status=OrderStatus.COMPLETED,
                    checkout_key=uuid.uuid4(),
                    currency=CURRENCY,
                    total_minor=10_000 + (n % 97) * 137,
                    promised_delivery_date=now.date() + timedelta(days=7),
                    quote_expires_at=now,
                )
                for n in range(start, min(start + 2_000, count))
            ]
            ids += [order.pk for order in Order.objects.bulk_create(batch)]
        return ids

    def _lifecycle(
        self, *, n: int, order_id: int, total: int, owners, carriers, refund: bool, txns: list
    ) -> None:
        """One order's money, booked as the services book it; the Stripe side is appended to `txns`."""
        created = int(time.time())
        fee = _fee(total)
        charge_id, charge_txn = f"ch_bench{n}", f"txn_bench_ch{n}"
        with transaction.atomic():
            book_charge(
                order_id=order_id,
                currency=CURRENCY,
                charge_id=charge_id,
                balance_transaction_id=charge_txn,
                amount_minor=total,
                fee_minor=fee,
            )
            OrderMoney.objects.create(
                order_id=order_id, currency=CURRENCY, charge_id=charge_id, paid_minor=total, fee_minor=fee
            )
            txns.append(
                {
                    "id": charge_txn,
                    "type": "charge",
                    "source": charge_id,
                    "amount": total,
                    "fee": fee,
                    "net": total - fee,
                    "currency": "eur",
                    "created": created,
                }
            )
            costs = [total * 30 // 100, total * 20 // 100, total * 10 // 100]
            parts = [
                profit_share.Part(f"work_item:{n}0", f"asset_owner:{owners[n % 20].pk}", costs[0]),
                profit_share.Part(f"work_item:{n}1", f"asset_owner:{owners[(n + 7) % 20].pk}", costs[1]),
                profit_share.Part(f"leg:{n}", f"carrier:{carriers[n % 5].pk}", costs[2]),
            ]
            split = profit_share.split(
                profit_share.SplitInput(total, fee, CURRENCY, tuple(parts), profit_share.Policy())
            )
            transfers = []
            for index, part in enumerate(split.parts):
                kind, _, pk = part.participant.partition(":")
                transfer = Transfer(
                    order_id=order_id,
                    part_amount_minor=part.amount_minor,
                    amount_minor=part.amount_minor,
                    currency=CURRENCY,
                    work_item_id=None if kind == "carrier" else n * 10 + index,
                    transport_leg_id=n if kind == "carrier" else None,
                    asset_owner_id=int(pk) if kind == "asset_owner" else None,
                    carrier_id=int(pk) if kind == "carrier" else None,
                )
                book_transfer_release(transfer=transfer)
                tr_id, tr_txn = f"tr_bench{n}_{index}", f"txn_bench_tr{n}_{index}"
                book_transfer_sent(transfer=transfer, stripe_transfer_id=tr_id, balance_transaction_id=tr_txn)
                txns.append(
                    {
                        "id": tr_txn,
                        "type": "transfer",
                        "source": tr_id,
                        "amount": -transfer.amount_minor,
                        "fee": 0,
                        "net": -transfer.amount_minor,
                        "currency": "eur",
                        "created": created,
                    }
                )
                transfers.append(transfer)
            if refund:
                amount = total // 5
                re_id, re_txn = f"re_bench{n}", f"txn_bench_re{n}"
                book_refund(
                    order_id=order_id,
                    currency=CURRENCY,
                    refund_id=re_id,
                    balance_transaction_id=re_txn,
                    amount_minor=amount,
                )
                book_refund_allocation(
                    order_id=order_id, currency=CURRENCY, refund_id=re_id, amount_minor=amount
                )
                txns.append(
                    {
                        "id": re_txn,
                        "type": "refund",
                        "source": re_id,
                        "amount": -amount,
                        "fee": 0,
                        "net": -amount,
                        "currency": "eur",
                        "created": created,
                    }
                )
                holders = [
                    profit_share.Holder(profit_share.PLATFORM, total - sum(t.amount_minor for t in transfers))
                ]
                holders += [profit_share.Holder(str(i), t.amount_minor) for i, t in enumerate(transfers)]
                shares = profit_share.refund_split(refund_minor=amount, holders=holders)
                for index, transfer in enumerate(transfers):
                    share = shares[str(index)]
                    if not share:
                        continue
                    reversal = Reversal(transfer=transfer, amount_minor=share, currency=CURRENCY)
                    book_reversal_claim(reversal=reversal, transfer=transfer)
                    trr_id, trr_txn = f"trr_bench{n}_{index}", f"txn_bench_trr{n}_{index}"
                    book_reversal_sent(
                        reversal=reversal,
                        transfer=transfer,
                        stripe_reversal_id=trr_id,
                        balance_transaction_id=trr_txn,
                    )
                    txns.append(
                        {
                            "id": trr_txn,
                            "type": "transfer_refund",
                            "source": trr_id,
                            "amount": share,
                            "fee": 0,
                            "net": share,
                            "currency": "eur",
                            "created": created,
                        }
                    )
            for currency, balance in order_clearing_balance(order_id=order_id).items():
                book_settlement(order_id=order_id, currency=currency, clearing_balance=balance, sequence=1)
            OrderMoney.objects.filter(order_id=order_id).update(settled_at=timezone.now(), settlement_count=1)

    def _bench(self, *, orders: int, refund_every: int) -> dict:
        owners, carriers = self._participants()
        order_ids = self._orders(orders)
        totals = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "total_minor"))
        txns: list[dict] = []
        started = time.perf_counter()
        with account_cache():
            for n, order_id in enumerate(order_ids):
                self._lifecycle(
                    n=n,
                    order_id=order_id,
                    total=totals[order_id],
                    owners=owners,
                    carriers=carriers,
                    refund=refund_every > 0 and n % refund_every == 0,
                    txns=txns,
                )
                if n and n % 1000 == 0:
                    self.stderr.write(f"{n} orders posted in {time.perf_counter() - started:.1f} s")
        ledger_s = time.perf_counter() - started
        rss_after_ledger = _max_rss_mb()
        entries, postings = JournalEntry.objects.count(), Posting.objects.count()

        stripe_balance = {CURRENCY: sum(t["net"] for t in txns)}
        started = time.perf_counter()
        run = reconciliation_run(
            trigger="bench", transactions=iter(txns), stripe_balance=stripe_balance, grace=timedelta(0)
        )
        reconcile_s = time.perf_counter() - started
        if run.status != RunStatus.CLEAN:
            self.stderr.write(
                f"reconciliation found differences: {list(run.items.values_list('kind', 'detail')[:10])}"
            )
        # The next hourly run, nothing new: it compares only pairs not yet known to agree (none here).
        started = time.perf_counter()
        again = reconciliation_run(
            trigger="bench", transactions=iter(()), stripe_balance=stripe_balance, grace=timedelta(0)
        )
        reconcile_again_s = time.perf_counter() - started
        return {
            "entries": entries,
            "postings": postings,
            "ledger_s": round(ledger_s, 2),
            "orders_per_s": round(orders / ledger_s, 1),
            "entries_per_s": round(entries / ledger_s, 1),
            "balance_transactions": len(txns),
            "reconcile_s": round(reconcile_s, 2),
            "reconcile_status": run.status,
            "matched": run.matched,
            "reconcile_again_s": round(reconcile_again_s, 2),
            "reconcile_again_status": again.status,
            "checked_again": again.checked,
            "differences": run.differences,
            "peak_rss_mb_after_ledger": rss_after_ledger,
            "peak_rss_mb": _max_rss_mb(),
            "stripe_calls": 0,
            "note": "ledger only; reconciliation against synthetic balance transactions generated in-process",
        }
