from django.db import transaction

from apps.payouts import crypto, stripe_client
from apps.payouts.models import StripeMode, StripeSettings


@transaction.atomic
def stripe_settings_update(
    *,
    mode: str,
    publishable_key: str,
    secret_key: str = "",
    webhook_secret: str = "",
    connect_webhook_secret: str = "",
    secret_key_verified: bool = False,
) -> StripeSettings:
    """Saves the network's Stripe settings. Blank secrets keep the stored ones; new keys are test-called first,
    unless the caller just did (the admin form does, to show Stripe's refusal next to the field).
    `webhook_secret` signs the account endpoint's events, `connect_webhook_secret` the Connect endpoint's."""
    row = StripeSettings.objects.select_for_update().get(pk=stripe_client.stripe_settings_get().pk)
    if mode == StripeMode.STRIPE and secret_key and not secret_key_verified:
        stripe_client.secret_key_verify(secret_key=secret_key)
    row.mode = mode
    row.publishable_key = publishable_key
    if secret_key:
        row.secret_key_encrypted = crypto.encrypt(secret_key)
    if webhook_secret:
        row.webhook_secret_encrypted = crypto.encrypt(webhook_secret)
    if connect_webhook_secret:
        row.connect_webhook_secret_encrypted = crypto.encrypt(connect_webhook_secret)
    row.save()
    return row
