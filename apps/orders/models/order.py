from django.conf import settings
from django.db import models

from apps.orders.models.address import ShippingAddress
from apps.orders.status import OrderStatus


class Order(ShippingAddress):
    """One checkout: lines pinned to design versions, the locked quote, payment, plan, progress and refunds."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    checkout_key = models.UUIDField(unique=True, help_text="The cart submission this order came from.")
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField(default=0)
    requested_delivery_date = models.DateField(null=True, blank=True)
    promised_delivery_date = models.DateField(
        help_text="The delivery date of the quote the customer paid for."
    )
    quote_expires_at = models.DateTimeField()
    quote_revision = models.PositiveIntegerField(default=1)
    delivery_option = models.CharField(
        max_length=10, blank=True, help_text="The lead-time option bought: fastest, balanced or cheapest."
    )
    delivery_option_label = models.CharField(max_length=40, blank=True)
    delivery_option_note = models.CharField(
        max_length=200, blank=True, help_text="What makes the option sooner, as the customer was told."
    )
    quote_lots = models.PositiveSmallIntegerField(
        default=1, help_text="Into how many lots the option shares out long batches; the commit splits alike."
    )
    eta = models.DateTimeField(null=True, blank=True, help_text="Planned arrival at the customer.")
    eta_late_notified = models.DateTimeField(
        null=True, blank=True, help_text="The late ETA the customer was last told about."
    )
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    charge_id = models.CharField(max_length=255, blank=True)
    payment_error = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    production_started_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    planning_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When planning was last asked for (lost-task recovery looks at it)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_minor__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(refunded_minor__gte=0)
                & models.Q(refunded_minor__lte=models.F("total_minor")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return order_reference(self.pk)

    @property
    def transfer_group(self) -> str:
        return f"order_{self.pk}"

    @property
    def is_late(self) -> bool:
        """Delivered after the promised day, or (not delivered yet) expected to arrive after it, by the network's
        calendar (apps.orders.lateness)."""
        from apps.orders.lateness import order_is_late  # the rule reads the network's zone (a selector)

        return order_is_late(self)

    @property
    def refund_state(self) -> str:
        if self.refunded_minor == 0:
            return ""
        return "full" if self.refunded_minor >= self.total_minor else "partial"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    design_version = models.ForeignKey("catalog.DesignVersion", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, help_text="The design's name when ordered.")
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    delivery_date = models.DateField(null=True, blank=True, help_text="This line's own quoted date.")
    designer = models.ForeignKey(
        "designers.Designer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        help_text="The product's designer when ordered (null: the network's own product).",
    )
    royalty_minor = models.BigIntegerField(
        default=0,
        help_text="The designer's royalty included in total_minor, as quoted: the profit share pays exactly this.",
    )

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_unique_position"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(royalty_minor__gte=0, royalty_minor__lte=models.F("total_minor")),
                name="order_line_royalty_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


class EventKind(models.TextChoices):
    STATUS = "status", "Order status"
    WORK_ITEM = "work_item", "Work item"
    TRANSPORT_LEG = "transport_leg", "Transport leg"
    PAYMENT = "payment", "Payment"
    QUOTE = "quote", "Quote"
    PLAN = "plan", "Plan"
    REFUND = "refund", "Refund"
    NOTE = "note", "Note"


class OrderEvent(models.Model):
    """The audit trail and the customer's timeline: one row per change, written in the same transaction."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        max_length=100, blank=True, help_text="Who acted when not a user: system, Stripe…"
    )
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    work_item = models.ForeignKey(
        "orders.WorkItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    transport_leg = models.ForeignKey(
        "orders.TransportLeg", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    customer_visible = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self):
        arrow = f"{self.from_status} → {self.to_status}" if self.to_status else self.kind
        return f"{self.order_id}: {arrow}"

    @property
    def to_label(self) -> str:
        """The order state entered, in words (status events only)."""
        if self.kind != EventKind.STATUS or self.to_status not in OrderStatus.values:
            return ""
        return OrderStatus(self.to_status).label


class PaymentStatus(models.TextChoices):
    REQUIRES_PAYMENT = "requires_payment", "Awaiting card"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (may retry)"
    SUPERSEDED = "superseded", "Superseded by a re-quote"


class OrderPayment(models.Model):
    """One PaymentIntent for an order (a re-quote with another amount needs a new one)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    quote_revision = models.PositiveIntegerField()
    payment_intent_id = models.CharField(max_length=255, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    client_secret = models.CharField(max_length=255, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.REQUIRES_PAYMENT
    )
    confirm_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    charge_id = models.CharField(max_length=255, blank=True)
    stripe_next_check_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the money sweeper next asks Stripe whether this unpaid intent succeeded after all.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "quote_revision"]
        constraints = [
            models.UniqueConstraint(fields=["order", "quote_revision"], name="order_payment_unique_revision")
        ]

    def __str__(self):
        return self.payment_intent_id


class OrderRefund(models.Model):
    """Money sent back to the customer through Stripe; its idempotency key is derived from the reason's row."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    idempotency_key = models.CharField(max_length=255, unique=True)
    charge_id = models.CharField(max_length=255, help_text="The charge the money goes back to.")
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_code = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the retry sweep sends it again after a failure (growing delay).",
    )
    refused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Stripe refused it for good (last_error_code says why): not retried until someone acts.",
    )
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_positive")]

    def __str__(self):
        return f"{self.order_id}: {self.amount_minor} {self.currency}"


class RefundRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved (refunded)"
    REJECTED = "rejected", "Rejected"


class RefundRequest(models.Model):
    """A customer's request for money back after delivery; staff decide."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refund_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    amount_minor = models.BigIntegerField(
        help_text="What the customer asks back; at most the unrefunded total."
    )
    status = models.CharField(
        max_length=10, choices=RefundRequestStatus.choices, default=RefundRequestStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_request_positive"),
            # One open request per order at a time: staff answer it before the next.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="open"), name="refund_request_one_open"
            ),
        ]

    def __str__(self):
        return f"Refund request {self.pk} for {self.order_id}"


def order_reference(pk: int | None) -> str:
    """ "CF-000042": how people name an order (also for readers holding only its id: the legs board)."""
    return f"CF-{pk:06d}" if pk else "CF-new"
