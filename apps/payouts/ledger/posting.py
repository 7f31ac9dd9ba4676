"""Posting balanced journal entries, at most once each.

An entry that mirrors a Stripe object carries its id (`stripe_object_id`, unique); one we derive ourselves
(a transfer's release, an order's settlement) carries a `key` (unique). Posting the same one again returns the
stored entry and writes nothing: webhook replays, task retries and concurrent workers all end in one entry.
The database checks balance and immutability again (migration 0003); the checks here fail earlier with a
clearer message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.payouts.models import AccountKind, EntryKind, JournalEntry, LedgerAccount, Posting


class Unbalanced(ValueError):
    """The lines of an entry do not sum to zero in every currency."""


@dataclass(frozen=True)
class Line:
    account: LedgerAccount
    amount_minor: int  # debit positive, credit negative


def from_unix(seconds: int | None) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds else timezone.now()


_account_cache: ContextVar[dict | None] = ContextVar("ledger_account_cache", default=None)


@contextmanager
def account_cache() -> Iterator[None]:
    """Remembers accounts looked up inside the block (bulk posting: the benchmark, imports). Use only where no
    transaction inside the block is rolled back, or a remembered account may not exist any more."""
    token = _account_cache.set({})
    try:
        yield
    finally:
        _account_cache.reset(token)


def account_get(
    *,
    kind: str,
    currency: str,
    order_id: int | None = None,
    asset_owner_id: int | None = None,
    carrier_id: int | None = None,
    designer_id: int | None = None,
) -> LedgerAccount:
    """The account, created on first use (concurrent first uses end with one row)."""
    lookup = {
        "kind": kind,
        "currency": currency.upper(),
        "order_id": order_id,
        "asset_owner_id": asset_owner_id,
        "carrier_id": carrier_id,
        "designer_id": designer_id,
    }
    cache = _account_cache.get()
    cache_key = tuple(lookup.values())
    if cache is not None and cache_key in cache:
        return cache[cache_key]
    account = LedgerAccount.objects.filter(**lookup).first()
    if account is None:
        try:
            with transaction.atomic():
                account = LedgerAccount.objects.create(**lookup)
        except IntegrityError:
            account = LedgerAccount.objects.get(**lookup)
    if cache is not None:
        cache[cache_key] = account
    return account


def network_account(kind: str, currency: str) -> LedgerAccount:
    return account_get(kind=kind, currency=currency)


def clearing_account(*, order_id: int, currency: str) -> LedgerAccount:
    return account_get(kind=AccountKind.ORDER_CLEARING, currency=currency, order_id=order_id)


def _participant_account(kinds: tuple[str, str, str], *, currency: str, **ids) -> LedgerAccount:
    """The account of one participant: (asset owner's, carrier's, designer's) kind, by which id is given."""
    for kind, field in zip(kinds, ("asset_owner_id", "carrier_id", "designer_id"), strict=True):
        if ids.get(field):
            return account_get(kind=kind, currency=currency, **{field: ids[field]})
    raise ValueError("A participant's account needs an asset owner, carrier or designer id.")


def payable_account(
    *,
    currency: str,
    asset_owner_id: int | None = None,
    carrier_id: int | None = None,
    designer_id: int | None = None,
) -> LedgerAccount:
    return _participant_account(
        (AccountKind.PAYABLE_ASSET_OWNER, AccountKind.PAYABLE_CARRIER, AccountKind.PAYABLE_DESIGNER),
        currency=currency,
        asset_owner_id=asset_owner_id,
        carrier_id=carrier_id,
        designer_id=designer_id,
    )


def receivable_account(
    *,
    currency: str,
    asset_owner_id: int | None = None,
    carrier_id: int | None = None,
    designer_id: int | None = None,
) -> LedgerAccount:
    return _participant_account(
        (AccountKind.RECEIVABLE_ASSET_OWNER, AccountKind.RECEIVABLE_CARRIER, AccountKind.RECEIVABLE_DESIGNER),
        currency=currency,
        asset_owner_id=asset_owner_id,
        carrier_id=carrier_id,
        designer_id=designer_id,
    )


def _check_balanced(lines: list[Line]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if not isinstance(line.amount_minor, int) or isinstance(line.amount_minor, bool):
            raise TypeError("Posting amounts are integers in minor units.")
        totals[line.account.currency] += line.amount_minor
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise Unbalanced(f"Entry does not balance: {unbalanced}")


def entry_find(*, stripe_object_id: str = "", key: str = "") -> JournalEntry | None:
    condition = Q()
    if stripe_object_id:
        condition |= Q(stripe_object_id=stripe_object_id)
    if key:
        condition |= Q(key=key)
    if not condition:
        return None
    return JournalEntry.objects.filter(condition).first()


def journal_entry_post(
    *,
    kind: str,
    lines: Iterable[Line],
    effective_at: datetime | None = None,
    order_id: int | None = None,
    memo: str = "",
    stripe_object_id: str = "",
    balance_transaction_id: str = "",
    key: str = "",
    reverses_id: int | None = None,
) -> tuple[JournalEntry, bool]:
    """Posts a balanced entry once; returns (entry, created).

    With a `stripe_object_id` or `key` already posted, returns that entry untouched (created False). Lines of
    zero are dropped; an entry needs at least two lines. Raises Unbalanced.
    """
    lines = [line for line in lines if line.amount_minor != 0]
    _check_balanced(lines)
    if len(lines) < 2:
        existing = entry_find(stripe_object_id=stripe_object_id, key=key)
        if existing is not None:
            return existing, False
        raise Unbalanced("An entry moves money between at least two accounts.")
    # One statement whatever the race: a row with the same Stripe id or key (committed, or being committed by a
    # concurrent poster, which this waits for) makes the insert a no-op, and that entry is returned instead.
    now = timezone.now()
    entry = JournalEntry(
        kind=kind,
        order_id=order_id,
        memo=memo[:300],
        stripe_object_id=stripe_object_id,
        balance_transaction_id=balance_transaction_id,
        key=key,
        reverses_id=reverses_id,
        effective_at=effective_at or now,
        created_at=now,
    )
    # The entry and its postings commit together (the database checks them at commit); no savepoint is needed:
    # a duplicate is not an error here, and any other error is fatal to the caller's transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {JournalEntry._meta.db_table}"  # noqa: S608 - a constant table name; values are parameters
            " (kind, order_id, memo, stripe_object_id, balance_transaction_id, key, reverses_id, effective_at, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                entry.kind,
                entry.order_id,
                entry.memo,
                entry.stripe_object_id,
                entry.balance_transaction_id,
                entry.key,
                entry.reverses_id,
                entry.effective_at,
                entry.created_at,
            ],
        )
        row = cursor.fetchone()
        if row is None:
            existing = entry_find(stripe_object_id=stripe_object_id, key=key)
            if existing is None:  # a conflict on the balance transaction id alone: another entry claims it
                raise IntegrityError(
                    f"Balance transaction {balance_transaction_id} is already booked by another entry."
                )
            return existing, False
        entry.pk = row[0]
        entry._state.adding = False
        entry._state.db = connection.alias
        Posting.objects.bulk_create(
            Posting(
                entry=entry,
                account=line.account,
                amount_minor=line.amount_minor,
                currency=line.account.currency,
            )
            for line in lines
        )
    return entry, True


def journal_entry_reverse(*, entry_id: int, memo: str = "") -> tuple[JournalEntry, bool]:
    """Corrects an entry the only way the ledger allows: a new entry with every posting negated."""
    original = JournalEntry.objects.get(pk=entry_id)
    lines = [
        Line(posting.account, -posting.amount_minor)
        for posting in original.postings.select_related("account")
    ]
    return journal_entry_post(
        kind=EntryKind.REVERSING,
        lines=lines,
        order_id=original.order_id,
        memo=memo or f"Reverses entry #{original.pk}",
        key=f"reversing:{original.pk}",
        reverses_id=original.pk,
    )
