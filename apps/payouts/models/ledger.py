"""The double-entry ledger: accounts, journal entries and their postings.

Postings are signed integers in the currency's minor unit: debit positive, credit negative. The database
guarantees what matters (migration 0003): every entry's postings sum to zero per currency (a deferred
constraint trigger, checked at commit), a posting's currency is its account's, and entries and postings are
never updated or deleted — a mistake is corrected by a reversing entry.
"""

from django.db import models
from django.db.models import Q


class AccountKind(models.TextChoices):
    PLATFORM_CASH = "platform_cash", "Platform cash at Stripe"
    STRIPE_FEES = "stripe_fees", "Stripe fees"
    ORDER_CLEARING = "order_clearing", "Order clearing"
    PAYABLE_ASSET_OWNER = "payable_asset_owner", "Payable to asset owner"
    PAYABLE_CARRIER = "payable_carrier", "Payable to carrier"
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    REFUNDS = "refunds", "Refunds to customers (not yet allocated to an order)"
    DISPUTES = "disputes", "Funds withdrawn in open disputes"
    PLATFORM_BANK = "platform_bank", "Paid out to the platform's bank"
    # Stripe converted money between two currencies (a charge in EUR landing as USD): the entry moves the amount
    # through this account in both currencies, so every entry still balances per currency.
    CURRENCY_CONVERSION = "currency_conversion", "Currency conversion by Stripe"
    RECEIVABLE_ASSET_OWNER = "receivable_asset_owner", "Owed by asset owner (refund share not recovered)"
    RECEIVABLE_CARRIER = "receivable_carrier", "Owed by carrier (refund share not recovered)"
    PAYABLE_DESIGNER = "payable_designer", "Payable to designer (royalties)"
    RECEIVABLE_DESIGNER = "receivable_designer", "Owed by designer (refund share not recovered)"
    WRITTEN_OFF_DEBTS = "written_off_debts", "Participants' debts written off (the platform's loss)"


# Accounts that exist once per network and currency; the others belong to one order or participant.
NETWORK_ACCOUNTS = frozenset(
    {
        AccountKind.PLATFORM_CASH,
        AccountKind.STRIPE_FEES,
        AccountKind.PLATFORM_REVENUE,
        AccountKind.REFUNDS,
        AccountKind.DISPUTES,
        AccountKind.WRITTEN_OFF_DEBTS,
        AccountKind.PLATFORM_BANK,
        AccountKind.CURRENCY_CONVERSION,
    }
)


class LedgerAccount(models.Model):
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    asset_owner = models.ForeignKey(
        "suppliers.AssetOwner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    carrier = models.ForeignKey(
        "suppliers.Carrier", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    designer = models.ForeignKey(
        "designers.Designer", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "currency", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(
                    order__isnull=True, asset_owner__isnull=True, carrier__isnull=True, designer__isnull=True
                ),
                name="ledger_account_network_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "order"],
                condition=Q(order__isnull=False),
                name="ledger_account_order_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "asset_owner"],
                condition=Q(asset_owner__isnull=False),
                name="ledger_account_asset_owner_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "carrier"],
                condition=Q(carrier__isnull=False),
                name="ledger_account_carrier_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "designer"],
                condition=Q(designer__isnull=False),
                name="ledger_account_designer_unique",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=AccountKind.ORDER_CLEARING,
                        order__isnull=False,
                        asset_owner__isnull=True,
                        carrier__isnull=True,
                        designer__isnull=True,
                    )
                    | Q(
                        kind__in=[AccountKind.PAYABLE_ASSET_OWNER, AccountKind.RECEIVABLE_ASSET_OWNER],
                        order__isnull=True,
                        asset_owner__isnull=False,
                        carrier__isnull=True,
                        designer__isnull=True,
                    )
                    | Q(
                        kind__in=[AccountKind.PAYABLE_CARRIER, AccountKind.RECEIVABLE_CARRIER],
                        order__isnull=True,
                        asset_owner__isnull=True,
                        carrier__isnull=False,
                        designer__isnull=True,
                    )
                    | Q(
                        kind__in=[AccountKind.PAYABLE_DESIGNER, AccountKind.RECEIVABLE_DESIGNER],
                        order__isnull=True,
                        asset_owner__isnull=True,
                        carrier__isnull=True,
                        designer__isnull=False,
                    )
                    | Q(
                        kind__in=NETWORK_ACCOUNTS,
                        order__isnull=True,
                        asset_owner__isnull=True,
                        carrier__isnull=True,
                        designer__isnull=True,
                    )
                ),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self):
        owner = self.order_id or self.asset_owner_id or self.carrier_id or self.designer_id
        suffix = f" #{owner}" if owner else ""
        return f"{self.get_kind_display()}{suffix} ({self.currency})"


class EntryKind(models.TextChoices):
    CHARGE = "charge", "Customer payment"
    REFUND = "refund", "Refund to customer"
    REFUND_ALLOCATION = "refund_allocation", "Refund charged to its order"
    TRANSFER_RELEASE = "transfer_release", "Transfer released (payable)"
    TRANSFER = "transfer", "Transfer to participant"
    TRANSFER_VOID = "transfer_void", "Released transfer cancelled"
    REVERSAL_CLAIM = "reversal_claim", "Reversal claimed from participant"
    REVERSAL = "reversal", "Transfer reversal"
    REVERSAL_VOID = "reversal_void", "Reversal claim cancelled"
    REVERSAL_UNRECOVERABLE = "reversal_unrecoverable", "Reversal refused: owed by the participant"
    REVERSAL_RECOVERED = "reversal_recovered", "Owed refund share recovered"
    REVERSAL_WRITTEN_OFF = "reversal_written_off", "Owed refund share written off"
    DISPUTE = "dispute", "Dispute: funds withdrawn"
    DISPUTE_LOST = "dispute_lost", "Dispute lost"
    DISPUTE_WON = "dispute_won", "Dispute won: funds reinstated"
    SETTLEMENT = "settlement", "Order settled: commission recognised"
    PLATFORM_PAYOUT = "platform_payout", "Payout to the platform's bank"
    PLATFORM_PAYOUT_FAILED = "platform_payout_failed", "Platform payout failed"
    REVERSING = "reversing", "Reversing entry (correction)"


class JournalEntry(models.Model):
    """One business event. `stripe_object_id` links the Stripe object it mirrors (at most one entry each);
    `key` makes our own bookkeeping entries (releases, settlements) idempotent in the same way."""

    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="journal_entries"
    )
    memo = models.CharField(max_length=300, blank=True)
    stripe_object_id = models.CharField(max_length=255, blank=True)
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    key = models.CharField(
        max_length=255, blank=True, help_text="Idempotency key of an entry we derive ourselves."
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    effective_at = models.DateTimeField(
        help_text="When the movement happened (Stripe's time when it has one)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(fields=["order", "kind"]),
            models.Index(fields=["effective_at"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_object_id"],
                condition=~Q(stripe_object_id=""),
                name="journal_entry_stripe_object_unique",
            ),
            models.UniqueConstraint(
                fields=["balance_transaction_id"],
                condition=~Q(balance_transaction_id=""),
                name="journal_entry_balance_transaction_unique",
            ),
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="journal_entry_key_unique"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount_minor = models.BigIntegerField(help_text="Debit positive, credit negative.")
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["entry", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount_minor=0), name="posting_not_zero")]

    def __str__(self):
        return f"{self.amount_minor:+d} {self.currency} on {self.account_id}"
