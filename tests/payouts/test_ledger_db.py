"""The database itself guarantees the ledger: entries balance per currency (checked at commit), postings match
their account's currency, and nothing is ever updated or deleted."""

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.payouts.ledger.posting import (
    Line,
    Unbalanced,
    journal_entry_post,
    journal_entry_reverse,
    network_account,
)
from apps.payouts.models import AccountKind, EntryKind, JournalEntry, LedgerAccount, Posting


def _check_now():
    """Runs the deferred constraint triggers now instead of at commit (the test's transaction never commits),
    then defers them again: the mode lasts for the transaction, beyond the savepoint of one example."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # a failure here rolls the mode back with the savepoint
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _raw_entry(lines: list[tuple[LedgerAccount, int]], currency_override: str | None = None) -> JournalEntry:
    """Inserts an entry and postings row by row with the ORM, skipping the service's own checks."""
    entry = JournalEntry.objects.create(kind=EntryKind.CHARGE, effective_at=timezone.now())
    for account, amount in lines:
        Posting.objects.create(
            entry=entry, account=account, amount_minor=amount, currency=currency_override or account.currency
        )
    return entry


@pytest.fixture
def accounts(in_tenant_a):
    return {
        "cash": network_account(AccountKind.PLATFORM_CASH, "EUR"),
        "fees": network_account(AccountKind.STRIPE_FEES, "EUR"),
        "revenue": network_account(AccountKind.PLATFORM_REVENUE, "EUR"),
        "cash_jpy": network_account(AccountKind.PLATFORM_CASH, "JPY"),
        "revenue_jpy": network_account(AccountKind.PLATFORM_REVENUE, "JPY"),
    }


def test_unbalanced_entry_is_refused_by_the_database_at_commit(accounts):
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw_entry([(accounts["cash"], 1000), (accounts["revenue"], -999)])
        _check_now()


def test_balanced_entry_may_be_inserted_row_by_row(accounts):
    """The check is deferred: in between, the first posting alone is unbalanced and that is fine."""
    with transaction.atomic():
        entry = _raw_entry([(accounts["cash"], 1000), (accounts["fees"], 25), (accounts["revenue"], -1025)])
        _check_now()
    assert entry.postings.count() == 3


def test_balance_is_per_currency(accounts):
    """+1000 EUR and −1000 JPY sum to zero as numbers but not as money."""
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw_entry([(accounts["cash"], 1000), (accounts["revenue_jpy"], -1000)])
        _check_now()


def test_entry_with_one_posting_is_refused(accounts):
    with pytest.raises(IntegrityError, match="at least two postings"), transaction.atomic():
        JournalEntry.objects.create(kind=EntryKind.CHARGE, effective_at=timezone.now())
        _check_now()


