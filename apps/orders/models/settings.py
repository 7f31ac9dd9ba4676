from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class OrderSettings(models.Model):
    """The network's order rules. One row per tenant schema (pk=1), created with defaults on first use."""

    quote_lock_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="How long a quote's price and delivery date hold at checkout.",
    )
    refund_window_days = models.PositiveIntegerField(
        default=14, help_text="Days after delivery within which a customer may ask for a refund."
    )
    offer_response_hours = models.PositiveIntegerField(
        default=24,
        help_text="How long an asset owner has to accept or decline a job before it is re-planned.",
    )
    stale_paid_minutes = models.PositiveIntegerField(
        default=10,
        help_text="A paid order still unplanned after this long is sent to matching again (lost task recovery).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Order settings"
        verbose_name_plural = "Order settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="order_settings_singleton")]

    def __str__(self):
        return "Order settings"
