"""Reconciliation: the ledger against Stripe, one run at a time.

A run fetches the platform's balance transactions since the last cursor, stores them and matches each to
exactly one journal entry (apps/payouts/reconciliation/matching.py), then lists every difference still open
(apps/payouts/reconciliation/differences.py, which also says what counts as money in flight).

Transactions can also be handed in (`transactions=`, `stripe_balance=`): the benchmark reconciles against
synthetic transactions generated in-process instead of listing tens of thousands over HTTP.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.payouts import stripe_client
from apps.payouts.models import (
    AccountKind,
    ItemKind,
    Posting,
    ReconciliationItem,
    ReconciliationRun,
    RunStatus,
)
from apps.payouts.reconciliation.differences import differences_find
from apps.payouts.reconciliation.matching import transactions_match, transactions_store

logger = logging.getLogger(__name__)

# Unmatched transactions and entries younger than this are in flight, not missing (see differences.py).
GRACE = timedelta(seconds=60)


def _last_cursor() -> int | None:
    return (
        ReconciliationRun.objects.exclude(status__in=[RunStatus.RUNNING, RunStatus.ERROR])
        .exclude(cursor_to__isnull=True)
        .order_by("-started_at", "-id")
        .values_list("cursor_to", flat=True)
        .first()
    )


def _stripe_balance() -> dict[str, int]:
    balance = stripe_client.balance_retrieve()
    totals: dict[str, int] = defaultdict(int)
    for bucket in ("available", "pending"):
        for item in balance.get(bucket) or []:
            totals[str(item["currency"]).upper()] += int(item["amount"])
    return dict(totals)


def _ledger_cash() -> dict[str, int]:
    rows = (
        Posting.objects.filter(account__kind=AccountKind.PLATFORM_CASH)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["currency"]: row["total"] for row in rows}


def reconciliation_start(*, trigger: str, requested_by=None) -> ReconciliationRun:
    return ReconciliationRun.objects.create(trigger=trigger, requested_by=requested_by)


def reconciliation_run(
    *,
    run_id: int | None = None,
    trigger: str = "beat",
    requested_by=None,
    transactions: Iterable[dict] | None = None,
    stripe_balance: dict[str, int] | None = None,
    grace: timedelta = GRACE,
) -> ReconciliationRun:
    """Runs one reconciliation (a fresh run, or the one a finance user asked for). Never raises for Stripe
    errors: the run ends in status `error` with the message."""
    run = (
        ReconciliationRun.objects.get(pk=run_id)
        if run_id
        else reconciliation_start(trigger=trigger, requested_by=requested_by)
    )
    cursor = _last_cursor()
    run.cursor_from = cursor
    try:
        if transactions is None:
            transactions = stripe_client.balance_transactions_iter(created_gte=cursor)
        fetched, newest = transactions_store(transactions)
        run.fetched = fetched
        run.cursor_to = max(filter(None, [cursor, newest]), default=None)
        with transaction.atomic():
            transactions_match()
            run.stripe_balance = stripe_balance if stripe_balance is not None else _stripe_balance()
            run.ledger_balance = _ledger_cash()
            items = differences_find(run, grace=grace)
            ReconciliationItem.objects.filter(run=run).delete()
            ReconciliationItem.objects.bulk_create(items, batch_size=1000)
    except stripe_client.StripeCallError as error:
        logger.warning("Reconciliation %s could not reach Stripe: %s", run.pk, error)
        run.status = RunStatus.ERROR
        run.error = str(error)[:2000]
        run.finished_at = timezone.now()
        run.save()
        return run
    counts = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    run.missing_in_ledger = counts[ItemKind.MISSING_IN_LEDGER]
    run.missing_at_stripe = counts[ItemKind.MISSING_AT_STRIPE]
    run.amount_mismatch = counts[ItemKind.AMOUNT_MISMATCH]
    run.clearing_not_zero = counts[ItemKind.CLEARING_NOT_ZERO]
    run.balance_mismatch = counts[ItemKind.BALANCE_MISMATCH]
    run.status = RunStatus.DIFFERENCES if items else RunStatus.CLEAN
    run.finished_at = timezone.now()
    run.save()
    return run
