"""Stripe Connect: onboarding asset owners and carriers (onboarding) and their balances paid out to their
banks (bank_payouts; the platform's own payouts too)."""
