import uuid

from django.conf import settings
from django.db import models

from apps.orders.models.address import ShippingAddress


def new_checkout_key() -> uuid.UUID:
    return uuid.uuid4()


class Cart(ShippingAddress):
    """A customer's basket: designs with quantities, where to ship, an optional wished-for date, and the last quote.

    The shipping address is the customer's saved address: it stays when an order is placed, so the next cart is
    quoted to it at once (until there is one, the cart is quoted to the network's default delivery point).

    `checkout_key` names one checkout submission: the order created from it carries the same key (unique), so a
    form or API call submitted twice makes one order. It is renewed when an order is placed from the cart.
    The quote fields hold the last quote shown to the customer; `quote_fingerprint` says what it was for
    (design versions, quantities, destination, date), so a changed cart or design is re-quoted before paying.
    """

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    requested_delivery_date = models.DateField(null=True, blank=True)
    checkout_key = models.UUIDField(default=new_checkout_key, unique=True)
    currency = models.CharField(max_length=3, blank=True)
    quote_total_minor = models.BigIntegerField(null=True, blank=True)
    quote_delivery_date = models.DateField(null=True, blank=True)
    quote_expires_at = models.DateTimeField(null=True, blank=True)
    quote_fingerprint = models.CharField(max_length=64, blank=True)
    quote_lines = models.JSONField(default=list, blank=True, help_text="Per-line prices of the last quote.")
    quote_options = models.JSONField(
        default=list,
        blank=True,
        help_text="The last quote's lead-time options (orders.quotes.DeliveryOption).",
    )
    quote_option = models.CharField(
        max_length=10, blank=True, help_text="Which of the options the quote fields above are."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Cart of {self.customer_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    design_version = models.ForeignKey("catalog.DesignVersion", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "design_version"], name="cart_line_unique_version"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.design_version_id}"
