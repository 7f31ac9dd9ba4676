"""The payouts admin: the network's Stripe settings and webhook/write logs (stripe_settings), and the money
side, read-only but for the profit-share policy (money). Importing this package registers both."""

from apps.payouts.admin import money, stripe_settings  # noqa: F401 - each module registers its admin classes
