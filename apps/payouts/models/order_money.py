"""The money side of an order: its charge, refunds and disputes as Stripe reports them, and connected-account
payouts. OrderMoney is also the lock every money change of one order takes first."""

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from apps.core.money import round_minor


class OrderMoney(models.Model):
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="money")
    currency = models.CharField(max_length=3)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    charge_id = models.CharField(max_length=255, blank=True)
    paid_minor = models.BigIntegerField(default=0)
    fee_minor = models.BigIntegerField(default=0)
    settled_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="The charge's balance transaction currency when Stripe converted it; empty: as charged.",
    )
    settled_minor = models.BigIntegerField(
        null=True, blank=True, help_text="What the charge landed as in `settled_currency`."
    )
    charged_at = models.DateTimeField(null=True, blank=True)
    refunded_minor = models.BigIntegerField(default=0)
    settled_at = models.DateTimeField(null=True, blank=True, help_text="Empty while money can still move.")
    settlement_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "order money"
        constraints = [
            models.UniqueConstraint(
                fields=["charge_id"], condition=~Q(charge_id=""), name="order_money_charge_unique"
            )
        ]

    def __str__(self):
        return f"Money of order {self.order_id}"

    @property
    def transfer_currency(self) -> str:
        """The currency Stripe accepts for transfers funded by the charge (`source_transaction`): its balance
        transaction's, which differs from the order's when Stripe converted the charge."""
        return self.settled_currency or self.currency

    def in_transfer_currency(self, amount_minor: int) -> int:
        """`amount_minor` of the order's currency at the charge's own rate (what it landed as / what was paid),
        rounded down: a sum of shares of the charge never converts to more than the charge landed as, so Stripe
        never refuses the last transfer for a cent (half-even could round several shares up)."""
        if not self.settled_currency or self.settled_currency == self.currency or not self.paid_minor:
            return amount_minor
        return amount_minor * self.settled_minor // self.paid_minor

    def in_order_currency(self, transfer_minor: int) -> int:
        """The inverse, for amounts Stripe reports in the transfer currency (a reversal made in the Dashboard),
        rounded half up."""
        if not self.settled_currency or self.settled_currency == self.currency or not self.settled_minor:
            return transfer_minor
        return round_minor(Decimal(transfer_minor) * self.paid_minor / self.settled_minor)


class CustomerRefund(models.Model):
    """A refund as Stripe made it (ours through the orders flow, or one made outside the platform)."""

    stripe_refund_id = models.CharField(max_length=255, unique=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="money_refunds"
    )
    order_refund = models.ForeignKey(
        "orders.OrderRefund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge_id = models.CharField(max_length=255)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, default="succeeded")
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    allocation = models.JSONField(
        default=dict, blank=True, help_text="Who bore it: platform / part key → amount."
    )
    fee_allocation = models.JSONField(
        default=dict,
        blank=True,
        help_text="Who bears Stripe's fee on this refund (the policy's refund_fee_bearer): platform / part key → amount.",
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.stripe_refund_id


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Dispute(models.Model):
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="money_disputes"
    )
    charge_id = models.CharField(max_length=255)
    amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=64, blank=True)
    stripe_status = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    balance_transaction_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.stripe_dispute_id


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", "Requested by the platform (not answered by Stripe yet)"
    PENDING = "pending", "Pending"
    IN_TRANSIT = "in_transit", "In transit"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


# A payout's status only moves forward: a late "created" event never undoes "paid".
PAYOUT_RANK = {
    PayoutStatus.REQUESTED: -1,
    PayoutStatus.PENDING: 0,
    PayoutStatus.IN_TRANSIT: 1,
    PayoutStatus.PAID: 2,
    PayoutStatus.FAILED: 3,
    PayoutStatus.CANCELED: 3,
}


class ConnectedPayout(models.Model):
    """A payout from a connected account (a participant's Stripe balance) to its bank, or the platform's own
    payout when `stripe_account` is empty.

    Participants' accounts are on a manual payout schedule: the platform requests their payouts itself once the
    orders' hold has passed (apps/payouts/connect/bank_payouts.py). Such a row is written before the Stripe call
    (`idempotency_key`, `requested_at`) and the transfers it pays out point at it; a payout Stripe made by itself
    (an account still on an automatic schedule, the Dashboard) arrives by webhook only."""

    stripe_payout_id = models.CharField(max_length=255, blank=True)
    stripe_account = models.CharField(max_length=255, blank=True, db_index=True)
    asset_owner = models.ForeignKey(
        "suppliers.AssetOwner", on_delete=models.PROTECT, null=True, blank=True, related_name="money_payouts"
    )
    carrier = models.ForeignKey(
        "suppliers.Carrier", on_delete=models.PROTECT, null=True, blank=True, related_name="money_payouts"
    )
    designer = models.ForeignKey(
        "designers.Designer", on_delete=models.PROTECT, null=True, blank=True, related_name="money_payouts"
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=PayoutStatus.choices)
    arrival_date = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    stripe_created = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the platform requested it (empty: Stripe paid out by itself)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-stripe_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_payout_id"], condition=~Q(stripe_payout_id=""), name="payout_stripe_id_unique"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="payout_key_unique"
            ),
        ]

    def __str__(self):
        return f"{self.stripe_payout_id or f'payout #{self.pk}'} ({self.status})"


class PayoutHold(models.Model):
    """The network's payout rule for participants (one row per schema, pk=1): how long their money stays on
    their Stripe balance after the customer can no longer ask for a refund, so a refund's share can still be
    taken back with a transfer reversal."""

    hold_days = models.PositiveIntegerField(
        default=7,
        validators=[MaxValueValidator(80)],
        help_text=(
            "Days after an order's refund window closes (delivery + the refund window of the order settings) "
            "before its participants' money is paid out to their bank. Stripe keeps manual-payout funds for "
            "90 days at most (2 years in the US), so refund window + hold stays well below that."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Payout hold"
        verbose_name_plural = "Payout hold"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="payout_hold_singleton")]

    def __str__(self):
        return f"Payouts {self.hold_days} days after the refund window"
