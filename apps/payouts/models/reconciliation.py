"""Reconciliation: every Stripe balance transaction of the platform account, matched to exactly one journal
entry, and the runs that check it."""

from django.db import models


class BalanceTransactionRecord(models.Model):
    """A platform balance transaction as Stripe listed it, and the one entry it was matched to (unique both
    ways: one transaction ↔ one entry)."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=40)
    source = models.CharField(max_length=255, blank=True, db_index=True)
    amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField()
    net_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    stripe_created = models.BigIntegerField(db_index=True)
    entry = models.OneToOneField(
        "payouts.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="balance_transaction",
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    amounts_agreed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a run found its entry's amounts equal to it; both are immutable, so no run compares again.",
    )

    class Meta:
        ordering = ["-stripe_created", "-id"]
        indexes = [
            # What a run compares: matched, not yet known to agree (a handful, however long the history).
            models.Index(
                fields=["entry"],
                name="payouts_btr_unchecked",
                condition=models.Q(entry__isnull=False, amounts_agreed_at__isnull=True),
            )
        ]

    def __str__(self):
        return self.stripe_id


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    CLEAN = "clean", "No differences"
    DIFFERENCES = "differences", "Differences found"
    ERROR = "error", "Could not complete"


class ReconciliationRun(models.Model):
    trigger = models.CharField(max_length=16, default="beat", help_text="beat, manual or bench.")
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    cursor_from = models.BigIntegerField(null=True, blank=True, help_text="Unix seconds fetched from.")
    cursor_to = models.BigIntegerField(
        null=True, blank=True, help_text="Newest transaction seen (next cursor)."
    )
    fetched = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(
        default=0,
        help_text="Matched transactions whose amounts this run compared (those not yet known to agree).",
    )
    missing_in_ledger = models.PositiveIntegerField(default=0)
    missing_at_stripe = models.PositiveIntegerField(default=0)
    amount_mismatch = models.PositiveIntegerField(default=0)
    clearing_not_zero = models.PositiveIntegerField(default=0)
    balance_mismatch = models.PositiveIntegerField(default=0)
    in_flight = models.PositiveIntegerField(
        default=0,
        help_text="Unmatched transactions and entries younger than the grace period: checked again next run.",
    )
    stripe_balance = models.JSONField(
        default=dict, blank=True, help_text="Currency → Stripe's platform balance."
    )
    ledger_balance = models.JSONField(
        default=dict, blank=True, help_text="Currency → our platform cash account."
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Reconciliation {self.pk} ({self.status})"

    @property
    def differences(self) -> int:
        return (
            self.missing_in_ledger
            + self.missing_at_stripe
            + self.amount_mismatch
            + self.clearing_not_zero
            + self.balance_mismatch
        )


class ItemKind(models.TextChoices):
    MISSING_IN_LEDGER = "missing_in_ledger", "At Stripe, missing in the ledger"
    MISSING_AT_STRIPE = "missing_at_stripe", "In the ledger, missing at Stripe"
    AMOUNT_MISMATCH = "amount_mismatch", "Amounts differ"
    CLEARING_NOT_ZERO = "clearing_not_zero", "Settled order's clearing account is not zero"
    BALANCE_MISMATCH = "balance_mismatch", "Platform balance differs from Stripe's"


class ReconciliationItem(models.Model):
    """One difference (matched transactions are counted, not itemised)."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    stripe_object_id = models.CharField(max_length=255, blank=True)
    entry = models.ForeignKey(
        "payouts.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    currency = models.CharField(max_length=3, blank=True)
    stripe_amount_minor = models.BigIntegerField(null=True, blank=True)
    ledger_amount_minor = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["run", "kind", "id"]
        indexes = [models.Index(fields=["run", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.balance_transaction_id or self.stripe_object_id}"
