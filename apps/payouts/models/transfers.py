"""Money moving between the platform and its participants: transfers out and reversals back.

Each row is committed before its Stripe call and its id is the idempotency key (`transfer:<id>`): a retry after a
crash or a timeout sends the same key and Stripe answers with the object it already made. The ids are UUIDs so
two networks (or a database rebuilt against a long-lived local Stripe server) never derive the same key.
"""

import uuid

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Pending (being sent, retried with backoff)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (automatic retries exhausted: finance must act)"
    CANCELLED = "cancelled", "Cancelled before sending"


# Transfers that still have to reach Stripe.
TRANSFER_OPEN = frozenset({TransferStatus.PENDING, TransferStatus.FAILED})


# `stripe_amount_minor` / `stripe_currency` of a transfer or reversal, in a query (what is at Stripe).
STRIPE_AMOUNT = Coalesce("sent_amount_minor", "amount_minor")
STRIPE_CURRENCY = Coalesce(NullIf("sent_currency", Value("")), "currency")


class Transfer(models.Model):
    """One participant's share of one work item or transport leg, released when the work is accepted; or a
    designer's royalty on one order line, released when the order is completed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="money_transfers")
    work_item = models.OneToOneField(
        "orders.WorkItem", on_delete=models.PROTECT, null=True, blank=True, related_name="money_transfer"
    )
    transport_leg = models.OneToOneField(
        "orders.TransportLeg", on_delete=models.PROTECT, null=True, blank=True, related_name="money_transfer"
    )
    asset_owner = models.ForeignKey(
        "suppliers.AssetOwner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="money_transfers",
    )
    carrier = models.ForeignKey(
        "suppliers.Carrier", on_delete=models.PROTECT, null=True, blank=True, related_name="money_transfers"
    )
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="royalty_transfer"
    )
    designer = models.ForeignKey(
        "designers.Designer", on_delete=models.PROTECT, null=True, blank=True, related_name="money_transfers"
    )
    part_amount_minor = models.BigIntegerField(
        help_text="The part's share when released; refund shares already taken from it make `amount_minor`."
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    sent_amount_minor = models.BigIntegerField(
        null=True, blank=True, help_text="What Stripe moves, in `sent_currency`; empty: `amount_minor`."
    )
    sent_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="The charge's settlement currency when Stripe converted the charge; empty: `currency`.",
    )
    destination = models.CharField(
        max_length=255,
        blank=True,
        help_text="The participant's connected account, fixed at the first attempt.",
    )
    status = models.CharField(max_length=12, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    idempotency_key = models.CharField(max_length=255, unique=True)
    key_generation = models.PositiveIntegerField(
        default=0, help_text="Raised only after Stripe refused an attempt outright (nothing was created)."
    )
    attempts = models.PositiveIntegerField(default=0)
    maybe_sent = models.BooleanField(
        default=False,
        help_text="The last attempt may have reached Stripe (timeout, 5xx): never cancel it blindly.",
    )
    last_error = models.CharField(max_length=500, blank=True)
    last_error_code = models.CharField(max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    amount_reversed_minor = models.BigIntegerField(default=0)
    payout = models.ForeignKey(
        "payouts.ConnectedPayout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        help_text="The payout to the participant's bank that included this money (after the hold).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["order", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_transfer_id"],
                condition=~Q(stripe_transfer_id=""),
                name="transfer_stripe_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    work_item__isnull=False,
                    transport_leg__isnull=True,
                    order_line__isnull=True,
                    asset_owner__isnull=False,
                    carrier__isnull=True,
                    designer__isnull=True,
                )
                | Q(
                    work_item__isnull=True,
                    transport_leg__isnull=False,
                    order_line__isnull=True,
                    asset_owner__isnull=True,
                    carrier__isnull=False,
                    designer__isnull=True,
                )
                | Q(
                    work_item__isnull=True,
                    transport_leg__isnull=True,
                    order_line__isnull=False,
                    asset_owner__isnull=True,
                    carrier__isnull=True,
                    designer__isnull=False,
                ),
                name="transfer_one_source",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="transfer_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(
                    amount_reversed_minor__gte=0, amount_reversed_minor__lte=models.F("amount_minor")
                ),
                name="transfer_reversed_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=TransferStatus.SENT) | ~Q(stripe_transfer_id=""),
                name="transfer_sent_has_stripe_id",
            ),
        ]

    def __str__(self):
        return f"Transfer {self.id} ({self.amount_minor} {self.currency}, {self.status})"

    @property
    def stripe_currency(self) -> str:
        """The currency of the Stripe object (the charge's settlement currency when Stripe converted it)."""
        return self.sent_currency or self.currency

    @property
    def stripe_amount_minor(self) -> int:
        """The amount of the Stripe object, in `stripe_currency`."""
        return self.amount_minor if self.sent_amount_minor is None else self.sent_amount_minor

    @property
    def participant(self):
        return self.asset_owner or self.carrier or self.designer

    @property
    def source_label(self) -> str:
        if self.work_item_id:
            return f"work item {self.work_item_id}"
        if self.order_line_id:
            return f"royalty on order line {self.order_line_id}"
        return f"transport leg {self.transport_leg_id}"

    @property
    def failure_advice(self) -> str:
        from apps.payouts.failure_advice import failure_advice

        return failure_advice(self.last_error_code)

    @staticmethod
    def key_for(transfer_id, generation: int) -> str:
        return f"transfer:{transfer_id}" if generation == 0 else f"transfer:{transfer_id}:{generation}"


class ReversalStatus(models.TextChoices):
    PENDING = "pending", "Pending (being sent, retried with backoff)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (automatic retries exhausted: finance must act)"
    CANCELLED = "cancelled", "Cancelled"
    UNRECOVERABLE = (
        "unrecoverable",
        "Unrecoverable for now: the participant's Stripe balance was paid out; owed by the participant",
    )
    WRITTEN_OFF = "written_off", "Written off by finance: the platform bears it"


# Reversals that still have to reach Stripe.
REVERSAL_OPEN = frozenset({ReversalStatus.PENDING, ReversalStatus.FAILED})


class Reversal(models.Model):
    """Money taken back from a participant's transfer (a refund's share, or a correction)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="reversals")
    refund = models.ForeignKey(
        "payouts.CustomerRefund", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    sent_amount_minor = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="What Stripe moves back, in its transfer's currency; empty: `amount_minor`.",
    )
    sent_currency = models.CharField(max_length=3, blank=True, help_text="Its transfer's; empty: `currency`.")
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=ReversalStatus.choices, default=ReversalStatus.PENDING)
    idempotency_key = models.CharField(max_length=255, unique=True)
    key_generation = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    maybe_sent = models.BooleanField(default=False)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_code = models.CharField(max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    stripe_reversal_id = models.CharField(max_length=255, blank=True)
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    written_off_at = models.DateTimeField(null=True, blank=True)
    written_off_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    write_off_reason = models.CharField(max_length=300, blank=True)
    external = models.BooleanField(default=False, help_text="Made outside the platform (found on Stripe).")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_reversal_id"],
                condition=~Q(stripe_reversal_id=""),
                name="reversal_stripe_id_unique",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="reversal_amount_positive"),
        ]

    def __str__(self):
        return f"Reversal {self.id} of {self.transfer_id} ({self.amount_minor} {self.currency})"

    @property
    def stripe_currency(self) -> str:
        """The currency of the Stripe object (the charge's settlement currency when Stripe converted it)."""
        return self.sent_currency or self.currency

    @property
    def stripe_amount_minor(self) -> int:
        """The amount of the Stripe object, in `stripe_currency`."""
        return self.amount_minor if self.sent_amount_minor is None else self.sent_amount_minor

    @property
    def failure_advice(self) -> str:
        from apps.payouts.failure_advice import failure_advice

        return failure_advice(self.last_error_code)

    @staticmethod
    def key_for(reversal_id, generation: int) -> str:
        return f"reversal:{reversal_id}" if generation == 0 else f"reversal:{reversal_id}:{generation}"
