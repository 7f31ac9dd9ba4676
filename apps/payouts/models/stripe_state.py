import secrets

from django.db import models

from apps.payouts import crypto


class StripeMode(models.TextChoices):
    LOCAL = "local", "Local Stripe-compatible server (development)"
    STRIPE = "stripe", "Stripe (test or live keys)"


class StripeSettings(models.Model):
    """The network's own Stripe platform account. One row per tenant schema; secrets encrypted at rest.

    Stripe signs the platform's own events (account endpoint) and its connected accounts' events (Connect
    endpoint) with two different secrets, one per webhook endpoint: both are kept.
    """

    mode = models.CharField(max_length=10, choices=StripeMode.choices, default=StripeMode.LOCAL)
    publishable_key = models.CharField(max_length=255, blank=True)
    secret_key_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(
        blank=True, help_text="Signing secret of the account endpoint."
    )
    connect_webhook_secret_encrypted = models.TextField(
        blank=True, help_text="Signing secret of the Connect endpoint (connected accounts' events)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Stripe settings"
        verbose_name_plural = "Stripe settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="stripe_settings_singleton")]

    def __str__(self):
        return f"Stripe ({self.get_mode_display()})"

    @property
    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_key_encrypted)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted)

    @property
    def connect_webhook_secret(self) -> str:
        return crypto.decrypt(self.connect_webhook_secret_encrypted)

    @staticmethod
    def new_local_webhook_secret() -> str:
        return "whsec_" + secrets.token_hex(24)


class WebhookEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (no handler)"
    FAILED = "failed", "Failed (retried with backoff)"


class WebhookEvent(models.Model):
    """The inbox: every verified Stripe event, stored before it is acknowledged, processed at most once."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    account = models.CharField(
        max_length=255, blank=True, help_text="Connected account the event belongs to."
    )
    stripe_created = models.BigIntegerField(help_text="Event creation time at Stripe (Unix seconds).")
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=WebhookEventStatus.choices, default=WebhookEventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the re-drive tries a failed event again (exponential backoff)."
    )
    staff_alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff were told the event keeps failing."
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.type} {self.stripe_event_id}"


class StripeWrite(models.Model):
    """Every write we send to Stripe, keyed by the idempotency key derived from our own row.

    A retry of the same logical write finds this row by its key and sends the same `sent_key`, so Stripe replays
    its stored response instead of acting twice. Where the row commits depends on the caller: a charge's or
    payout's row commits before the call; a transfer's row commits with the transfer it belongs to (its call runs
    inside that transaction), so a crash mid-call leaves no row and the retry is recognised by the metadata lookup
    (`find_existing`) instead.
    """

    idempotency_key = models.CharField(max_length=255, unique=True)
    sent_key = models.CharField(
        max_length=255,
        blank=True,
        help_text="The key as sent to Stripe (qualified by the network); blank for writes sent before it was.",
    )
    operation = models.CharField(max_length=64)
    stripe_account = models.CharField(max_length=255, blank=True)
    stripe_object_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.idempotency_key