def test_posting_in_another_currency_than_its_account_is_refused(accounts):
    with pytest.raises(IntegrityError, match="differs from its account"), transaction.atomic():
        _raw_entry([(accounts["cash"], 500), (accounts["revenue"], -500)], currency_override="USD")


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_ledger_rows_can_never_be_updated_or_deleted(accounts, statement):
    entry, _ = journal_entry_post(
        kind=EntryKind.CHARGE,
        lines=[Line(accounts["cash"], 700), Line(accounts["revenue"], -700)],
        key="test:append-only",
    )
    posting = entry.postings.first()
    attempts = {
        "update": [
            lambda: Posting.objects.filter(pk=posting.pk).update(amount_minor=1),
            lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="edited"),
        ],
        "delete": [
            lambda: Posting.objects.filter(pk=posting.pk).delete(),
            lambda: JournalEntry.objects.filter(pk=entry.pk)._raw_delete(connection.alias),
        ],
    }[statement]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    for sql, params in (
        ("UPDATE payouts_posting SET amount_minor = 0 WHERE id = %s", [posting.pk]),
        ("DELETE FROM payouts_journalentry WHERE id = %s", [entry.pk]),
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    posting.refresh_from_db()
    assert posting.amount_minor == 700


def test_a_real_commit_of_an_unbalanced_entry_fails(accounts, tenant_a):
    """Outside the test's transaction, on a connection of its own: the COMMIT itself is refused."""
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"]
    ) as other:
        with other.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{tenant_a.schema_name}", public')
            cursor.execute(
                "INSERT INTO payouts_ledgeraccount (kind, currency, created_at) VALUES ('platform_cash', 'SEK', now()) RETURNING id"
            )
            account_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO payouts_journalentry (kind, memo, stripe_object_id, balance_transaction_id, key, effective_at, created_at)"
                " VALUES ('charge', '', '', '', '', now(), now()) RETURNING id"
            )
            entry_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO payouts_posting (entry_id, account_id, amount_minor, currency) VALUES (%s, %s, 5, 'SEK'),"
                " (%s, %s, 6, 'SEK')",
                [entry_id, account_id, entry_id, account_id],
            )
        with pytest.raises(psycopg.errors.CheckViolation, match="does not balance"):
            other.commit()
    assert not JournalEntry.objects.filter(pk=entry_id).exists()


def test_posting_twice_with_the_same_stripe_object_returns_the_first_entry(accounts):
    lines = [Line(accounts["cash"], 975), Line(accounts["fees"], 25), Line(accounts["revenue"], -1000)]
    first, created = journal_entry_post(kind=EntryKind.CHARGE, lines=lines, stripe_object_id="ch_test_once")
    again, created_again = journal_entry_post(
        kind=EntryKind.CHARGE,
        lines=[Line(accounts["cash"], 1), Line(accounts["revenue"], -1)],
        stripe_object_id="ch_test_once",
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert JournalEntry.objects.filter(stripe_object_id="ch_test_once").count() == 1
    assert sorted(first.postings.values_list("amount_minor", flat=True)) == [-1000, 25, 975]


def test_the_service_refuses_unbalanced_lines_before_the_database_does(accounts):
    with pytest.raises(Unbalanced):
        journal_entry_post(
            kind=EntryKind.CHARGE, lines=[Line(accounts["cash"], 10), Line(accounts["revenue"], -9)]
        )


def test_a_correction_is_a_reversing_entry(accounts):
    original, _ = journal_entry_post(
        kind=EntryKind.CHARGE,
        lines=[Line(accounts["cash"], 300), Line(accounts["revenue"], -300)],
        key="test:to-reverse",
    )
    reversing, _ = journal_entry_reverse(entry_id=original.pk)
    again, created = journal_entry_reverse(entry_id=original.pk)
    assert again.pk == reversing.pk and not created
    assert reversing.reverses_id == original.pk
    assert sorted(reversing.postings.values_list("amount_minor", flat=True)) == [-300, 300]
    net = Posting.objects.filter(entry__in=[original, reversing], account=accounts["cash"]).values_list(
        "amount_minor", flat=True
    )
    assert sum(net) == 0
    _check_now()


amounts = st.lists(st.integers(-(10**12), 10**12).filter(bool), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(eur=amounts, jpy=amounts, skew=st.integers(-3, 3))
def test_any_entry_is_accepted_exactly_when_it_balances_per_currency(accounts, eur, jpy, skew):
    """Random postings in two currencies, closed by a balancing line (optionally off by `skew`)."""
    lines = [(accounts["cash"], a) for a in eur] + [(accounts["revenue"], -sum(eur) + skew)]
    lines += [(accounts["cash_jpy"], a) for a in jpy] + [(accounts["revenue_jpy"], -sum(jpy))]
    lines = [(account, amount) for account, amount in lines if amount]
    balanced = skew == 0
    try:
        with transaction.atomic():
            _raw_entry(lines)
            _check_now()
    except IntegrityError as error:
        assert not balanced, error
    else:
        assert balanced
